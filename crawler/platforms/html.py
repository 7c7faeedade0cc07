"""The generic `html` platform: any engine, read from its post pages.

Discovery tries the usual feeds and sitemaps at the source URL (`feed/`, `rss.xml`,
`atom.xml`, `index.xml`, `sitemap.xml`) and the page itself with its pager. A post page
is read with the source's `selectors` when it has them (the `next_page` link gives the
thread's further pages), else with the shared comment reader and `?page=N` pagers. The
post's external id is the page's canonical URL (rel=canonical, og:url, else the URL
without fragment and pager query): such pages rarely show an id of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from crawler.page import Page
from crawler.parsers.engine_page import DRUPAL_PAGER, PageMarkup
from crawler.parsers.engine_post import GENERIC
from crawler.parsers.source_selectors import SourceSelectors
from crawler.platforms.base import Activity, ListingRequest, Route
from crawler.platforms.page_route import PageRoute, guessed_listings

__all__ = ["GenericHtml"]

_PATHS = ("", "feed", "feed/", "rss.xml", "atom.xml", "index.xml", "sitemap.xml")
MARKUP = PageMarkup(post=GENERIC, pager=DRUPAL_PAGER)


class GenericHtml:
    """A site of any engine, read from its pages."""

    name = "html"

    def __init__(self, base: str, *, selectors: SourceSelectors | None = None) -> None:
        self.base = base
        self.pages = PageRoute(MARKUP, selectors)
        self.routes: dict[str, Route] = {"html": self.pages}
        self.post_pages: Route = self.pages

    def discovery(self) -> Sequence[ListingRequest]:
        return guessed_listings(self.base, _PATHS, "html")

    def fallback(self, failed: ListingRequest) -> Sequence[ListingRequest]:
        return []

    def activity_url(self, page_no: int, after: datetime | None) -> str | None:
        return None

    def read_activity(self, page: Page) -> Activity:
        raise ValueError("no list of recent comments on a generic site")

    def comment_feed_url(self, post_url: str) -> str | None:
        return None

    def newest_in_feed(self, page: Page) -> datetime | None:
        return None
