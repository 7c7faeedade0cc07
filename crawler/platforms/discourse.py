"""The `discourse` platform: a forum's topics as threads, through its public JSON.

A source is a forum URL: its root lists /latest.json, a category URL (/c/<slug>/<id>)
lists that category; every page of the list is followed (`more_topics_url`) and each
topic is filtered by the topic like any post. A thread's first page is /t/<id>.json
(post #1, the first chunk of replies and the ids of all posts); the rest of the stream
comes in chunks of 20 ids from /t/<id>/posts.json?post_ids[]=..., fetched at once. The
thread is complete when every id of the stream came back (`exact_count`). Parsing is
`crawler.parsers.discourse`; the blog-embed route (crawler.platforms.discourse_embed)
reads the same pages for a blog whose comments are a Discourse topic.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from crawler.page import Page
from crawler.parsers import discourse
from crawler.platforms.base import (
    Glimpse,
    Listing,
    ListingRequest,
    NoRevisitSignals,
    Route,
    ThreadPage,
)
from storage.records import PostRecord

__all__ = ["CHUNK", "Discourse", "ForumPages", "TopicRoute", "forum_and_listing"]

CHUNK = 20  # posts per request, as Discourse's own client asks (TopicView chunk_size)
_ROUTE = "topics"

def forum_and_listing(url: str) -> tuple[str, str]:
    """The forum's root URL and the JSON list a source URL names (a category, or latest)."""
    parts = urlsplit(url)
    path = parts.path
    root = f"{parts.scheme}://{parts.netloc}"
    if "/c/" in path:
        base, category = path.split("/c/", 1)
        forum = root + base.rstrip("/") + "/"
        return forum, f"{forum}c/{category.strip('/').removesuffix('.json')}.json"
    forum = root + (path if path.endswith("/") else path + "/")
    return forum, f"{forum}latest.json"

def _json_path(forum: str, more: str) -> str:
    """`more_topics_url` ("/latest?page=1") as its JSON form ("/latest.json?page=1")."""
    url = urljoin(forum, more)
    head, sep, query = url.partition("?")
    return (head if head.endswith(".json") else head + ".json") + sep + query

def _fingerprint(data: Any) -> str:
    """What the thread is made of, without what changes on every view (reads, scores)."""
    posts = (data.get("post_stream") or {}).get("posts") or [] if isinstance(data, dict) else []
    kept = [[p.get(k) for k in ("id", "post_number", "version", "updated_at", "deleted_at", "user_deleted",
                                "hidden", "reply_to_post_number", "username", "cooked")]
            for p in posts if isinstance(p, dict)]
    stream = (data.get("post_stream") or {}).get("stream") if isinstance(data, dict) else None
    title = data.get("title") if isinstance(data, dict) else None
    return hashlib.sha256(json.dumps([title, stream, kept], sort_keys=True).encode()).hexdigest()

def _json_type(page: Page) -> str | None:
    kind = page.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and not kind.endswith("json"):
        return f"{kind}, not Discourse's JSON (a login page, or no forum here)"
    return None


