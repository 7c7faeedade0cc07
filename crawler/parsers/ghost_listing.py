"""Ghost's lists of posts: its sitemaps (/sitemap.xml, /sitemap-posts.xml) and its feed (/rss/).

    parse_listing(page) -> Listing
    feed_ids(page) -> FeedIds               (/rss/: each item's link and guid, the post id)

The sitemap index names one sitemap per kind (pages, posts, authors, tags); only the
posts' are followed. A post sitemap's `<url><loc>` is a post (the `<image:loc>` beside it
is its feature image, not a post). The RSS feed lists the newest posts, `/rss/2/` the
next ones. Only URLs on the page's own site are kept. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.page import Page
from crawler.parsers.wordpress_common import same_site
from crawler.parsers.wordpress_listing import Listing
from crawler.parsers.xml_listing import listing_root

__all__ = ["FeedIds", "feed_ids", "parse_listing"]

_POSTS_SITEMAP = re.compile(r"/sitemap-posts(?:-\d+)?\.xml$")
_RSS_PAGE = re.compile(r"/rss/(?:(\d+)/)?$")
_SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _kept(urls: list[str], page: Page) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for url in urls:
        absolute = urljoin(page.url, url.strip())
        if url.strip() and same_site(absolute, page.url):
            seen.setdefault(absolute, None)
    return tuple(seen)


def parse_listing(page: Page) -> Listing:
    """Post URLs and further listings. ValueError for a body that is neither."""
    if page.status != 200:
        raise ValueError(f"HTTP {page.status}")
    root, kind = listing_root(page)
    if kind == "sitemapindex":
        locs = [loc.text or "" for loc in root.iter(f"{_SITEMAP}loc")]
        return Listing(post_urls=(), next_urls=_kept([u for u in locs if _POSTS_SITEMAP.search(u.strip())], page))
    if kind == "urlset":
        locs = [loc.text or "" for loc in root.iterfind(f"{_SITEMAP}url/{_SITEMAP}loc")]
        return Listing(post_urls=_kept(locs, page), next_urls=())
    if kind == "rss":
        return _rss_listing(root, page)
    raise ValueError(f"{page.url}: not a sitemap or feed (<{kind}>)")


def _rss_listing(root: etree._Element, page: Page) -> Listing:
    """An RSS page's posts, and its next page (/rss/2/, ...) when it has posts."""
    posts = _kept([item.findtext("link") or "" for item in root.iter("item")], page)
    m = _RSS_PAGE.search(urlsplit(page.url).path)
    more: tuple[str, ...] = ()
    if posts and m:  # relative: a site may live under a path (example.org/blog/rss/)
        n = int(m.group(1) or 1)
        more = (urljoin(page.url, f"../{n + 1}/" if m.group(1) else f"{n + 1}/"),)
    return Listing(post_urls=posts, next_urls=more)


@dataclass(frozen=True, kw_only=True)
class FeedIds:
    """One feed page's posts by URL, as Ghost ids (an item's `guid`), and the next page."""

    ids: dict[str, str]
    next_url: str | None


def feed_ids(page: Page) -> FeedIds:
    """The post ids an RSS page names. ValueError for a body that is no feed."""
    if page.status != 200:
        raise ValueError(f"HTTP {page.status}")
    root, kind = listing_root(page)
    if kind != "rss":
        raise ValueError(f"{page.url}: not an RSS feed (<{kind}>)")
    ids = {urljoin(page.url, (item.findtext("link") or "").strip()): (item.findtext("guid") or "").strip()
           for item in root.iter("item")}
    ids = {url: guid for url, guid in ids.items() if guid and same_site(url, page.url)}
    more = _rss_listing(root, page).next_urls
    return FeedIds(ids=ids, next_url=more[0] if more else None)
