"""The demo blog: serves the bundled WordPress snapshot (crawler/demo_site/) on 127.0.0.1.

    with serve_demo_site() as base_url:     # "http://127.0.0.1:PORT", a free port
        ...crawl base_url...

The snapshot was saved from the test WordPress (tests/wordpress/make_demo_site.py) with
its origin replaced by `PLACEHOLDER_ORIGIN`; each response puts the live origin back.
`manifest.json` maps "path?query" to a gzipped body (or a redirect); anything else is
404, as is the REST API, which the snapshot leaves out on purpose (the demo shows the
HTML path). ETag / Last-Modified are sent and honoured, as on a real server.
`python -m crawler.demo_server` serves it until interrupted.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

__all__ = ["DEMO_SITE_DIR", "MANIFEST", "PLACEHOLDER_ORIGIN", "origin_forms", "serve_demo_site"]

DEMO_SITE_DIR = Path(__file__).with_name("demo_site")
MANIFEST = "manifest.json"
PLACEHOLDER_ORIGIN = "http://demo-blog.palimpsest.invalid"


def origin_forms(origin: str) -> tuple[str, str, str]:
    """How an origin appears in WordPress output: plain, JSON-escaped, URL-encoded."""
    return origin, origin.replace("/", "\\/"), quote(origin, safe="")


@cache
def _manifest(site_dir: Path) -> dict[str, Any]:
    with open(site_dir / MANIFEST, encoding="utf-8") as f:
        return dict(json.load(f))


@cache
def _body(site_dir: Path, name: str) -> bytes:
    return gzip.decompress((site_dir / name).read_bytes())


def _handler(site_dir: Path, origin: str) -> type[BaseHTTPRequestHandler]:
    manifest = _manifest(site_dir)
    pages: dict[str, dict[str, Any]] = manifest["pages"]
    pairs = list(zip(origin_forms(manifest["origin"]), origin_forms(origin), strict=True))

    def live(data: bytes) -> bytes:
        for placeholder, real in pairs:
            data = data.replace(placeholder.encode(), real.encode())
        return data

    class DemoHandler(BaseHTTPRequestHandler):
        server_version = "palimpsest-demo/1"

        def do_GET(self) -> None:
            self._respond(send_body=True)

        def do_HEAD(self) -> None:
            self._respond(send_body=False)

        def _respond(self, send_body: bool) -> None:
            parts = urlsplit(self.path)
            key = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            entry = pages.get(key)
            if entry is None:
                self._send(HTTPStatus.NOT_FOUND, "text/html; charset=UTF-8",
                           b"<!doctype html><title>Not found</title><h1>Not found</h1>",
                           send_body)
                return
            if "location" in entry:
                self.send_response(int(entry["status"]))
                self.send_header("Location", live(entry["location"].encode()).decode())
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = live(_body(site_dir, entry["file"]))
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            if self.headers.get("If-None-Match") == etag or (
                    entry.get("last_modified")
                    and self.headers.get("If-Modified-Since") == entry["last_modified"]):
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            extra = {"ETag": etag}
            if entry.get("last_modified"):
                extra["Last-Modified"] = entry["last_modified"]
            self._send(int(entry["status"]), entry["content_type"], body, send_body, extra)

        def _send(self, status: int, content_type: str, body: bytes, send_body: bool,
                  extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the crawler logs its own fetches; a demo should not print per request

    return DemoHandler


@contextmanager
def serve_demo_site(site_dir: Path = DEMO_SITE_DIR, port: int = 0) -> Iterator[str]:
    """Serve the snapshot on 127.0.0.1 (a free port unless given); yield its base URL."""
    # The origin must be known before the handler exists, so bind first, then build it.
    server = ThreadingHTTPServer(("127.0.0.1", port), BaseHTTPRequestHandler)
    server.daemon_threads = True
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    server.RequestHandlerClass = _handler(site_dir, origin)
    thread = threading.Thread(target=server.serve_forever, name="demo-site", daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


if __name__ == "__main__":
    with serve_demo_site() as url:
        print(f"demo blog at {url}/ (Ctrl-C to stop)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