class ForumPages:
    """The thread pages of one forum's topics: /t/<id>.json and its post chunks.

    `offset` moves the page numbers (a blog's own pages come first in an embed)."""

    def __init__(self, forum: str, offset: int = 0) -> None:
        self.forum = forum
        self.offset = offset

    def topic_url(self, topic_id: int | str) -> str:
        return f"{self.forum}t/{topic_id}.json"

    def chunk_url(self, topic_id: str, ids: Sequence[int]) -> str:
        # Brackets escaped as the downloader would escape them: the URL that comes back is
        # the URL asked for, which is how a thread knows its page arrived.
        return f"{self.forum}t/{topic_id}/posts.json?" + "&".join(f"post_ids%5B%5D={i}" for i in ids)

    def _chunk_links(self, topic_id: str, stream: Sequence[int], shown: Sequence[int]) -> tuple[tuple[int, str], ...]:
        seen = set(shown)
        rest = [i for i in stream if i not in seen]
        chunks = [rest[k:k + CHUNK] for k in range(0, len(rest), CHUNK)]
        # Numbered by their first post id: page order is stream order, whichever comes back first.
        return tuple((self.offset + c[0], self.chunk_url(topic_id, c)) for c in chunks)

    @staticmethod
    def _is_chunk(url: str) -> bool:
        return urlsplit(url).path.endswith("/posts.json")

    def read(self, page: Page, *, with_post: bool) -> ThreadPage:
        if page.status != 200:
            raise ValueError(f"HTTP {page.status}")
        if self._is_chunk(page.url):
            chunk = discourse.parse_chunk(page, self.forum)
            first = next((v for k, v in parse_qsl(urlsplit(page.url).query) if k == "post_ids[]"), "0")
            return ThreadPage(number=self.offset + int(first), comments=chunk.comments,
                              fingerprint=_fingerprint(json.loads(page.body)),
                              unread=chunk.unread, withheld=len(chunk.withheld),
                              removals=chunk.removals)
        topic = discourse.parse_topic(page, self.forum)
        if with_post and topic.post is None:
            raise ValueError(f"{page.url}: the topic's first post is not shown (deleted or hidden)")
        topic_id = str(json.loads(page.body)["id"])
        return ThreadPage(
            number=self.offset + 1, comments=topic.chunk.comments,
            fingerprint=_fingerprint(json.loads(page.body)),
            links=self._chunk_links(topic_id, topic.stream, topic.shown),
            post=topic.post if with_post else None,
            expected=max(len(topic.stream) - 1, 0),
            unread=topic.chunk.unread, withheld=len(topic.chunk.withheld),
            removals=topic.chunk.removals,
        )

    def glimpse(self, page: Page) -> Glimpse:
        try:
            data = json.loads(page.body)
        except ValueError:
            return Glimpse(fingerprint=hashlib.sha256(page.body).hexdigest())
        if self._is_chunk(page.url) or not isinstance(data, dict) or "id" not in data:
            return Glimpse(fingerprint=_fingerprint(data))
        stream = [i for i in (data.get("post_stream") or {}).get("stream") or [] if isinstance(i, int)]
        shown = [p["id"] for p in (data.get("post_stream") or {}).get("posts") or []
                 if isinstance(p, dict) and isinstance(p.get("id"), int)]
        return Glimpse(fingerprint=_fingerprint(data), links=self._chunk_links(str(data["id"]), stream, shown),
                       expected=max(len(stream) - 1, 0))


class TopicRoute:
    """A forum's topic lists and topics."""

    name = _ROUTE
    parallel = True  # the chunks of a topic are independent
    conditional = False
    exact_count = True  # every id of the stream must come back
    vouching = False  # every page is fetched: no page stands for the others

    def __init__(self, forum: str, listing: str) -> None:
        self.pages = ForumPages(forum)
        self.listing = listing

    def first_listing(self) -> ListingRequest:
        return ListingRequest(url=self.listing, route=_ROUTE, probe=True)

    def read_listing(self, request: ListingRequest, page: Page) -> Listing:
        if page.status != 200:
            raise ValueError(f"HTTP {page.status}")
        found = discourse.parse_topic_list(page)
        more: tuple[ListingRequest, ...] = ()
        if found.more and found.topics:
            more = (ListingRequest(url=_json_path(self.pages.forum, found.more), route=_ROUTE,
                                   page_no=request.page_no + 1),)
        return Listing(post_urls=tuple(self.pages.topic_url(i) for i, _ in found.topics), more=more)

    def thread_urls(self, post: PostRecord) -> tuple[str, ...]:
        return (self.pages.topic_url(post.external_id),)

    def unreadable(self, page: Page) -> str | None:
        return _json_type(page)

    def read(self, page: Page) -> ThreadPage:
        return self.pages.read(page, with_post=True)

    def read_post_only(self, page: Page) -> ThreadPage | None:
        return None

    def glimpse(self, page: Page) -> Glimpse:
        return self.pages.glimpse(page)


class Discourse(NoRevisitSignals):
    """One forum, or one of its categories."""

    name = "discourse"

    def __init__(self, url: str) -> None:
        forum, listing = forum_and_listing(url)
        self.topics = TopicRoute(forum, listing)
        self.routes: dict[str, Route] = {_ROUTE: self.topics}
        self.post_pages: Route = self.topics

    def discovery(self) -> Sequence[ListingRequest]:
        return [self.topics.first_listing()]





