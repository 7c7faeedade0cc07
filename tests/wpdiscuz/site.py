"""A small wpDiscuz blog on loopback: a home page, one post page and admin-ajax.php's
load-more answers, each request logged (method, path, form)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.wpdiscuz.markup import Comment, load_more_answer, post_page

__all__ = ["FIRST", "MORE", "POST_ID", "WpdSite", "serve_wpdiscuz"]

POST_ID = 42
POST_PATH = "/?p=42"
# The first page shows two threads; two loads bring the rest (one reply each).
FIRST = [
    Comment(905, "Ann Example", "5 days ago", "December 1, 2025 10:15 am", "Deportation numbers are up."),
    Comment(906, "Bo Reader", "4 days ago", None, "Source?", parent=905, parent_author="Ann Example"),
    Comment(904, "Cy Writer", "6 days ago", "November 30, 2025 9:00 am", "Older thread."),
]
MORE = [
    [Comment(903, "Di Analyst", "1 week ago", "November 28, 2025 8:00 am", "From the load-more answer."),
     Comment(907, "Ann Example", "3 days ago", None, "A reply loaded later.", parent=903, parent_author="Di Analyst")],
    [Comment(902, "Ed Voter", "2 weeks ago", "November 20, 2025 7:30 pm", "The oldest thread.")],
]


@dataclass
class WpdSite:
    base: str = ""
    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)
    fail_loads: bool = False  # every load-more answers 500


class _Handler(BaseHTTPRequestHandler):
    site: WpdSite
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.site.requests.append(("GET", self.path, {}))
        base = self.site.base
        if self.path == "/":
            home = (f'<html><body><article class="post type-post"><h2 class="entry-title">'
                    f'<a href="{base}{POST_PATH}">Deportation flights</a></h2></article></body></html>')
            self._send(200, "text/html; charset=UTF-8", home.encode())
        elif self.path == POST_PATH:
            body = post_page(base, POST_ID, "Deportation flights", FIRST, last_parent=904)
            self._send(200, "text/html; charset=UTF-8", body.encode())
        else:
            self._send(404, "text/html", b"<html><body>Not found</body></html>")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
        path = urlsplit(self.path).path
        self.site.requests.append(("POST", path, form))
        if path != "/wp-admin/admin-ajax.php" or form.get("action") != ["wpdLoadMoreComments"]:
            self._send(400, "text/plain", b"0")  # what admin-ajax.php answers an unknown action
            return
        if self.site.fail_loads:
            self._send(500, "text/html", b"<html><body>Internal Server Error</body></html>")
            return
        offset = int(form.get("offset", ["0"])[0])
        # Where the next load starts: after the last top-level comment the client has seen.
        expected_last = {1: "904", 2: "903"}.get(offset)
        if form.get("postId") != [str(POST_ID)] or form.get("lastParentId") != [expected_last]:
            self._send(200, "application/json", b'{"success":false,"data":"bad request"}')
            return
        self._send(200, "application/json; charset=UTF-8",
                   load_more_answer(MORE[offset - 1], more=offset < len(MORE)))


@contextmanager
def serve_wpdiscuz(host: str = "127.0.0.1", *, fail_loads: bool = False) -> Iterator[WpdSite]:
    site = WpdSite(fail_loads=fail_loads)
    handler = type("Handler", (_Handler,), {"site": site})
    server = ThreadingHTTPServer((host, 0), handler)
    site.base = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
