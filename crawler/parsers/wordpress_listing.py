"""WordPress discovery pages: HTML archives, RSS/Atom feeds and wp-sitemap.xml, as post URLs.

Pure: `(Page) -> Listing`. Only links to posts on the page's own site are returned, never
pages, attachments or term archives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.page import Page
from crawler.parsers import wordpress_selectors as sel
from crawler.parsers.htmltext import detect_encoding, parse_document
from crawler.parsers.wordpress_common import same_site
from crawler.parsers.xml_listing import listing_root

__all__ = ["Listing", "parse_listing"]

# Sub-sitemaps worth following from wp-sitemap.xml: posts only, not pages, terms or users.
_POST_SITEMAP = re.compile(r"/wp-sitemap-posts-post-\d+\.xml$")
# Links that are never posts: term and author archives, feeds, attachments, admin.
_NOT_A_POST = re.compile(
    r"/(?:tag|category|author|feed|wp-admin|wp-content|wp-json|comments)/|[?&](?:cat|tag|author|"
    r"attachment_id|page_id|feed|s)=|/comment-page-\d+|#"
)


@dataclass(frozen=True, kw_only=True)
class Listing:
    """What a discovery page points to."""

    post_urls: tuple[str, ...]  # posts on this site, in page order, deduplicated
    next_urls: tuple[str, ...]  # further listing pages: pagination, sub-sitemaps, older feed pages


def parse_listing(page: Page) -> Listing:
    """Post URLs and further listing URLs from an archive page, a feed or a sitemap."""
    head = page.body[:512].lstrip().lower()
    ctype = page.headers.get("content-type", "").lower()
    if (
        head.startswith((b"<?xml", b"<rss", b"<feed", b"<urlset", b"<sitemapindex"))
        or "xml" in ctype
    ):
        return _parse_xml(page)
    return _parse_html(page)


def _dedupe(urls: list[str], base: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for url in urls:
        if same_site(url, base) and url != base:
            seen.setdefault(url, None)
    return tuple(seen)


def _parse_html(page: Page) -> Listing:
    doc = parse_document(
        page.body, detect_encoding(page.body, page.encoding, page.headers.get("content-type"))
    )
    posts: list[str] = []
    for entry in sel.LISTING_ENTRIES(doc):
        hrefs = sel.ENTRY_TITLE_LINK(entry) or sel.BOOKMARK_LINK(entry)
        if hrefs:
            url = urljoin(page.url, str(hrefs[0])).split("#", 1)[0]
            if not _NOT_A_POST.search(url):
                posts.append(url)
    pages = [urljoin(page.url, str(h)).split("#", 1)[0] for h in sel.ARCHIVE_PAGINATION(doc)]
    pages += [urljoin(page.url, str(h)) for h in sel.HEAD_NEXT(doc)]
    # Archive pagination only: a comment page or a post link is not a listing page.
    nexts = [u for u in pages if not sel.COMMENT_PAGE_IN_URL.search(u) and u not in posts]
    return Listing(post_urls=_dedupe(posts, page.url), next_urls=_dedupe(nexts, page.url))



def _parse_xml(page: Page) -> Listing:
    root, kind = listing_root(page)
    posts: list[str] = []
    nexts: list[str] = []
    if kind == "sitemapindex":
        for loc in root.iter("{*}loc"):
            url = (loc.text or "").strip()
            if _is_post_sitemap(url):
                nexts.append(url)
    elif kind == "urlset":
        for loc in root.iter("{*}loc"):
            posts.append((loc.text or "").strip())
    elif kind == "rss":
        items = list(root.iter("item"))
        for item in items:
            link = item.findtext("link")
            if link:
                posts.append(link.strip())
    elif kind == "feed":  # Atom
        entries = list(root.iter("{*}entry"))
        for entry in entries:
            for link in entry.iter("{*}link"):
                if link.get("rel", "alternate") == "alternate" and link.get("href"):
                    posts.append(link.get("href", "").strip())
                    break

    else:
        raise ValueError(f"{page.url}: unknown XML document <{kind}>")
    posts = [urljoin(page.url, u) for u in posts if u and not _NOT_A_POST.search(u)]
    if kind in ("rss", "feed") and posts:
        # Older posts: only a feed of posts has them (a comments feed lists comments).
        nexts.append(_next_feed_page(page.url))
    return Listing(post_urls=_dedupe(posts, page.url), next_urls=_dedupe(nexts, page.url))


def _is_post_sitemap(url: str) -> bool:
    """wp-sitemap-posts-post-N.xml, or its plain-permalink form ?sitemap=posts&sitemap-subtype=post."""
    if _POST_SITEMAP.search(urlsplit(url).path):
        return True
    query = dict(parse_qsl(urlsplit(url).query))
    return query.get("sitemap") == "posts" and query.get("sitemap-subtype") == "post"


def _next_feed_page(url: str) -> str:
    """The next older page of a feed: WordPress serves `?paged=N` on feeds but links none;
    an empty or 404 page ends the walk."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    try:
        current = int(query.get("paged", "1"))
    except ValueError:
        current = 1
    query["paged"] = str(current + 1)
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))
