"""A small HTTP server on 127.0.0.x answering from a site object (`respond(path, query)`),
so a test can change the site (edit, delete, reply) between two crawls, and make chosen
URLs fail (`failing`: regexes of path+query answered 500)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import parse_qsl, urlsplit

__all__ = ["Site", "serve"]


class Site(Protocol):
    base: str
    failing: list[str]

    def respond(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes]: ...


@contextmanager
def serve(site: Site, host: str = "127.0.0.1") -> Iterator[list[str]]:
    """Serve `site` on `host`; sets `site.base`; yields the list of requests asked."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            parts = urlsplit(self.path)
            if any(re.search(p, self.path) for p in site.failing):
                status, ctype, body = 500, "text/html", b"<html><body>Server error</body></html>"
            else:
                status, ctype, body = site.respond(parts.path, dict(parse_qsl(parts.query)))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer((host, 0), Handler)
    site.base = f"http://{host}:{httpd.server_address[1]}/"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield asked
    finally:
        httpd.shutdown()
        httpd.server_close()
