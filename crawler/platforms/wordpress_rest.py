"""The WordPress REST route: /wp/v2/posts lists the posts, /wp/v2/comments holds each thread.

Pretty permalinks give /wp-json/wp/v2/...; without them the same API answers at
?rest_route=/wp/v2/... ("plain"): one route object each. Every page of both listings is
fetched; a thread's comment pages are independent (numbered, X-WP-TotalPages), so they
are fetched at once. Parsing is `crawler.parsers.wordpress_rest`.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawler.page import Page
from crawler.parsers import wordpress_rest
from crawler.platforms.base import Glimpse, Listing, ListingRequest, ThreadPage
from storage.records import PostRecord

__all__ = ["PER_PAGE", "RestRoute", "rest_url"]

PER_PAGE = 100


def rest_url(base: str, route: str, endpoint: str, **query: Any) -> str:
    """The URL of a /wp/v2 endpoint on the "pretty" or "plain" (?rest_route=) route."""
    params = urlencode(query, safe=",:")
    if route == "pretty":
        return f"{base}wp-json/wp/v2/{endpoint}?{params}"
    return f"{base}?rest_route=/wp/v2/{endpoint}&{params}"


def _page_no(url: str) -> int:
    value = dict(parse_qsl(urlsplit(url).query)).get("page", "1")
    return int(value) if value.isdigit() else 1


def _header_int(page: Page, name: str) -> int | None:
    value = page.headers.get(name, "").strip()
    return int(value) if value.isdigit() else None


class RestRoute:
    """Posts and comment threads through the REST API, on one of its two URL forms."""

    parallel = True
    conditional = False  # the API sends no validators worth asking with
    exact_count = True  # X-WP-Total counts exactly what the paged query returns
    vouching = False  # every page is fetched: no page stands for the others

    def __init__(self, base: str, form: str, since: date | None) -> None:
        self.name = form  # "pretty" or "plain"
        self.base = base
        self.since = since

    def posts_request(self, page_no: int) -> ListingRequest:
        query: dict[str, Any] = {"_embed": "author,wp:term", "per_page": PER_PAGE, "page": page_no}
        if self.since:
            # `after` is read in the site's time zone; a day of slack, and the spider
            # applies the exact UTC date, so both routes keep the same posts.
            query["after"] = f"{(self.since - timedelta(days=1)).isoformat()}T00:00:00"
        return ListingRequest(url=rest_url(self.base, self.name, "posts", **query),
                              route=self.name, page_no=page_no, probe=page_no == 1)

    def read_listing(self, request: ListingRequest, page: Page) -> Listing:
        if page.status != 200:
            raise ValueError(f"HTTP {page.status}")
        result = wordpress_rest.parse_rest_posts(page)
        more: tuple[ListingRequest, ...] = ()
        if request.page_no == 1:
            more = tuple(self.posts_request(n) for n in range(2, (result.total_pages or 1) + 1))
        return Listing(posts=result.posts, more=more, total=result.total)

    def thread_urls(self, post: PostRecord) -> tuple[str, ...]:
        return (self._comments_url(post.external_id, 1),)

    def _comments_url(self, post_id: str, page_no: int) -> str:
        return rest_url(
            self.base, self.name, "comments", post=post_id, per_page=PER_PAGE, page=page_no,
            orderby="id", order="asc",  # id order: new comments land on the last page
        )

    def _links(self, url: str, total_pages: int | None) -> tuple[tuple[int, str], ...]:
        if _page_no(url) != 1:
            return ()
        post_id = dict(parse_qsl(urlsplit(url).query)).get("post", "")
        return tuple((n, self._comments_url(post_id, n)) for n in range(2, (total_pages or 1) + 1))

    def unreadable(self, page: Page) -> str | None:
        return None  # a body that is not the API's JSON fails to read, naming the URL

    def read(self, page: Page) -> ThreadPage:
        if page.status != 200:
            raise ValueError(f"HTTP {page.status}")
        result = wordpress_rest.parse_rest_comments(page)
        return ThreadPage(
            number=_page_no(page.url),
            comments=result.comments,
            fingerprint=_payload_fingerprint(page),
            links=self._links(page.url, result.total_pages),
            expected=result.total,
        )

    def read_post_only(self, page: Page) -> ThreadPage | None:
        return None

    def glimpse(self, page: Page) -> Glimpse:
        # The page count and the total are in the headers: nothing to parse.
        return Glimpse(
            fingerprint=_payload_fingerprint(page),
            links=self._links(page.url, _header_int(page, "x-wp-totalpages")),
            expected=_header_int(page, "x-wp-total"),
        )


def _payload_fingerprint(page: Page) -> str:
    """A REST page is hashed as received: its JSON is the site's, byte for byte."""
    return hashlib.sha256(page.body).hexdigest()
