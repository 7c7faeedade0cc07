"""A tiny WordPress-like blog on 127.0.0.1 for scheduler tests, optionally slow to answer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.sitegen import SiteSpec, generate_site
from tests.faults.server import Fault, serve_faults

POSTS = 4
COMMENTS = 6  # per post, all on one comment page


@contextmanager
def serve_blog(root: Path, *, posts: int = POSTS, delay: float = 0.0) -> Iterator[str]:
    """Generate a blog of `posts` posts under `root`, serve it; yield its base URL.

    `delay`: every answer waits that long, which keeps a crawl in progress long enough
    to signal it mid-way (the fault server's "slow" fault on every URL).
    """
    root.mkdir(parents=True, exist_ok=True)
    faults = [Fault("slow", "", delay=delay)] if delay else []
    with serve_faults(directory=root, faults=faults) as server:
        # Absolute links: the sitemap index names its sub-sitemaps by full URL.
        generate_site(root, SiteSpec(posts=posts, comments=COMMENTS, per_page=50, page_kb=1),
                      server.base_url)
        yield server.base_url + "/"
