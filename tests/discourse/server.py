"""A small Discourse forum on a loopback address: the public JSON a crawler reads.

    /latest.json?page=N, /c/<slug>/<id>.json     topic lists (`more_topics_url` paging)
    /t/<id>.json                                 a topic: first chunk, stream of all ids
    /t/<id>/posts.json?post_ids[]=...            further chunks
    /embed/count?embed_url[]=URL                 {"counts": {URL: "N replies"}} for known embeds
    /embed/comments?embed_url=URL                answered, but a test asserts it is never asked

Bodies come from `fixtures.py` (sources in tests/discourse/README.md); faults and the
request log are the stub's (tests/services/stub.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.discourse.fixtures import Forum, chunk_body, latest_body, topic_body
from tests.services.stub import Stub, serve

__all__ = ["serve_forum"]


def _answer(forum: Forum, embeds: dict[str, int], target: str) -> tuple[int, Any, str | None]:
    parts = urlsplit(target)
    query, path = parse_qs(parts.query), parts.path
    page = int(query.get("page", ["0"])[0])
    if path == "/latest.json":
        return 200, latest_body(forum, page), None
    m = re.fullmatch(r"/c/[\w-]+/(\d+)(?:/l/latest)?\.json", path)
    if m:
        return 200, latest_body(forum, page, int(m.group(1))), None
    m = re.fullmatch(r"/t/(\d+)(/posts)?\.json", path)
    topic = forum.topics.get(int(m.group(1))) if m else None
    if m and topic is not None:
        if m.group(2):
            return 200, chunk_body(forum, topic, [int(i) for i in query.get("post_ids[]", [])]), None
        return 200, topic_body(forum, topic), None
    if path == "/embed/count":
        counts = {}
        for url in query.get("embed_url[]", []):
            if url in embeds:
                replies = len(forum.topics[embeds[url]].posts) - 1
                counts[url] = f"{replies} replies"
        return 200, {"counts": counts}, None
    if path == "/embed/comments":  # what creates a topic on a real forum
        return 200, b"<html><body>Loading...</body></html>", "text/html"
    return 404, {"errors": ["The requested URL or resource could not be found."], "error_type": "not_found"}, None


@contextmanager
def serve_forum(forum: Forum, host: str = "127.0.0.2", embeds: dict[str, int] | None = None) -> Iterator[Stub]:
    """The forum on `host` (a loopback address) on a free port; `embeds`: blog URL -> topic
    id, the topics the forum made for blog pages (what /embed/count knows)."""
    known = embeds if embeds is not None else {}
    with serve(lambda target: _answer(forum, known, target), host) as stub:
        forum.base_url = stub.base_url
        yield stub
