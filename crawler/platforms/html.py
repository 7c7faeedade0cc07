"""The generic `html` platform: any engine, read from its post pages.

Discovery tries the usual feeds and sitemaps at the source URL (`feed/`, `rss.xml`,
`atom.xml`, `index.xml`, `sitemap.xml`) and the page itself with its pager. A post page
is read with the source's `selectors` when it has them (the `next_page` link gives the
thread's further pages), else with the shared comment reader and `?page=N` pagers. The
post's external id is the page's canonical URL (rel=canonical, og:url, else the URL
without fragment and pager query): such pages rarely show an id of their own.
"""

from __future__ import annotations

from crawler.parsers.engine_page import DRUPAL_PAGER, PageMarkup
from crawler.parsers.engine_post import GENERIC
from crawler.platforms.page_route import PageSite

__all__ = ["GenericHtml"]

_PATHS = ("", "feed", "feed/", "rss.xml", "atom.xml", "index.xml", "sitemap.xml")
MARKUP = PageMarkup(post=GENERIC, pager=DRUPAL_PAGER)


class GenericHtml(PageSite):
    """A site of any engine, read from its pages."""

    name = "html"
    markup = MARKUP
    paths = _PATHS
