"""WordPress post pages (HTML): the post, this page's comments, and the thread's comment pages.

Pure: `(Page) -> PostPage`. lxml does the work; BeautifulSoup only repairs a page whose
raw bytes hold comments that lxml's tree lost to broken markup. The comment list is read
by `wordpress_comments`, the post by `wordpress_post`; this module holds the page-level
parts: the raw comment region and its fingerprint, truncation, and comment pagination.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.page import Page
from crawler.parsers import wordpress_selectors as sel
from crawler.parsers.comment_reader import page_clock, read_any_comments
from crawler.parsers.htmltext import Element, detect_encoding, parse_document, text_of
from crawler.parsers.site import Site, detect_site
from crawler.parsers.source_selectors import SourceSelectors, next_page_url, read_with_selectors
from crawler.parsers.unread import UnreadComment
from crawler.parsers.wordpress_comments import comment_ids, find_comment_list, read_comments
from crawler.parsers.wordpress_post import read_post
from storage.records import CommentRecord, PostRecord

__all__ = ["PostPage", "comment_region", "fingerprint_only", "parse_post_only", "parse_post_page"]

_FINGERPRINT_VERSION = b"wp-comments-v1\0"


@dataclass(frozen=True, kw_only=True)
class PostPage:
    """What one WordPress post page (one comment page of a thread) says."""

    post: PostRecord
    comments: tuple[CommentRecord, ...]  # this page's comments, in page order
    comment_page: int | None  # this page's number; None when the post has no comments
    comment_page_urls: tuple[str, ...]  # every comment page of the thread, 1..last
    fingerprint: str  # == fingerprint_only(page): hash of the comment region
    truncated: bool  # page cut short or comments lost to broken markup: thread is partial
    post_complete: bool = True  # False: the page was cut before the post's text ended
    problems: tuple[str, ...] = ()  # what went wrong on this page, each naming its URL
    # Comment items whose author or text could not be found: not in `comments`, and the
    # thread is partial (crawler.parsers.unread).
    unread: tuple[UnreadComment, ...] = ()
    # The engine and where the comments are (crawler.parsers.site): a page whose comments
    # a script loads from elsewhere (Disqus, ...) does not show a thread of 0 comments.
    site: Site | None = None


# --- raw bytes: region and fingerprint ---------------------------------------------------


def _list_start(body: bytes) -> int:
    """Offset of the comment list's opening tag, or -1; a marker inside CSS or a script
    (not in a tag's class attribute) is skipped. Each search stops at the best start
    found so far: a marker absent from the page costs a scan of it, not of all of it."""
    best = len(body)
    for marker in sel.RAW_LIST_MARKERS:
        pos = body.find(marker, 0, best)
        while pos != -1:
            lt = body.rfind(b"<", 0, pos)
            if (
                lt != -1
                and body.rfind(b">", lt, pos) == -1
                and body.startswith(sel.RAW_LIST_TAGS, lt)
            ):
                best = lt
                break
            pos = body.find(marker, pos + 1, best)
    return best if best < len(body) else -1


def _region_bounds(body: bytes) -> tuple[int, int, bool]:
    """Start and end offsets of the comment region, and whether its end marker was found
    (False: the region runs to the end of the body)."""
    start = _list_start(body)
    if start == -1:
        # No list the fast path knows: the first comment item the shared reader may read
        # (else a page whose comments it reads would keep one fingerprint forever).
        m = sel.RAW_ANY_ITEM.search(body)
        if m is None:
            return 0, 0, True
        start = max(body.rfind(b"<", 0, m.start()), 0)
    end = -1
    for marker in sel.RAW_FORM_MARKERS:
        end = body.find(marker, start)
        if end != -1:
            break
    limit = end if end != -1 else len(body)
    for marker in sel.RAW_BEFORE_FORM_MARKERS:  # pagination, "comments are closed"
        pos = body.find(marker, start, limit)
        if pos != -1:
            end = limit = pos
    return (start, end, True) if end != -1 else (start, len(body), False)


def comment_region(body: bytes) -> bytes:
    """The raw bytes from the comment list to the comment form, or b"" when there is no list."""
    start, end, _ = _region_bounds(body)
    return body[start:end]


def fingerprint_only(page: Page) -> str:
    """sha256 of the raw comment region (list to form), no parse.

    Page chrome (sidebars, the form's nonces, scripts) lies outside the region, so a
    thread page whose comments did not change keeps its fingerprint. Equal to
    `parse_post_page(page).fingerprint`.
    """
    return _fingerprint(comment_region(page.body))


def _fingerprint(region: bytes) -> str:
    # The raw bytes, not a normalized form: WordPress renders an unchanged thread byte for
    # byte, and any difference merely costs one full parse; normalizing 200 KB would cost
    # more than hashing it (2.5 ms for bytes.split/join against 0.3 ms).
    return hashlib.sha256(_FINGERPRINT_VERSION + region).hexdigest()


# --- the page --------------------------------------------------------------------------


def parse_post_page(page: Page, selectors: SourceSelectors | None = None, *,
                    describe: bool = False) -> PostPage:
    """Parse one WordPress post page (with the source's `selectors`, when it has them).
    `site` says what the site is where the page shows no comment (they may live
    elsewhere), or when asked to `describe` it (1-2 ms of byte scans on a large page).
    Raises ValueError when the body is empty."""
    encoding = detect_encoding(page.body, page.encoding, page.headers.get("content-type"))
    doc = parse_document(page.body, encoding)
    comment_list = find_comment_list(doc)
    comment_page, page_urls = _comment_pages(doc, page.url, comment_list)
    page_no = comment_page or 1
    clock = functools.cache(lambda: page_clock(doc, page.fetched_at))
    generic = selectors is not None
    if selectors is not None:
        comments, unread, seen = read_with_selectors(doc, selectors, page_no, clock())
        comment_page, page_urls = _selected_pages(doc, selectors, page.url, comment_page, page_urls)
    else:
        comments, unread, seen = read_comments(comment_list, page_no, clock)
    if selectors is None and (comment_list is None or unread):
        # A theme or plugin the fast path does not know: the shared reader, if it reads more.
        other = read_any_comments(doc, page_no, clock())
        # More comments read, else more items seen (an item it cannot read is a problem
        # to report, not a silence).
        if (len(other.comments), len(other.seen)) > (len(comments), len(seen)):
            comments, unread, seen = other
            generic = True
    problems: list[str] = []

    # The raw bytes say which comments the page holds; when lxml's tree lacks some, broken
    # markup cost them (libxml2 closes the comment list at an unclosed <table> inside a
    # comment, for one). html.parser's tolerance earns its 8-12x cost only here.
    start, end, region_closed = _region_bounds(page.body)
    region = page.body[start:end]
    # (Only where the fast path read a list: the shared reader's items are not its items,
    # and a page without a list has no list to lose items from.)
    if comment_list is not None and not generic and sum(region.count(marker) for marker in sel.RAW_ITEM_IDS) > len(seen):
        raw_ids = {m.decode("ascii") for m in sel.RAW_COMMENT_ITEM.findall(region)}
        if raw_ids - seen:
            repaired = _repaired(page.body, encoding)
            fixed_list = find_comment_list(repaired)
            fixed, fixed_unread, fixed_seen = read_comments(fixed_list, page_no, clock)
            if len(fixed_seen & raw_ids) > len(seen & raw_ids):
                doc, comment_list, seen = repaired, fixed_list, fixed_seen
                comments, unread = fixed, fixed_unread
                problems.append(f"{page.url}: broken markup, comments read after repair")
            lost = sorted(raw_ids - seen, key=lambda cid: (len(cid), cid))
            if lost:
                problems.append(f"{page.url}: broken markup hides comments {', '.join(lost)}")
    truncated = bool(problems) and not problems[-1].endswith("after repair")
    post_complete = True
    if not sel.RAW_HTML_END.search(page.body, max(0, len(page.body) - 4096)):
        problems.append(f"{page.url}: page ends before </html> (truncated)")
        truncated = True
        if not region_closed and comments:
            # Cut inside the comment list: the comment being rendered at the cut (the last
            # in page order) may have lost text, and must not be archived as an edit.
            cut = comments.pop()
            problems.append(f"{page.url}: comment {cut.external_id} may be cut off; left out")
        # Themes put the comments after the post: without any of them, the cut may lie
        # inside the post's own text.
        post_complete = any(page.body.find(m) != -1 for m in sel.RAW_AFTER_POST)
    return _post_page(
        page, doc, comment_list, tuple(comments), region, (comment_page, page_urls),
        truncated=truncated, post_complete=post_complete, problems=tuple(problems),
        unread=tuple(unread),
        site=detect_site(page.body, doc, len(comments) + len(unread))
        if describe or not (comments or unread) else None,
    )


def _selected_pages(doc: Element, selectors: SourceSelectors, url: str, current: int | None,
                    urls: tuple[str, ...]) -> tuple[int | None, tuple[str, ...]]:
    """This page's number and the thread's pages when the source names its `next_page`
    link: this page and the next, numbered from comment-page-N, cpage=N or page=N."""
    following = next_page_url(doc, selectors, url)
    if following is None:
        return current, urls
    here = _any_page_number(url) or 1
    there = _any_page_number(following) or here + 1
    if there <= here:
        return here, ()  # a link back: this is the last page
    pages = [url] * there
    pages[there - 1] = following
    return here, tuple(pages)


def _any_page_number(url: str) -> int | None:
    """The page number of a comment page URL: comment-page-N, cpage=N, else page=N (read
    as 0-based, as Drupal counts: page 1 has no number)."""
    n = _page_number(url)
    if n is not None:
        return n
    m = sel.PAGE_IN_QUERY.search(url)
    return int(m.group(1)) + 1 if m else None


def parse_post_only(page: Page) -> PostPage:
    """`parse_post_page(page)` without reading the page's comments (`comments` is empty,
    every other field equal): for a page whose fingerprint says its comment region is as
    the archive has it. Raises ValueError when the body is empty.

    A page cut short or with comments lost to broken markup is parsed in full (and its
    comments dropped): the repair may change the tree the post is read from.
    """
    encoding = detect_encoding(page.body, page.encoding, page.headers.get("content-type"))
    doc = parse_document(page.body, encoding)
    comment_list = find_comment_list(doc)
    region = comment_region(page.body)
    raw_items = sum(region.count(marker) for marker in sel.RAW_ITEM_IDS)
    if not sel.RAW_HTML_END.search(page.body, max(0, len(page.body) - 4096)) or (
        raw_items and _lost_in_tree(region, raw_items, comment_list)
    ):
        return replace(parse_post_page(page), comments=(), site=None)
    pages = _comment_pages(doc, page.url, comment_list)
    # Its comments unread, the page says nothing of where they are: no site.
    return _post_page(page, doc, comment_list, (), region, pages)


def _lost_in_tree(region: bytes, raw_items: int, comment_list: Element | None) -> bool:
    """True when the raw region holds comment items that lxml's tree lacks (the test
    `parse_post_page` repairs on)."""
    seen = comment_ids(comment_list)
    if raw_items <= len(seen):
        return False
    return bool({m.decode("ascii") for m in sel.RAW_COMMENT_ITEM.findall(region)} - seen)


def _post_page(
    page: Page,
    doc: Element,
    comment_list: Element | None,
    comments: tuple[CommentRecord, ...],
    region: bytes,
    pages: tuple[int | None, tuple[str, ...]],
    *,
    truncated: bool = False,
    post_complete: bool = True,
    problems: tuple[str, ...] = (),
    unread: tuple[UnreadComment, ...] = (),
    site: Site | None = None,
) -> PostPage:
    """The page's PostPage around its comments and `pages` (this page's number and the
    thread's comment page URLs): the post and the fingerprint."""
    comment_page, page_urls = pages
    if comment_list is not None and comment_page is None:
        comment_page = 1
    return PostPage(
        site=site,
        post=read_post(doc, page.url, comment_list),
        comments=comments,
        comment_page=comment_page,
        comment_page_urls=page_urls,
        fingerprint=_fingerprint(region),
        truncated=truncated,
        post_complete=post_complete,
        problems=problems,
        unread=unread,
    )


def _repaired(body: bytes, encoding: str) -> Element:
    """The page re-serialized by BeautifulSoup's html.parser, parsed by lxml again, so one
    extraction code path serves both."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser", from_encoding=encoding)
    return parse_document(str(soup).encode("utf-8"), "utf-8")


# --- comment pages ---------------------------------------------------------------------


def _page_number(url: str) -> int | None:
    # `cpage` in the query first: WordPress lets a GET variable win over the path's.
    m = sel.CPAGE_IN_URL.search(url) or sel.COMMENT_PAGE_IN_URL.search(url)
    return int(m.group(1)) if m else None


def _older_navigation(
    comment_list: Element, url: str, numbered: dict[int, str], current: int | None
) -> int | None:
    """Older themes (Twenty Ten and kin) link only the previous and next comment page,
    from `div.navigation` blocks beside the list: collect those links into `numbered`
    and return this page's number, inferred from them when the URL has none."""
    area = comment_list.getparent()
    if area is None:
        return current
    for block in area:
        if block is comment_list or not isinstance(block.tag, str):
            continue  # links inside the comments are the commenters', not navigation
        for link in sel.NAV_LINKS(block):
            absolute = _clean_page_link(urljoin(url, link.get("href") or ""))
            n = _page_number(absolute)
            if n is None:
                continue
            numbered.setdefault(n, absolute)
            if current is None:
                side = " ".join(a.get("class") or "" for a in link.iterancestors())
                if "nav-previous" in side:
                    current = n + 1
                elif "nav-next" in side:
                    current = max(n - 1, 1)
    return current


def _clean_page_link(url: str) -> str:
    """A comment-page link without fragment, and without the query WordPress copies from
    the current request into pretty links (`/comment-page-1/?p=4&cpage=2` when the page
    was asked for as `?p=4&cpage=2`): WordPress would let that `cpage` win over the path
    and serve page 2 again."""
    url = url.split("#", 1)[0]
    if "?" not in url or not sel.COMMENT_PAGE_IN_URL.search(url):
        return url
    parts = urlsplit(url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("cpage", "p")
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _comment_pages(
    doc: Element, url: str, comment_list: Element | None
) -> tuple[int | None, tuple[str, ...]]:
    """This page's number, and every comment page's URL (1..last).

    Themes link only a window of pages (twentytwentyone: first, current, last), so the
    full list is rebuilt from one numbered link's pattern and the highest number seen.
    """
    current = _page_number(url)
    numbered: dict[int, str] = {}
    navs = [
        nav
        for nav in sel.comment_paginations(doc)
        if sel.PAGINATION_CLASSES.intersection((nav.get("class") or "").split())
    ]
    for nav in navs:
        for href in sel.PAGINATION_LINKS(nav):
            absolute = _clean_page_link(urljoin(url, str(href)))
            n = _page_number(absolute)
            if n is not None:
                numbered.setdefault(n, absolute)
        if current is None:
            for marker in sel.PAGINATION_CURRENT(nav):
                digits = re.findall(r"\d+", text_of(marker))
                if digits:
                    current = int(digits[-1])
                    break
    if not navs and comment_list is not None:
        current = _older_navigation(comment_list, url, numbered, current)
    if not numbered:
        return current, ()
    last = max([*numbered, current or 1])
    template = next(iter(numbered.values()))
    m = sel.CPAGE_IN_URL.search(template) or sel.COMMENT_PAGE_IN_URL.search(template)
    if m is None:  # cannot happen: every numbered URL matched one of these
        return current, tuple(numbered[n] for n in sorted(numbered))
    urls = [
        numbered.get(n) or template[: m.start(1)] + str(n) + template[m.end(1) :]
        for n in range(1, last + 1)
    ]
    return current, tuple(urls)
