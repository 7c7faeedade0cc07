"""A small Substack on 127.0.0.1: the public /api/v1 endpoints a crawler reads.

    /api/v1/archive?sort=new&offset=N&limit=M      posts, newest first (slugs, ids, counts)
    /api/v1/posts/<slug>                           one post, with body_html and bylines
    /api/v1/post/<id>/comments?all_comments=true   the whole comment tree (`children`)

Bodies are built field for field from the formats cited in tests/substack/README.md
(`fixtures.py` builds them). The publication is a mutable value (`SubstackSite`), so a
test can edit, delete and reply between two crawls; faults and the request log are the
stub's (tests/services/stub.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.services.stub import Stub, serve
from tests.substack.fixtures import SubstackSite, archive_item, comments_body, post_body

__all__ = ["serve_substack"]


def _answer(site: SubstackSite, target: str) -> tuple[int, Any, None]:
    parts = urlsplit(target)
    query, path = dict(parse_qsl(parts.query)), parts.path
    if path == "/api/v1/archive":
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 12))
        posts = sorted(site.posts.values(), key=lambda p: p.date, reverse=True)
        return 200, [archive_item(site, p) for p in posts[offset:offset + limit]], None
    m = re.fullmatch(r"/api/v1/posts/([\w-]+)", path)
    if m:
        post = next((p for p in site.posts.values() if p.slug == m.group(1)), None)
        return (200, post_body(site, post), None) if post else (404, {"error": "Post not found"}, None)
    m = re.fullmatch(r"/api/v1/post/(\d+)/comments", path)
    if m and int(m.group(1)) in site.posts:
        return 200, comments_body(site.posts[int(m.group(1))]), None
    return 404, {"error": "Not found"}, None


@contextmanager
def serve_substack(site: SubstackSite, host: str = "127.0.0.1") -> Iterator[Stub]:
    """The publication served on `host` on a free port, until the block ends."""
    with serve(lambda target: _answer(site, target), host) as stub:
        site.base_url = stub.base_url  # canonical URLs point here too: nothing leaves loopback
        yield stub
