"""A small Substack on 127.0.0.1: the public /api/v1 endpoints a crawler reads.

    /api/v1/archive?sort=new&offset=N&limit=M      posts, newest first (slugs, ids, counts)
    /api/v1/posts/<slug>                           one post, with body_html and bylines
    /api/v1/post/<id>/comments?all_comments=true   the whole comment tree (`children`)

Bodies are built field for field from the formats cited in tests/substack/README.md
(`fixtures.py` builds them). The publication is a mutable value (`SubstackSite`), so a
test can edit, delete and reply between two crawls; `faults` answer a path with a status
(500, or 429 with Retry-After) a number of times. Every request path is logged.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.substack.fixtures import SubstackSite, archive_item, comments_body, post_body

__all__ = ["Fault", "SubstackServer", "serve_substack"]


@dataclass
class Fault:
    """Answer requests whose path+query matches `pattern` with `status`, `times` times."""

    pattern: str
    status: int
    times: int = 1
    retry_after: str | None = None


@dataclass
class SubstackServer:
    site: SubstackSite
    host: str = "127.0.0.1"
    faults: list[Fault] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    base_url: str = ""

    def fault_for(self, target: str) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and re.search(fault.pattern, target):
                fault.times -= 1
                return fault
        return None

    def answer(self, target: str) -> tuple[int, Any]:
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query))
        path = parts.path
        if path == "/api/v1/archive":
            offset, limit = int(query.get("offset", 0)), int(query.get("limit", 12))
            posts = sorted(self.site.posts.values(), key=lambda p: p.date, reverse=True)
            return 200, [archive_item(self.site, p) for p in posts[offset:offset + limit]]
        m = re.fullmatch(r"/api/v1/posts/([\w-]+)", path)
        if m:
            post = next((p for p in self.site.posts.values() if p.slug == m.group(1)), None)
            return (200, post_body(self.site, post)) if post else (404, {"error": "Post not found"})
        m = re.fullmatch(r"/api/v1/post/(\d+)/comments", path)
        if m and int(m.group(1)) in self.site.posts:
            return 200, comments_body(self.site.posts[int(m.group(1))])
        return 404, {"error": "Not found"}


def _handler(server: SubstackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.log.append(self.path)
            fault = server.fault_for(self.path)
            if fault is not None:
                status, payload = fault.status, {"error": "injected"}
            else:
                status, payload = server.answer(self.path)
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if fault is not None and fault.retry_after is not None:
                self.send_header("Retry-After", fault.retry_after)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve_substack(site: SubstackSite, host: str = "127.0.0.1") -> Iterator[SubstackServer]:
    """The site served on `host` (a loopback address) on a free port, until the block ends."""
    server = SubstackServer(site=site, host=host)
    httpd = ThreadingHTTPServer((host, 0), _handler(server))
    server.base_url = f"http://{host}:{httpd.server_address[1]}/"
    site.base_url = server.base_url  # canonical URLs point here too: nothing leaves loopback
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
