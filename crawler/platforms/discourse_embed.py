"""A blog whose comments are a Discourse topic (`discourse_url` on a source): its HTML
post pages, and the topic read from the forum.

The post page's `DiscourseEmbed = {discourseUrl, topicId}` names the topic: its pages
(/t/<id>.json and its chunks, `crawler.platforms.discourse.ForumPages`) follow the blog's
own pages, and their posts after #1 (the forum's copy of the blog post) are the comments.
A page without `topicId` names its topic only by its URL: /embed/count?embed_url[]=
(public JSON, `{"counts": {url: "N replies"}}`) says whether the forum holds one; a topic
that exists but is not named is a problem on the thread (partial, never "0 comments").
/embed/comments?embed_url= is never asked: for a page without a topic it makes the forum
create one.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from urllib.parse import quote, urlsplit

from crawler.page import Page
from crawler.platforms.base import Glimpse, Listing, ListingRequest, Route, ThreadPage
from crawler.platforms.discourse import ForumPages
from storage.records import PostRecord

__all__ = ["DiscourseEmbedRoute", "embedded_topic"]

# Page numbers of the forum's pages: after any blog comment page.
FORUM_PAGES = 10**12
_EMBED = re.compile(rb"DiscourseEmbed\s*=\s*\{(.*?)\}", re.DOTALL)
_TOPIC_ID = re.compile(rb"""\btopicId\s*:\s*['"]?(\d+)""")
_COUNT = re.compile(r"(\d+)")


def embedded_topic(body: bytes) -> int | None:
    """The topic id a page's `DiscourseEmbed` names, or None."""
    m = _EMBED.search(body)
    found = _TOPIC_ID.search(m.group(1)) if m else None
    return int(found.group(1)) if found else None


class DiscourseEmbedRoute:
    """The blog's HTML route, with each thread's Discourse topic as its further pages."""

    def __init__(self, inner: Route, forum: str) -> None:
        self.inner = inner
        self.name = inner.name
        self.parallel = inner.parallel
        self.conditional = inner.conditional
        self.exact_count = inner.exact_count
        self.vouching = inner.vouching
        self.forum = forum if forum.endswith("/") else forum + "/"
        self.pages = ForumPages(self.forum, offset=FORUM_PAGES)

    def _count_url(self, post_url: str) -> str:
        return f"{self.forum}embed/count?embed_url%5B%5D={quote(post_url, safe='')}"  # [] escaped, as sent

    def _forum_link(self, page: Page, post: PostRecord | None) -> tuple[int, str] | None:
        topic = embedded_topic(page.body)
        if topic is not None:
            return (FORUM_PAGES + 1, self.pages.topic_url(topic))
        if b"DiscourseEmbed" in page.body and post is not None:
            return (FORUM_PAGES, self._count_url(post.url or page.url))
        return None

    def _with_forum(self, read: ThreadPage, page: Page) -> ThreadPage:
        link = self._forum_link(page, read.post)
        if link is None or read.post is None:
            return read
        # The comments are not in the HTML but on the forum, which this thread now reads.
        return replace(read, links=(*read.links, link), elsewhere=None)

    def owns(self, url: str) -> bool:
        """A page of the forum (not of the blog)."""
        return url.startswith(self.forum)

    def read_listing(self, request: ListingRequest, page: Page) -> Listing:
        return self.inner.read_listing(request, page)

    def thread_urls(self, post: PostRecord) -> tuple[str, ...]:
        return self.inner.thread_urls(post)

    def unreadable(self, page: Page) -> str | None:
        if self.owns(page.url):
            kind = page.headers.get("content-type", "").split(";")[0].strip().lower()
            return f"{kind}, not Discourse's JSON" if kind and not kind.endswith("json") else None
        return self.inner.unreadable(page)

    def read(self, page: Page) -> ThreadPage:
        if not self.owns(page.url):
            return self._with_forum(self.inner.read(page), page)
        if urlsplit(page.url).path.endswith("/embed/count"):
            return self._read_count(page)
        return self.pages.read(page, with_post=False)

    def _read_count(self, page: Page) -> ThreadPage:
        if page.status != 200:
            raise ValueError(f"HTTP {page.status}")
        try:
            counts = json.loads(page.body).get("counts") or {}
        except (ValueError, AttributeError):
            raise ValueError(f"{page.url}: not the forum's embed counts") from None
        replies = [int(m.group(1)) for text in counts.values() if (m := _COUNT.search(str(text)))]
        problems: tuple[str, ...] = ()
        if any(replies):
            why = (f"the forum {self.forum} holds a topic for this page with {max(replies)} replies, "
                   "but the page names no topicId: not read")
            problems = (why,)
        return ThreadPage(number=FORUM_PAGES, comments=(), fingerprint=str(sorted(counts.items())),
                          problems=problems)

    def read_post_only(self, page: Page) -> ThreadPage | None:
        only = self.inner.read_post_only(page)
        return self._with_forum(only, page) if only is not None else None

    def glimpse(self, page: Page) -> Glimpse:
        if self.owns(page.url):
            if urlsplit(page.url).path.endswith("/embed/count"):
                return Glimpse(fingerprint=page.body.decode("utf-8", "replace"))
            return self.pages.glimpse(page)
        seen = self.inner.glimpse(page)
        link = self._forum_link(page, None) if embedded_topic(page.body) is not None else (
            (FORUM_PAGES, self._count_url(page.url)) if b"DiscourseEmbed" in page.body else None)
        return replace(seen, links=(*seen.links, link)) if link is not None else seen
