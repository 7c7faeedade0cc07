"""A post page of a non-WordPress engine (Blogger, Drupal, any other): the post, this page's comments, the thread's pages.

    parse_engine_page(page, markup, selectors) -> EnginePage

The comments are read by the shared reader (`comment_reader`), or by the source's CSS
`selectors` when it has them; the post by `engine_post`. Comment pages are the pager's
`?page=N` links (Drupal counts from 0: `?page=1` is the second page) and the
`next_page` selector's link. A comment the page shows as deleted (Blogger's
`span.deleted-comment` "This comment has been removed") is named in `removed`, never
a record. Pure.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urljoin

from lxml import etree

from crawler.page import Page
from crawler.parsers.comment_reader import page_clock, read_any_comments
from crawler.parsers.engine_post import PostMarkup, read_engine_post
from crawler.parsers.htmltext import Element, detect_encoding, parse_document
from crawler.parsers.site import Site, detect_site
from crawler.parsers.source_selectors import SourceSelectors, next_page_url, read_with_selectors
from crawler.parsers.unread import UnreadComment
from storage.records import CommentRecord, PostRecord

__all__ = ["EnginePage", "PageMarkup", "page_number", "parse_engine_page"]

_FINGERPRINT_VERSION = b"engine-page-v1\0"
_PAGE_IN_QUERY = re.compile(r"[?&]page=(?:\d+,)*(\d+)(?:&|#|$)")
# Other engines' comment page numbers, counted from 1: `cpage=N`, `comment-page-N`,
# `comments_page=N` and kin, `/page/N`.
_NUMBER_IN_URL = re.compile(
    r"[?&][a-z_-]*page[a-z_-]*=(\d+)(?:&|#|$)|/comments?-page-(\d+)/?(?:[?#]|$)|/page/(\d+)/?(?:[?#]|$)", re.IGNORECASE
)
_HTML_END = re.compile(rb"</html\s*>", re.IGNORECASE)
# Drupal 8-10 `nav.pager` > `ul.pager__items`; Drupal 6-7 `ul.pager`; both link `?page=N`.
DRUPAL_PAGER = etree.XPath(
    "//nav[contains(@class, 'pager')]//a[@href] | //ul[contains(@class, 'pager')]//a[@href]"
)


@dataclass(frozen=True, kw_only=True)
class PageMarkup:
    """What one engine's post pages look like, beyond what the shared reader knows."""

    post: PostMarkup
    pager: etree.XPath | None = None  # links of the comment pager (?page=N)
    removed_class: str | None = None  # a comment's text box class for "deleted"
    # A link naming each comment's time exactly (Blogger's permalink
    # `?showComment=<epoch ms>#c<id>`): group 1 the milliseconds, group 2 the comment id.
    stamp_link: re.Pattern[str] | None = None
    # Shown when the page holds only part of the thread and a script loads the rest
    # (Blogger's "Load more..." box, `div.loadmore` without `hidden`): partial.
    more_by_script: etree.XPath | None = None


@dataclass(frozen=True, kw_only=True)
class EnginePage:
    post: PostRecord
    comments: tuple[CommentRecord, ...]
    unread: tuple[UnreadComment, ...]
    removed: tuple[str, ...]  # comments the page shows as deleted
    number: int  # this comment page's place, from 1
    pages: tuple[tuple[int, str], ...]  # other comment pages it names, (number, URL)
    fingerprint: str
    truncated: bool
    problems: tuple[str, ...]
    site: Site | None


def page_number(url: str) -> int | None:
    """The comment page a URL shows: `?page=N` is page N+1 (Drupal counts from 0), the
    other forms (`cpage=N`, `comment-page-N`, `/page/N`) page N; None: no number."""
    m = _PAGE_IN_QUERY.search(url)
    if m:
        return int(m.group(1)) + 1
    m = _NUMBER_IN_URL.search(url)
    return int(next(g for g in m.groups() if g)) if m else None


