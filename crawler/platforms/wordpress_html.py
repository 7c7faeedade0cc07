"""The WordPress HTML route: threads read from the blog's own post and comment pages.

Discovery lists post URLs (feeds, wp-sitemap.xml, the home page and its pagination, the
topic's tag and category archives); a thread is its post page, then every comment page
the post page names (`comment-page-N` or `?cpage=N`), fetched one at a time, and, where
wpDiscuz shows a "load more" button, each of its load-more answers (POSTs to
admin-ajax.php, `crawler.parsers.wpdiscuz`). Parsing is `crawler.parsers.wordpress_html`
and `wordpress_listing`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

from crawler.page import Page, form_post_body
from crawler.parsers import amp, wordpress_html, wordpress_listing, wpdiscuz
from crawler.parsers.source_selectors import SourceSelectors
from crawler.platforms.base import Glimpse, Listing, ListingRequest, ThreadPage
from storage.records import PostRecord

__all__ = ["HtmlRoute", "discovery_urls"]

ROUTE = "html"


def discovery_urls(base: str, tags: Sequence[str]) -> list[str]:
    """Where a WordPress blog lists its posts, plain and pretty permalinks alike."""
    urls = [base, f"{base}feed/", f"{base}?feed=rss2", f"{base}wp-sitemap.xml", f"{base}?sitemap=index"]
    for tag in tags:
        slug = "-".join(tag.lower().split())
        urls += [f"{base}tag/{slug}/", f"{base}category/{slug}/", f"{base}?tag={slug}",
                 f"{base}?category_name={slug}"]
    return urls


def _content_type(page: Page) -> str:
    return page.headers.get("content-type", "")


class HtmlRoute:
    """WordPress post pages and their comment pages (read with the source's CSS
    `selectors` when it has them)."""

    name = ROUTE
    parallel = False  # each comment page names the others; one at a time per thread
    conditional = True
    exact_count = False  # the displayed count includes held and filtered comments
    vouching = False  # every page is fetched: no page stands for the others

    def __init__(self, selectors: SourceSelectors | None = None) -> None:
        self.selectors = selectors
        # The first post page read says what the site is (ThreadPage.site), for the
        # crawl's summary; later pages skip the byte scans that costs.
        self.described = False

    def read_listing(self, request: ListingRequest, page: Page) -> Listing:
        if page.status != 200:
            raise ValueError(f"HTTP {page.status}")
        listing = wordpress_listing.parse_listing(page)
        return Listing(
            post_urls=listing.post_urls,
            more=tuple(ListingRequest(url=u, route=ROUTE, guess=True) for u in listing.next_urls),
        )

    def thread_urls(self, post: PostRecord) -> tuple[str, ...]:
        return (post.url,)

    def unreadable(self, page: Page) -> str | None:
        ctype = _content_type(page).lower()
        if form_post_body(page.url) is not None:  # a load-more answer: JSON
            return None if "json" in ctype or page.body.lstrip()[:1] == b"{" else f"not JSON: {_content_type(page)!r}"
        if ctype:
            return None if "html" in ctype else f"not HTML: {_content_type(page)!r}"
        return None if page.body.lstrip()[:1] == b"<" else "not HTML: ''"

    def read(self, page: Page) -> ThreadPage:
        if wpdiscuz.is_load_more(page.url):
            return _load_more_page(wpdiscuz.read_load_more(page))
        parsed = wordpress_html.parse_post_page(page, self.selectors, describe=not self.described)
        self.described = self.described or parsed.site is not None
        read = _thread_page(self._fingerprinted(parsed, page), more=wpdiscuz.first_load_more(page, parsed.post.external_id))
        return _amp_redirect(page, read) if amp.is_amp(page.body) else read

    def read_post_only(self, page: Page) -> ThreadPage | None:
        if amp.is_amp(page.body):
            return None  # where its thread is read from depends on its comments: read whole
        if self.selectors is not None:
            parsed = replace(wordpress_html.parse_post_page(page, self.selectors), comments=(), site=None)
        else:
            parsed = wordpress_html.parse_post_only(page)
        notes = (*parsed.problems, *((f"{page.url}: page is cut off",) if parsed.truncated else ()))
        return _thread_page(self._fingerprinted(parsed, page), notes=notes,
                            more=wpdiscuz.first_load_more(page, parsed.post.external_id))

    def glimpse(self, page: Page) -> Glimpse:
        if wpdiscuz.is_load_more(page.url):
            read = _load_more_page(wpdiscuz.read_load_more(page))
            return Glimpse(fingerprint=read.fingerprint, links=read.links)
        if self.selectors is not None:
            return Glimpse(fingerprint=_body_fingerprint(page))
        return Glimpse(fingerprint=wordpress_html.fingerprint_only(page))

    def _fingerprinted(self, parsed: wordpress_html.PostPage, page: Page) -> wordpress_html.PostPage:
        """With selectors, the markup the raw comment region is found by may be absent: the
        whole body is the fingerprint (any change costs one parse, none is missed)."""
        return parsed if self.selectors is None else replace(parsed, fingerprint=_body_fingerprint(page))


def _body_fingerprint(page: Page) -> str:
    return hashlib.sha256(b"selectors-v1\0" + page.body).hexdigest()


def _thread_page(parsed: wordpress_html.PostPage, notes: tuple[str, ...] = (),
                 more: str | None = None) -> ThreadPage:
    """The page read; `more`: its first wpDiscuz load-more request, numbered after the
    comment pages."""
    links = tuple(enumerate(parsed.comment_page_urls, start=1))
    if more is not None:
        links += ((max(len(links), 1) + 1, more),)
    return ThreadPage(
        number=parsed.comment_page or 1,
        comments=parsed.comments,
        fingerprint=parsed.fingerprint,
        links=links,
        post=parsed.post,
        expected=parsed.post.comment_count_displayed,
        cut_off=parsed.truncated,
        unread=parsed.unread,
        elsewhere=parsed.site.comments_line() if parsed.site and parsed.site.elsewhere else None,
        site=parsed.site.describe() if parsed.site else None,
        notes=notes,
    )


def _load_more_page(loaded: wpdiscuz.LoadMore) -> ThreadPage:
    return ThreadPage(
        number=loaded.number,
        comments=loaded.comments,
        fingerprint=loaded.fingerprint,
        links=((loaded.number + 1, loaded.next_url),) if loaded.next_url else (),
        unread=loaded.unread,
    )


def _amp_redirect(page: Page, read: ThreadPage) -> ThreadPage:
    """An AMP page that shows no comment: the thread is its canonical page's, queued as
    the thread's page 1 after this one (page 0). One that shows them is read as it is."""
    post = read.post
    if read.comments or read.unread or post is None or post.url.split("#")[0] == page.url.split("#")[0]:
        return read
    if not post.external_id:
        raise ValueError(f"{page.url}: AMP page shows no comments and names no post id; "
                         f"its comments are on {post.url}")
    return replace(read, number=0, links=((1, post.url),), elsewhere=None, expected=None)
