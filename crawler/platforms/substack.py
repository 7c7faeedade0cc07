"""The `substack` platform: a publication read through its public JSON API.

Discovery pages through /api/v1/archive (newest first) and names each post's
/api/v1/posts/<slug> as the thread's first page, so the topic filter sees the whole
post. That page names the second and last, /api/v1/post/<id>/comments, which holds the
whole comment tree in one response. Substack sends no validators, and reports no list of
recent comments: each post's two pages are fetched on each crawl and the thread is
recorded unchanged when both bodies are the last complete crawl's (their hashes).
Parsing is `crawler.parsers.substack`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlsplit

from crawler.page import Page
from crawler.parsers import substack
from crawler.platforms.base import (
    Glimpse,
    Listing,
    ListingRequest,
    NoRevisitSignals,
    Route,
    ThreadPage,
)
from storage.records import PostRecord

__all__ = ["ARCHIVE_LIMIT", "Substack", "SubstackRoute"]

ARCHIVE_LIMIT = 50  # posts per archive page (what Substack's own archive page asks for)
_ROUTE = "api"
_COMMENTS_PATH = re.compile(r"/api/v1/post/\d+/comments$")  # not a post whose slug says "comments"

def _is_tree(page: Page) -> bool:
    return bool(_COMMENTS_PATH.search(urlsplit(page.url).path))

def _json_type(page: Page) -> str | None:
    kind = page.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and not kind.endswith("json"):
        return f"{kind}, not the API's JSON (a login page, or no Substack here)"
    return None

def _fingerprint(page: Page) -> str:
    return hashlib.sha256(page.body).hexdigest()


class SubstackRoute:
    """Posts and threads of one publication through /api/v1."""

    name = _ROUTE
    parallel = False  # the post page names the comment page
    conditional = False  # Substack's API sends no ETag or Last-Modified
    exact_count = True  # the tree is whole: comment_count counts its nodes
    vouching = False  # every page is fetched: no page stands for the others

    def __init__(self, base: str) -> None:
        self.base = base

    def archive_request(self, offset: int) -> ListingRequest:
        url = f"{self.base}api/v1/archive?sort=new&offset={offset}&limit={ARCHIVE_LIMIT}"
        return ListingRequest(url=url, route=_ROUTE, page_no=offset // ARCHIVE_LIMIT + 1, probe=offset == 0)

    def post_url(self, slug: str) -> str:
        return f"{self.base}api/v1/posts/{slug}"

    def owns(self, url: str) -> bool:
        """A page of this publication's API."""
        return url.startswith(f"{self.base}api/")

    def comments_url(self, post_id: str) -> str:
        return f"{self.base}api/v1/post/{post_id}/comments?all_comments=true&sort=oldest_first"

    def read_listing(self, request: ListingRequest, page: Page) -> Listing:
        if page.status != 200:
            raise ValueError(f"HTTP {page.status}")
        found = substack.parse_archive(page)
        offset = int(dict(parse_qsl(urlsplit(page.url).query)).get("offset", "0") or 0)
        # No total is given: a full page means there may be another.
        more = (self.archive_request(offset + ARCHIVE_LIMIT),) if len(found.slugs) >= ARCHIVE_LIMIT else ()
        return Listing(post_urls=tuple(self.post_url(s) for s in found.slugs), more=more)

    def thread_urls(self, post: PostRecord) -> tuple[str, ...]:
        return (self.comments_url(post.external_id),)

    def unreadable(self, page: Page) -> str | None:
        return _json_type(page)

    def read(self, page: Page) -> ThreadPage:
        if page.status != 200:
            raise ValueError(f"HTTP {page.status}")
        if _is_tree(page):
            return self._read_comments(page)
        post = substack.parse_post(page)
        problems: tuple[str, ...] = ()
        if post.audience in substack.PAID_AUDIENCES and post.comment_count:
            # Read without a subscription, a paid post's thread may be hidden or cut: never "0 comments".
            why = (f"subscriber-only post (audience {post.audience!r}): its {post.comment_count} "
                   "comments may be readable only by paying subscribers")
            problems = (why,)
        return ThreadPage(
            number=1, comments=(), fingerprint=_fingerprint(page), post=post.record,
            links=((2, self.comments_url(post.record.external_id)),),
            expected=post.comment_count, problems=problems,
        )

    def _read_comments(self, page: Page) -> ThreadPage:
        tree = substack.parse_comments(page)
        return ThreadPage(number=2, comments=tree.comments, fingerprint=_fingerprint(page),
                          unread=tree.unread, withheld=len(tree.withheld), removals=tree.removals)

    def read_post_only(self, page: Page) -> ThreadPage | None:
        return None

    def glimpse(self, page: Page) -> Glimpse:
        if _is_tree(page):
            return Glimpse(fingerprint=_fingerprint(page))
        post = substack.parse_post(page)
        return Glimpse(fingerprint=_fingerprint(page),
                       links=((2, self.comments_url(post.record.external_id)),), expected=post.comment_count)


class Substack(NoRevisitSignals):
    """One Substack publication (its own domain or <name>.substack.com)."""

    name = "substack"

    def __init__(self, base: str) -> None:
        self.base = base if base.endswith("/") else base + "/"
        self.api = SubstackRoute(self.base)
        self.routes: dict[str, Route] = {_ROUTE: self.api}
        self.post_pages: Route = self.api

    def discovery(self) -> Sequence[ListingRequest]:
        return [self.api.archive_request(0)]





