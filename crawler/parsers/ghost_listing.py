"""Ghost's lists of posts: its sitemaps (/sitemap.xml, /sitemap-posts.xml) and its feed (/rss/).

    parse_listing(page) -> Listing

The sitemap index names one sitemap per kind (pages, posts, authors, tags); only the
posts' are followed. A post sitemap's `<url><loc>` is a post (the `<image:loc>` beside it
is its feature image, not a post). The RSS feed lists the newest posts, `/rss/2/` the
next ones. Only URLs on the page's own site are kept. Pure.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.page import Page
from crawler.parsers.wordpress_common import same_site
from crawler.parsers.wordpress_listing import Listing

__all__ = ["parse_listing"]

_POSTS_SITEMAP = re.compile(r"/sitemap-posts(?:-\d+)?\.xml$")
_RSS_PAGE = re.compile(r"/rss/(?:(\d+)/)?$")
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=True)
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
    try:
        root = etree.fromstring(page.body, parser=_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"{page.url}: not a sitemap or feed ({exc})") from None
    if root is None:
        raise ValueError(f"{page.url}: not a sitemap or feed (empty)")
    kind = etree.QName(root).localname
    if kind == "sitemapindex":
        locs = [loc.text or "" for loc in root.iter(f"{_SITEMAP}loc")]
        return Listing(post_urls=(), next_urls=_kept([u for u in locs if _POSTS_SITEMAP.search(u.strip())], page))
    if kind == "urlset":
        locs = [loc.text or "" for loc in root.iterfind(f"{_SITEMAP}url/{_SITEMAP}loc")]
        return Listing(post_urls=_kept(locs, page), next_urls=())
    if kind == "rss":
        links = [item.findtext("link") or "" for item in root.iter("item")]
        posts = _kept(links, page)
        m = _RSS_PAGE.search(urlsplit(page.url).path)
        more: tuple[str, ...] = ()
        if posts and m:  # relative: a site may live under a path (example.org/blog/rss/)
            n = int(m.group(1) or 1)
            more = (urljoin(page.url, f"../{n + 1}/" if m.group(1) else f"{n + 1}/"),)
        return Listing(post_urls=posts, next_urls=more)
    raise ValueError(f"{page.url}: not a sitemap or feed (<{kind}>)")
