"""A tiny WordPress-like blog on 127.0.0.1 for scheduler tests, optionally slow to answer."""

from __future__ import annotations

import functools
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.sitegen import SiteSpec, generate_site

POSTS = 4
COMMENTS = 6  # per post, all on one comment page


class _Handler(http.server.SimpleHTTPRequestHandler):
    delay = 0.0

    def do_GET(self) -> None:
        # A slow site keeps a crawl in progress long enough to signal it mid-way.
        time.sleep(self.delay)
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_blog(root: Path, *, posts: int = POSTS, delay: float = 0.0) -> Iterator[str]:
    """Generate a blog of `posts` posts under `root`, serve it; yield its base URL."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # Absolute links: the sitemap index names its sub-sitemaps by full URL.
    generate_site(root, SiteSpec(posts=posts, comments=COMMENTS, per_page=50, page_kb=1), base)
    handler = type("SlowHandler", (_Handler,), {"delay": delay})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base + "/"
    finally:
        server.shutdown()
        server.server_close()
