"""A small HTTP server on a loopback address that answers like a web service's public API.

A test gives it `answer(path_and_query) -> (status, body, content type)`, a JSON value
being sent as application/json; `faults` answer a matching request with a status (500,
or 429 with Retry-After) a number of times instead. Every request path is logged, so a
test can assert what was, and was never, asked.

    with serve(answer, host="127.0.0.2") as stub:
        stub.base_url, stub.faults.append(Fault(r"/comments", 429, retry_after="1")), stub.log
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Answer", "Fault", "Stub", "serve"]

Answer = Callable[[str], tuple[int, Any, str | None]]  # JSON value or bytes, content type


@dataclass
class Fault:
    """Answer requests whose path+query matches `pattern` with `status`, `times` times."""

    pattern: str
    status: int
    times: int = 1
    retry_after: str | None = None


@dataclass
class Stub:
    answer: Answer
    faults: list[Fault] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)  # time.monotonic() of each request
    base_url: str = ""

    def fault_for(self, target: str) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and re.search(fault.pattern, target):
                fault.times -= 1
                return fault
        return None


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            stub.arrivals.append(time.monotonic())
            stub.log.append(self.path)
            fault = stub.fault_for(self.path)
            if fault is not None:
                status, payload, kind = fault.status, {"errors": ["injected"]}, None
            else:
                status, payload, kind = stub.answer(self.path)
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", kind or "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if fault is not None and fault.retry_after is not None:
                self.send_header("Retry-After", fault.retry_after)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(answer: Answer, host: str = "127.0.0.1") -> Iterator[Stub]:
    """`answer` served on `host` (a loopback address) on a free port, until the block ends."""
    stub = Stub(answer=answer)
    httpd = ThreadingHTTPServer((host, 0), _handler(stub))
    stub.base_url = f"http://{host}:{httpd.server_address[1]}/"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        httpd.shutdown()
        httpd.server_close()
