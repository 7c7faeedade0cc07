"""WordPress post pages (HTML): the post, this page's comments, and the thread's comment pages.

Pure: `(Page) -> PostPage`. lxml does the work; BeautifulSoup is called only to repair a
page on which lxml finds no comment list although the raw bytes plainly contain comments.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html

from crawler.normalize.authors import author_key
from crawler.parsers import wordpress_selectors as sel
from crawler.parsers.htmltext import (
    detect_encoding,
    has_class,
    inner_html,
    parse_document,
    parse_time,
    visible_text,
)
from crawler.parsers.wordpress_common import (
    author_external_id,
    comment_record,
    strip_comment_page,
    term_sort_key,
)
from storage.records import CommentRecord, Page, PostRecord

__all__ = ["PostPage", "comment_region", "fingerprint_only", "parse_post_page"]

_FINGERPRINT_VERSION = b"wp-comments-v1\0"
_RAW_SPACES = re.compile(rb"\s+")


@dataclass(frozen=True, kw_only=True)
class PostPage:
    """What one WordPress post page (one comment page of a thread) says."""

    post: PostRecord
    comments: tuple[CommentRecord, ...]  # this page's comments, in page order
    comment_page: int | None  # this page's number; None when the post has no comments
    comment_page_urls: tuple[str, ...]  # every comment page of the thread, 1..last
    comment_page_count: int | None  # the last comment page's number, when known
    fingerprint: str  # == fingerprint_only(page): hash of the comment region
    truncated: bool  # the page ends early: the thread cannot be complete
    has_comments_section: bool
    comments_closed: bool  # no comment form on the page


def comment_region(body: bytes) -> bytes:
    """The raw bytes of the comment list (up to the comment form), or b"" when there is none."""
    start = sel.RAW_LIST_START.search(body)
    if start is None:
        return b""
    end = sel.RAW_LIST_END.search(body, start.start())
    return body[start.start() : end.start() if end else len(body)]


def fingerprint_only(page: Page) -> str:
    """sha256 of the comment region with whitespace collapsed, from the raw bytes, no parse.

    Page chrome (sidebars, nonces in the form, scripts) lies outside the region, so a
    thread whose comments did not change keeps its fingerprint.
    """
    region = _RAW_SPACES.sub(b" ", comment_region(page.body)).strip()
    return hashlib.sha256(_FINGERPRINT_VERSION + region).hexdigest()


def parse_post_page(page: Page) -> PostPage:
    """Parse one WordPress post page. Raises ValueError when the body is not HTML at all."""
    encoding = detect_encoding(page.body, page.encoding, page.headers.get("content-type"))
    doc = parse_document(page.body, encoding)
    lists = sel.COMMENT_LISTS(doc)
    if not lists and sel.RAW_COMMENT_ITEM.search(page.body):
        doc = _repaired(page.body, encoding)
        lists = sel.COMMENT_LISTS(doc)

    comment_page, page_urls, page_count = _comment_pages(doc, page.url)
    comments: list[CommentRecord] = []
    if lists:
        if comment_page is None:
            comment_page = 1
        _walk_comments(lists[0], None, comment_page, comments)
    elif comment_page is None and page_count:
        comment_page = 1
    truncated = _is_truncated(page.body, len(comments))
    has_section = bool(lists) or bool(sel.COMMENTS_AREA(doc)) or bool(sel.COMMENT_FORM(doc))
    return PostPage(
        post=_post(doc, page.url),
        comments=tuple(comments),
        comment_page=comment_page,
        comment_page_urls=page_urls,
        comment_page_count=page_count,
        fingerprint=fingerprint_only(page),
        truncated=truncated,
        has_comments_section=has_section,
        comments_closed=bool(sel.NO_COMMENTS(doc)) or not sel.COMMENT_FORM(doc),
    )


def _repaired(body: bytes, encoding: str) -> lxml.html.HtmlElement:
    # Rare path: markup broken badly enough that libxml2 lost the comment list; html.parser's
    # tolerance earns its cost here (8-12x lxml), and the result goes through the lxml code.
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser", from_encoding=encoding)
    return parse_document(str(soup).encode("utf-8"), "utf-8")


def _is_truncated(body: bytes, n_comments: int) -> bool:
    """The HTML stops before `</html>`, or the comment list is open with no end in sight."""
    if not sel.RAW_HTML_END.search(body, max(0, len(body) - 4096)):
        return True
    # A list was opened but none of its comments survived: cut inside the first item.
    return n_comments == 0 and sel.RAW_LIST_START.search(body) is not None


def _walk_comments(
    items: Iterable[lxml.html.HtmlElement],
    parent_id: str | None,
    page_no: int,
    out: list[CommentRecord],
) -> None:
    """Collect comments depth-first (the order WordPress shows them); nesting gives parents."""
    for el in items:
        if not isinstance(el.tag, str):
            continue
        m = sel.COMMENT_ID.match(el.get("id") or "")
        if m is None:
            # A wrapper between list and items (some themes); look one level down.
            if el.tag in ("ol", "ul", "div") and not has_class(el, "comment-body"):
                _walk_comments(el, parent_id, page_no, out)
            continue
        cid = m.group(1)
        classes = set((el.get("class") or "").split())
        own = [c for c in el if isinstance(c.tag, str) and not _is_nested(c)]
        if not (classes & sel.PING_CLASSES):
            out.append(_comment(cid, own, parent_id, page_no, len(out)))
        for child in el:
            if isinstance(child.tag, str) and _is_nested(child):
                # Past the block theme's thread depth, replies are appended inline as
                # bare items rather than in a nested list.
                is_item = sel.COMMENT_ID.match(child.get("id") or "")
                _walk_comments((child,) if is_item else child, cid, page_no, out)


def _is_nested(el: lxml.html.HtmlElement) -> bool:
    """Whether a child of a comment item holds replies (ol.children, the block theme's bare
    <ol>, div.children with style=div, or an inline reply item past max depth)."""
    tag = el.tag
    if tag in ("ol", "ul"):
        return True
    if tag in ("li", "div") and sel.COMMENT_ID.match(el.get("id") or ""):
        return True
    return tag == "div" and has_class(el, "children")


def _comment(
    cid: str,
    own: list[lxml.html.HtmlElement],
    parent_id: str | None,
    page_no: int,
    position: int,
) -> CommentRecord:
    author_el = _first(sel.COMMENT_AUTHOR, own)
    author_raw = author_el.text_content() if author_el is not None else ""
    author_url = None
    if author_el is not None:
        links = author_el.xpath("descendant-or-self::a[@href]/@href")
        author_url = str(links[0]) if links else None
    times = _first_value(sel.COMMENT_TIME, own) or _first_value(sel.ANY_TIME, own)
    content = _first(sel.COMMENT_CONTENT, own)
    return comment_record(
        external_id=cid,
        author_raw=author_raw,
        author_url=author_url,
        published_raw=times,
        parent_id=parent_id,
        content=content,
        page=page_no,
        position=position,
    )


def _first(xpath, nodes):  # type: ignore[no-untyped-def]
    for node in nodes:
        found = xpath(node)
        if found:
            return found[0]
    return None


def _first_value(xpath, nodes) -> str | None:  # type: ignore[no-untyped-def]
    found = _first(xpath, nodes)
    return str(found) if found is not None else None


def _page_number(url: str) -> int | None:
    m = sel.COMMENT_PAGE_IN_URL.search(url) or sel.CPAGE_IN_URL.search(url)
    return int(m.group(1)) if m else None


def _comment_pages(
    doc: lxml.html.HtmlElement, url: str
) -> tuple[int | None, tuple[str, ...], int | None]:
    """This page's number, every comment page's URL (1..last), and the last page's number.

    Themes link only a window of pages (twentytwentyone: first, current, last), so the
    full list is rebuilt from one numbered link's pattern and the highest number seen.
    """
    current = _page_number(url)
    numbered: dict[int, str] = {}
    for nav in sel.COMMENT_PAGINATION(doc):
        for href in sel.PAGINATION_LINKS(nav):
            absolute = urljoin(url, str(href)).split("#", 1)[0]
            n = _page_number(absolute)
            if n is not None:
                numbered.setdefault(n, absolute)
        if current is None:
            for marker in sel.PAGINATION_CURRENT(nav):
                digits = re.findall(r"\d+", marker.text_content())
                if digits:
                    current = int(digits[-1])
                    break
    if not numbered:
        return current, (), (current if current and current > 1 else None)
    last = max([*numbered, current or 1])
    template_n, template = next(iter(numbered.items()))
    m = sel.COMMENT_PAGE_IN_URL.search(template) or sel.CPAGE_IN_URL.search(template)
    assert m is not None
    urls = []
    for n in range(1, last + 1):
        urls.append(numbered.get(n) or template[: m.start(1)] + str(n) + template[m.end(1) :])
    del template_n
    return current, tuple(urls), last


def _post(doc: lxml.html.HtmlElement, url: str) -> PostRecord:
    article = sel.POST_ARTICLE(doc)
    scope = article[0] if article else (sel.MAIN(doc) or [doc])[0]
    title_el = _first(sel.POST_TITLE, [scope])
    if title_el is None:
        title_el = _first(sel.POST_TITLE, [doc])
    title = " ".join(title_el.text_content().split()) if title_el is not None else ""
    if not title:
        head = sel.HEAD_TITLE(doc)
        title = " ".join(head[0].text_content().split()) if head else ""

    content = _first(sel.POST_CONTENT, [scope])
    author_raw, author_url = _post_author(scope)
    published_raw, modified_raw = _post_times(doc, scope)
    tags, categories = _terms(scope)
    canonical = sel.CANONICAL(doc)
    post_url = strip_comment_page(urljoin(url, str(canonical[0])) if canonical else url)
    return PostRecord(
        external_id=_post_id(doc, article),
        url=post_url,
        title=title,
        author_raw=author_raw,
        author_key=author_key(author_raw),
        author_external_id=author_external_id(author_url),
        author_url=author_url,
        published_raw=published_raw,
        published_at=parse_time(published_raw),
        modified_raw=modified_raw,
        modified_at=parse_time(modified_raw),
        tags=tags,
        categories=categories,
        body_html=inner_html(content) if content is not None else "",
        body_text=visible_text(content) if content is not None else "",
        comment_count_displayed=_displayed_count(doc),
    )


def _post_id(doc: lxml.html.HtmlElement, article: list[lxml.html.HtmlElement]) -> str:
    body_class = sel.BODY_CLASS(doc)
    if body_class:
        m = sel.POSTID_CLASS.search(str(body_class[0]))
        if m:
            return m.group(1)
    if article:
        m = sel.POST_ARTICLE_ID.match(article[0].get("id") or "")
        if m:
            return m.group(1)
    for href in sel.SHORTLINK(doc):
        m = sel.SHORTLINK_ID.search(str(href))
        if m:
            return m.group(1)
    return ""


def _post_author(scope: lxml.html.HtmlElement) -> tuple[str, str | None]:
    links = sel.AUTHOR_LINK(scope)
    if links:
        return " ".join(links[0].text_content().split()), links[0].get("href")
    names = sel.AUTHOR_NAME_BLOCK(scope)
    if names:
        hrefs = names[0].xpath("descendant-or-self::a[@href]/@href")
        return " ".join(names[0].text_content().split()), (str(hrefs[0]) if hrefs else None)
    return "", None


def _post_times(
    doc: lxml.html.HtmlElement, scope: lxml.html.HtmlElement
) -> tuple[str | None, str | None]:
    published = sel.META_PUBLISHED(doc)
    modified = sel.META_MODIFIED(doc)
    published_raw = str(published[0]) if published else None
    modified_raw = str(modified[0]) if modified else None
    if published_raw is None:
        for t in sel.POSTED_ON_TIME(scope):
            if has_class(t, "updated") and not has_class(t, "published"):
                modified_raw = modified_raw or t.get("datetime")
            elif published_raw is None:
                published_raw = t.get("datetime")
    return published_raw, modified_raw


def _terms(scope: lxml.html.HtmlElement) -> tuple[tuple[str, ...], tuple[str, ...]]:
    tags: dict[str, None] = {}
    categories: dict[str, None] = {}
    for a in sel.TERM_LINKS(scope):
        name = " ".join(a.text_content().split())
        if not name:
            continue
        if _is_category(a):
            categories[name] = None
        else:
            tags[name] = None
    return (
        tuple(sorted(tags, key=term_sort_key)),
        tuple(sorted(categories, key=term_sort_key)),
    )


def _is_category(a: lxml.html.HtmlElement) -> bool:
    if "category" in (a.get("rel") or "").split():
        return True
    href = a.get("href") or ""
    if "/category/" in href or re.search(r"[?&]cat=", href):
        return True
    parent = a.getparent()
    while parent is not None:
        if has_class(parent, "taxonomy-category") or has_class(parent, "cat-links"):
            return True
        if has_class(parent, "taxonomy-post_tag") or has_class(parent, "tags-links"):
            return False
        parent = parent.getparent()
    return False


def _displayed_count(doc: lxml.html.HtmlElement) -> int | None:
    for title in sel.COMMENTS_TITLE(doc):
        text = " ".join(title.text_content().split())
        if sel.ONE_IN_TITLE.match(text):
            return 1
        m = sel.COUNT_IN_TITLE.search(text)
        if m:
            digits = re.sub(r"\D", "", m.group(1))
            if digits:
                return int(digits)
    return None
