"""The `drupal` platform (Drupal 6-10): nodes and their comments, from the site's own pages.

Discovery reads `/rss.xml` (the front page feed), `/sitemap.xml` (xmlsitemap,
simple_sitemap), `/node` and the home page with their pagers. A thread is the node's
page, then each comment page its pager names (`?page=N`, counted from 0, followed
one after another to the last). Comments are read by the shared comment reader, which
knows Drupal's markup: `a#comment-N` anchors before each `div.comment` (6-7),
`article#comment-N` (8-10), replies in the `div.indented` after their parent. The
node id (`node-N`, `data-history-node-id`, the shortlink `/node/N`) is the post's
external id. No revisit signal: every due node is fetched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from lxml import etree

from crawler.page import Page
from crawler.parsers.engine_page import DRUPAL_PAGER, PageMarkup
from crawler.parsers.engine_post import PostMarkup
from crawler.parsers.htmltext import Element
from crawler.parsers.source_selectors import SourceSelectors
from crawler.platforms.base import Activity, ListingRequest, Route
from crawler.platforms.page_route import PageRoute, guessed_listings

__all__ = ["MARKUP", "Drupal", "node_id"]

_NODE_IDS = etree.XPath(
    "//*[@data-history-node-id]/@data-history-node-id"
    " | //*[starts-with(@id, 'node-')]/@id"
    " | /html/head/link[@rel='shortlink']/@href | /html/head/link[@rel='canonical']/@href"
    " | /html/body/@class"
)
_NODE_ID = re.compile(r"^(\d+)$|^node-(\d+)$|/node/(\d+)/?$|(?:^|\s)page-node-(\d+)(?:\s|$)")


def node_id(doc: Element, url: str) -> str | None:
    """The node id the page shows, in the order above; else `/node/N` in the URL."""
    for value in [*(str(v).strip() for v in _NODE_IDS(doc)), url.split("?", 1)[0]]:
        m = _NODE_ID.search(value)
        if m:
            return next(g for g in m.groups() if g)
    return None


def _xp(expr: str) -> etree.XPath:
    return etree.XPath(expr)


MARKUP = PageMarkup(
    post=PostMarkup(
        name="drupal", post_id=node_id,
        title=(_xp("//h1[contains(@class, 'page-title') or @id='page-title']"),
               _xp("//*[contains(@class, 'node')]//h1 | //*[contains(@class, 'node')]//h2[contains(@class, 'title')]"),
               _xp("//div[starts-with(@id, 'node-')]//h2")),  # Drupal 6: the node's own h2
        body=(_xp("//*[contains(@class, 'field--name-body') or contains(@class, 'field-name-body')]"),
              _xp("//div[contains(@class, 'node__content') or contains(@class, 'node-content')]"),
              _xp("//div[starts-with(@id, 'node-')]/div[contains(@class, 'content')]")),  # Drupal 6
        author=(_xp("//*[contains(@class, 'node__meta') or contains(@class, 'submitted')]"
                    "//*[contains(@class, 'username') or contains(@class, 'field--name-uid')]"),),
        published=(_xp("//*[contains(@class, 'node__meta') or contains(@class, 'submitted')]"
                       "//*[@content or @datetime]"),),
        tags=(_xp("//*[contains(@class, 'field--name-field-tags') or contains(@class, 'field-name-field-tags')]//a"),),
    ),
    pager=DRUPAL_PAGER,
)
_PATHS = ("rss.xml", "sitemap.xml", "node", "")


class Drupal:
    """One Drupal site: its node pages."""

    name = "drupal"

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
        raise ValueError("Drupal has no list of recent comments")

    def comment_feed_url(self, post_url: str) -> str | None:
        return None

    def newest_in_feed(self, page: Page) -> datetime | None:
        return None
