"""Where a non-WordPress site lists its posts: RSS/Atom feeds, sitemaps, home and archive pages.

    parse_engine_listing(page) -> Listing   (post URLs, further listing pages)

Engine-neutral: a feed's item links, a sitemap's locs (a sitemap index's sub-sitemaps
followed), an HTML page's post title links (Drupal `h2.node__title`, Blogger
`h3.post-title`, `rel=bookmark`, any article's heading link) and its pager's "next"
and "older posts" links. Only links on the page's own site, never feeds, term or user
pages. Pure.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import etree

from crawler.page import Page
from crawler.parsers.htmltext import detect_encoding, parse_document
from crawler.parsers.wordpress_common import same_site
from crawler.parsers.wordpress_listing import Listing

__all__ = ["parse_engine_listing"]

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=True)
# Never posts: feeds, term, label and user pages, comment permalinks, search, admin.
_NOT_A_POST = re.compile(
    r"/(?:feeds?|taxonomy|user|users|comment|search|tags?|category|categories|label|admin|login)(?:/|$)"
    r"|\.(?:xml|rss|atom|css|js|png|jpe?g|gif|svg|pdf)(?:$|\?)|[?&](?:showComment|page)=|#"
)
_POST_LINKS = etree.XPath(
    "//*[self::h1 or self::h2 or self::h3][contains(@class, 'title')]//a[@href]/@href"
    " | //a[@rel='bookmark']/@href | //article//*[self::h2 or self::h3]//a[@href]/@href"
)
_NEXT_LINKS = etree.XPath(
    "/html/head/link[@rel='next']/@href | //a[@rel='next']/@href"
    " | //li[contains(@class, 'pager__item--next') or contains(@class, 'pager-next')]//a/@href"
    " | //a[contains(@class, 'blog-pager-older-link')]/@href"
)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_engine_listing(page: Page) -> Listing:
    """Post URLs and further listing pages of a feed, sitemap or HTML page."""
    if page.status != 200:
        raise ValueError(f"HTTP {page.status}")
    head = page.body[:512].lstrip().lower()
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<urlset", b"<sitemapindex")):
        posts, nexts = _xml(page)
    else:
        doc = parse_document(page.body, detect_encoding(page.body, page.encoding, page.headers.get("content-type")))
        posts = [urljoin(page.url, str(h)) for h in _POST_LINKS(doc)]
        nexts = [urljoin(page.url, str(h)) for h in _NEXT_LINKS(doc)]
        posts = [u for u in posts if not _NOT_A_POST.search(u)]
    return Listing(post_urls=_dedupe(posts, page.url), next_urls=_dedupe(nexts, page.url))


def _xml(page: Page) -> tuple[list[str], list[str]]:
    try:
        root = etree.fromstring(page.body, parser=_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"{page.url}: not an XML feed or sitemap ({exc})") from None
    if root is None:
        raise ValueError(f"{page.url}: empty XML document")
    kind = _local(root.tag)
    posts: list[str] = []
    nexts: list[str] = []
    if kind == "sitemapindex":
        nexts = [(loc.text or "").strip() for loc in root.iter("{*}loc")]
    elif kind == "urlset":
        posts = [(loc.text or "").strip() for loc in root.iter("{*}loc")]
    elif kind == "rss":
        posts = [(item.findtext("link") or "").strip() for item in root.iter("item")]
    elif kind == "feed":  # Atom: each entry's alternate link; rel=next pages on
        for entry in root.iter("{*}entry"):
            posts += [link.get("href") or "" for link in entry.iter("{*}link")
                      if link.get("rel", "alternate") == "alternate"][:1]
        nexts = [link.get("href") or "" for link in root.iterchildren("{*}link") if link.get("rel") == "next"]
    else:
        raise ValueError(f"{page.url}: unknown XML document <{kind}>")
    posts = [urljoin(page.url, u) for u in posts if u and not _NOT_A_POST.search(urljoin(page.url, u))]
    return posts, [urljoin(page.url, u) for u in nexts if u]


def _dedupe(urls: list[str], base: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for url in urls:
        url = url.split("#", 1)[0]
        if url and same_site(url, base) and url != base:
            seen.setdefault(url, None)
    return tuple(seen)