def parse_engine_page(page: Page, markup: PageMarkup, selectors: SourceSelectors | None = None, *,
                      describe: bool = False) -> EnginePage:
    """Read one post page (one comment page of its thread). Raises ValueError when it
    has no body."""
    if not page.body.strip():
        raise ValueError(f"{page.url}: empty page")
    doc = parse_document(page.body, detect_encoding(page.body, page.encoding, page.headers.get("content-type")))
    number = page_number(page.url) or 1
    clock = page_clock(doc, page.fetched_at)
    if selectors is not None:
        comments, unread, _seen = read_with_selectors(doc, selectors, number, clock)
    else:
        comments, unread, _seen = read_any_comments(doc, number, clock)
    if markup.stamp_link is not None:
        comments = _stamped(doc, comments, markup.stamp_link)
    removed = [c.external_id for c in comments if markup.removed_class and _removed(c, markup.removed_class)]
    comments = [c for c in comments if c.external_id not in removed]
    problems: list[str] = []
    truncated = not _HTML_END.search(page.body, max(0, len(page.body) - 4096))
    if truncated:
        problems.append(f"{page.url}: page ends before </html> (truncated)")
        if comments:
            cut = comments.pop()  # the comment at the cut may have lost text
            problems.append(f"{page.url}: comment {cut.external_id} may be cut off; left out")
    scripted = markup.more_by_script is not None and bool(markup.more_by_script(doc))
    if scripted:
        problems.append(f"{page.url}: more comments are loaded by a script; the page shows only some")
    pages, unnumbered = _pages(doc, page.url, markup, selectors, number)
    if unnumbered:
        # Its page would read as page 1 and overwrite the first: not followed, partial.
        problems.append(f"{page.url}: the next comment page {unnumbered} carries no page number; not followed")
    return EnginePage(
        post=read_engine_post(doc, page.url, markup.post),
        comments=tuple(comments), unread=tuple(unread), removed=tuple(removed),
        number=number, pages=pages,
        fingerprint=_fingerprint(comments, unread, removed, pages),
        truncated=truncated or bool(unnumbered) or scripted, problems=tuple(problems),
        site=detect_site(page.body, doc, len(comments) + len(unread)) if describe or not comments else None,
    )


def _stamped(doc: Element, comments: list[CommentRecord], link: re.Pattern[str]) -> list[CommentRecord]:
    """Comments whose printed date has no zone, placed in time by their permalinks."""
    stamps: dict[str, datetime] = {}
    for a in doc.iter("a"):
        m = link.search(a.get("href") or "")
        if m:
            stamps.setdefault(m.group(2), datetime.fromtimestamp(int(m.group(1)) / 1000, UTC))
    return [replace(c, published_at=stamps[c.external_id], published_approximate=False)
            if c.published_at is None and c.external_id in stamps else c for c in comments]


def _removed(comment: CommentRecord, cls: str) -> bool:
    return f'class="{cls}"' in comment.body_html or f"class='{cls}'" in comment.body_html


def _pages(doc: Element, url: str, markup: PageMarkup, selectors: SourceSelectors | None,
           number: int) -> tuple[tuple[tuple[int, str], ...], str | None]:
    """The comment pages this page names, and a `next_page` link whose URL carries no
    page number (None: none such)."""
    found: dict[int, str] = {}
    for link in markup.pager(doc) if markup.pager is not None else ():
        target = urljoin(url, link.get("href") or "").split("#", 1)[0]
        if _PAGE_IN_QUERY.search(target):
            found.setdefault(page_number(target) or 1, target)
    following = next_page_url(doc, selectors, url)
    unnumbered = None
    if following is not None:
        n = page_number(following)
        if n is None:
            unnumbered = following
        elif n > number:  # a link back to an earlier page: this is the last
            found.setdefault(n, following)
    found.pop(number, None)
    return tuple(sorted(found.items())), unnumbered


def _fingerprint(comments: list[CommentRecord], unread: list[UnreadComment], removed: list[str],
                 pages: tuple[tuple[int, str], ...]) -> str:
    """What the page says of its thread, as read: an unchanged thread keeps it whatever
    the page's chrome (sidebars, nonces, the time in the footer) does."""
    digest = hashlib.sha256(_FINGERPRINT_VERSION)
    for c in comments:
        for part in (c.external_id, c.author_raw, c.author_url, c.published_raw,
                     c.threaded_parent_external_id, c.body_html):
            digest.update((part or "").encode() + b"\0")
    for u in unread:
        digest.update(f"unread:{u.external_id}:{','.join(u.missing)}\0".encode())
    for r in removed:
        digest.update(f"removed:{r}\0".encode())
    for n, link in pages:
        digest.update(f"page:{n}:{link}\0".encode())
    return digest.hexdigest()
