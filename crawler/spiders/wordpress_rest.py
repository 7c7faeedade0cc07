"""The REST route of the `wordpress` spider: /wp/v2/posts, then /wp/v2/comments per post.

Pretty permalinks give /wp-json/wp/v2/...; without them the same API answers at
?rest_route=/wp/v2/... ("plain"). Every page of both listings is fetched; when neither
form answers, discovery falls back to the HTML route (`wordpress_html`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.page import Page
from crawler.spiders.wordpress_crawl import LISTING, THREAD, WordPressCrawl, reason
from crawler.thread_fetch import ThreadInProgress

__all__ = ["REST_PER_PAGE", "RestRoute", "rest_url"]

logger = logging.getLogger(__name__)

REST_PER_PAGE = 100


def rest_url(base: str, route: str, endpoint: str, **query: Any) -> str:
    """The URL of a /wp/v2 endpoint on the "pretty" or "plain" (?rest_route=) route."""
    params = urlencode(query, safe=",:")
    if route == "pretty":
        return f"{base}wp-json/wp/v2/{endpoint}?{params}"
    return f"{base}?rest_route=/wp/v2/{endpoint}&{params}"


class RestRoute(WordPressCrawl):
    """Posts and their comment threads through the WordPress REST API."""

    def _rest_posts_request(self, route: str, page_no: int) -> Request:
        query: dict[str, Any] = {"_embed": "author,wp:term", "per_page": REST_PER_PAGE, "page": page_no}
        if self.source.since:
            # `after` is read in the site's time zone; a day of slack, and `_wanted` applies
            # the exact UTC date, so both routes keep the same posts.
            query["after"] = f"{(self.source.since - timedelta(days=1)).isoformat()}T00:00:00"
        return Request(
            rest_url(self.base, route, "posts", **query),
            callback=self.parse_rest_posts,
            errback=self.rest_posts_failed,
            cb_kwargs={"route": route, "page_no": page_no},
            priority=LISTING,
        )

    def parse_rest_posts(self, response: Response, route: str, page_no: int) -> Iterator[Any]:
        page = self._page(response, clean=False)
        try:
            if response.status != 200:
                raise ValueError(f"HTTP {response.status}")
            result = self.parser.parse_rest_posts(page)
        except ValueError as exc:
            yield from self._rest_unavailable(response.url, route, page_no, str(exc))
            return
        if page_no == 1:
            self._stats().set_value("palimpsest/rest", route)
            logger.info("%s: REST API (%s) lists %s posts", self.source.key, route, result.total)
            for n in range(2, (result.total_pages or 1) + 1):
                yield self._rest_posts_request(route, n)
        for post in result.posts:
            if self._wanted(post):
                thread = ThreadInProgress(post=post, url=post.url, route=route,
                                          defer=self.known.may_skip(post.external_id))
                yield self._rest_comments_request(thread, 1)

    def rest_posts_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        self._send_failure(request, failure)
        kw = request.cb_kwargs
        yield from self._rest_unavailable(request.url, kw["route"], kw["page_no"], reason(failure))

    def _rest_unavailable(self, url: str, route: str, page_no: int, why: str) -> Iterator[Request]:
        if page_no > 1:  # the API works but lost a page: posts on it are missed
            self._fault("rest_posts", url, why)
        elif route == "pretty":
            logger.info("%s: no REST API at %s (%s); trying ?rest_route=", self.source.key, url, why)
            yield self._rest_posts_request("plain", 1)
        else:
            logger.info("%s: REST API unavailable (%s); discovering posts from HTML", self.source.key, why)
            self._stats().set_value("palimpsest/rest", "unavailable")
            yield from self._html_discovery()

    # -- comments of one post ------------------------------------------------------------

    def _rest_comments_request(self, thread: ThreadInProgress, page_no: int) -> Request:
        url = rest_url(
            self.base, thread.route, "comments", post=thread.post.external_id,
            per_page=REST_PER_PAGE, page=page_no,
            orderby="id", order="asc",  # id order: new comments land on the last page
        )
        thread.waiting.add(page_no)
        return Request(
            url, callback=self.parse_rest_comments, errback=self.rest_comments_failed,
            cb_kwargs={"thread": thread, "page_no": page_no}, priority=THREAD, dont_filter=True,
        )

    def parse_rest_comments(self, response: Response, thread: ThreadInProgress, page_no: int) -> Iterator[Any]:
        thread.waiting.discard(page_no)
        if thread.defer and response.status == 200:
            # Hash now, parse only if the thread's payloads differ from the last complete
            # crawl's; the page count is in the headers (X-WP-Total, X-WP-TotalPages).
            page = self._page(response, clean=False)
            thread.rest_deferred[page_no] = page
            thread.fingerprints.append(_payload_fingerprint(page))
            if page_no == 1:
                thread.expected = _header_int(page, "x-wp-total")
                for n in range(2, (_header_int(page, "x-wp-totalpages") or 1) + 1):
                    yield self._rest_comments_request(thread, n)
        else:
            read = self._read_rest_comments(thread, page_no, self._page(response, clean=False))
            if page_no == 1 and read:
                for n in range(2, thread.rest_pages + 1):
                    yield self._rest_comments_request(thread, n)
        if not thread.waiting:
            if thread.rest_deferred and thread.changed(self.known):
                deferred, thread.rest_deferred = thread.rest_deferred, {}
                for n, page in sorted(deferred.items()):
                    thread.fingerprints.remove(_payload_fingerprint(page))
                    self._read_rest_comments(thread, n, page)
            yield self._finish(thread)

    def _read_rest_comments(self, thread: ThreadInProgress, page_no: int, page: Page) -> bool:
        """Parse one REST comments page into the thread; False (noted) when unusable."""
        try:
            if page.status != 200:
                raise ValueError(f"HTTP {page.status}")
            result = self.parser.parse_rest_comments(page)
        except ValueError as exc:
            self._page_problem(thread, page.url, str(exc))
            return False
        thread.pages[page_no] = result.comments
        thread.fingerprints.append(_payload_fingerprint(page))
        if page_no == 1:
            # All further pages at once: REST pages are independent of each other.
            thread.expected = result.total
            thread.rest_pages = result.total_pages or 1
        return True

    def rest_comments_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        thread: ThreadInProgress = request.cb_kwargs["thread"]
        self._send_failure(request, failure)
        self._page_problem(thread, request.url, reason(failure))
        thread.waiting.discard(request.cb_kwargs["page_no"])
        if not thread.waiting:
            yield self._finish(thread)


def _payload_fingerprint(page: Page) -> str:
    """A REST page is hashed as received: its JSON is the site's, byte for byte."""
    return hashlib.sha256(page.body).hexdigest()


def _header_int(page: Page, name: str) -> int | None:
    value = page.headers.get(name, "").strip()
    return int(value) if value.isdigit() else None
