"""The `wordpress` platform: the REST API when the site serves it, else its HTML pages.

Discovery starts on the REST API's pretty form (/wp-json/...), falls back to its plain
form (?rest_route=...) and then to HTML discovery (`use_rest = false` starts there).
Revisit signals: the REST API's list of newest comments, or, on the HTML route, each
post's own comment feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from crawler.page import Page
from crawler.parsers import wordpress_activity
from crawler.parsers.source_selectors import SourceSelectors
from crawler.platforms.base import Activity, ListingRequest, Route
from crawler.platforms.wordpress_html import HtmlRoute, discovery_urls
from crawler.platforms.wordpress_rest import PER_PAGE, RestRoute, rest_url

__all__ = ["WordPress"]


class WordPress:
    """One WordPress blog: its REST and HTML routes."""

    name = "wordpress"

    def __init__(self, base: str, *, use_rest: bool = True, since: date | None = None,
                 tags: Sequence[str] = (), selectors: SourceSelectors | None = None) -> None:
        self.base = base
        self.use_rest = use_rest
        self.tags = tuple(tags)
        self.html = HtmlRoute(selectors)
        self.rest = {form: RestRoute(base, form, since) for form in ("pretty", "plain")}
        self.routes: dict[str, Route] = {"html": self.html, **self.rest}
        self.post_pages: Route = self.html

    def discovery(self) -> Sequence[ListingRequest]:
        if self.use_rest:
            return [self.rest["pretty"].posts_request(1)]
        return self._html_discovery()

    def _html_discovery(self) -> list[ListingRequest]:
        return [ListingRequest(url=u, route="html", guess=True) for u in discovery_urls(self.base, self.tags)]

    def fallback(self, failed: ListingRequest) -> Sequence[ListingRequest]:
        if failed.route == "pretty":
            return [self.rest["plain"].posts_request(1)]
        if failed.route == "plain":
            return self._html_discovery()
        return []

    def activity_url(self, page_no: int, after: datetime | None) -> str | None:
        if not self.use_rest:
            return None  # a site that blocks the API: each post's comment feed instead
        query: dict[str, Any] = {"per_page": PER_PAGE, "page": page_no, "orderby": "date",
                                 "order": "desc", "_fields": "post,date_gmt"}
        if after is not None:
            query["after"] = after.strftime("%Y-%m-%dT%H:%M:%S")
        return rest_url(self.base, "pretty", "comments", **query)

    def read_activity(self, page: Page) -> Activity:
        if page.status != 200:
            raise ValueError(f"HTTP {page.status}")
        found = wordpress_activity.parse_rest_activity(page)
        return Activity(comments=found.comments, total_pages=found.total_pages)

    def comment_feed_url(self, post_url: str) -> str | None:
        if self.use_rest:
            return None  # the REST route has its list of recent comments
        if "?" in post_url:
            return f"{post_url}&feed=rss2"
        return post_url if post_url.endswith("/feed/") else post_url.rstrip("/") + "/feed/"

    def newest_in_feed(self, page: Page) -> datetime | None:
        return wordpress_activity.newest_feed_comment(page)
