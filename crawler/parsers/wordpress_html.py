"""WordPress post pages (HTML): the post, this page's comments, and the thread's comment pages.

Pure: `(Page) -> PostPage`. lxml does the work; BeautifulSoup only repairs a page whose
raw bytes hold comments that lxml's tree lost to broken markup.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from crawler.normalize.authors import author_key
from crawler.parsers import wordpress_selectors as sel
from crawler.parsers.htmltext import (
    Element,
    detect_encoding,
    has_class,
    inner_html,
    parse_document,
    parse_time,
    text_of,
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


@dataclass(frozen=True, kw_only=True)
class PostPage:
    """What one WordPress post page (one comment page of a thread) says."""

    post: PostRecord
    comments: tuple[CommentRecord, ...]  # this page's comments, in page order
    comment_page: int | None  # this page's number; None when the post has no comments
    comment_page_urls: tuple[str, ...]  # every comment page of the thread, 1..last
    comment_page_count: int | None  # the last comment page's number, when known
    fingerprint: str  # == fingerprint_only(page): hash of the comment region
    truncated: bool  # page cut short or comments lost to broken markup: thread is partial
    has_comments_section: bool
    comments_closed: bool  # no comment form on the page
    post_complete: bool = True  # False: the page was cut before the post's text ended
    problems: tuple[str, ...] = ()  # what went wrong on this page, each naming its URL


# --- raw bytes: region and fingerprint ---------------------------------------------------


def _list_start(body: bytes) -> int:
    """Offset of the comment list's opening tag, or -1; a marker inside CSS or a script
    (not in a tag's class attribute) is skipped."""
    best = -1
    for marker in sel.RAW_LIST_MARKERS:
        pos = body.find(marker)
        while pos != -1 and (best == -1 or pos < best):
            lt = body.rfind(b"<", 0, pos)
            if (
                lt != -1
                and body.rfind(b">", lt, pos) == -1
                and body.startswith(sel.RAW_LIST_TAGS, lt)
            ):
                best = lt
                break
            pos = body.find(marker, pos + 1)
    return best


def _region_bounds(body: bytes) -> tuple[int, int, bool]:
    """Start and end offsets of the comment region, and whether its end marker was found
    (False: the region runs to the end of the body)."""
    start = _list_start(body)
    if start == -1:
        return 0, 0, True
    ends = [pos for m in sel.RAW_LIST_ENDS if (pos := body.find(m, start)) != -1]
    return (start, min(ends), True) if ends else (start, len(body), False)


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


def parse_post_page(page: Page) -> PostPage:
    """Parse one WordPress post page. Raises ValueError when the body is empty."""
    encoding = detect_encoding(page.body, page.encoding, page.headers.get("content-type"))
    doc = parse_document(page.body, encoding)
    comment_list = _comment_list(doc)
    comment_page, page_urls, page_count = _comment_pages(doc, page.url)
    page_no = comment_page or 1
    comments, seen = _comments(comment_list, page_no)
    problems: list[str] = []

    # The raw bytes say which comments the page holds; when lxml's tree lacks some, broken
    # markup cost them (libxml2 closes the comment list at an unclosed <table> inside a
    # comment, for one). html.parser's tolerance earns its 8-12x cost only here.
    start, end, region_closed = _region_bounds(page.body)
    region = page.body[start:end]
    if sum(region.count(marker) for marker in sel.RAW_ITEM_IDS) > len(seen):
        raw_ids = {m.decode("ascii") for m in sel.RAW_COMMENT_ITEM.findall(region)}
        if raw_ids - seen:
            repaired = _repaired(page.body, encoding)
            fixed_list = _comment_list(repaired)
            fixed, fixed_seen = _comments(fixed_list, page_no)
            if len(fixed_seen & raw_ids) > len(seen & raw_ids):
                doc, comment_list, comments, seen = repaired, fixed_list, fixed, fixed_seen
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
    if comment_list is not None and comment_page is None:
        comment_page = 1
    # The form and the closed notice sit beside the list (div#comments, or the block
    # theme's div.wp-block-comments): search there, not the whole page, when we can.
    area = comment_list.getparent() if comment_list is not None else None
    form = sel.COMMENT_FORM_NEAR(area) if area is not None else sel.COMMENT_FORM(doc)
    closed_notice = sel.NO_COMMENTS_NEAR(area) if area is not None else sel.NO_COMMENTS(doc)
    return PostPage(
        post=_post(doc, page.url, comment_list),
        comments=tuple(comments),
        comment_page=comment_page,
        comment_page_urls=page_urls,
        comment_page_count=page_count,
        fingerprint=_fingerprint(region),
        truncated=truncated,
        has_comments_section=comment_list is not None or bool(form or sel.COMMENTS_AREA(doc)),
        comments_closed=not form or bool(closed_notice),
        post_complete=post_complete,
        problems=tuple(problems),
    )


def _repaired(body: bytes, encoding: str) -> Element:
    """The page re-serialized by BeautifulSoup's html.parser, parsed by lxml again, so one
    extraction code path serves both."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser", from_encoding=encoding)
    return parse_document(str(soup).encode("utf-8"), "utf-8")


# --- comments --------------------------------------------------------------------------


def _comment_list(doc: Element) -> Element | None:
    for candidate in sel.COMMENT_LISTS(doc) or sel.OTHER_COMMENT_LISTS(doc):
        if sel.COMMENT_LIST_CLASSES.intersection((candidate.get("class") or "").split()):
            return candidate
    return None


def _comments(comment_list: Element | None, page_no: int) -> tuple[list[CommentRecord], set[str]]:
    """The comments of the page's comment list in page order, and every item id seen
    (pingbacks too).

    One XPath pass collects the items and their parts in document order (depth-first, as
    WordPress shows them); each part belongs to its nearest enclosing item and each item
    replies to its nearest enclosing item, whatever wrappers a theme puts in between
    (classic `ol.children`, the block theme's bare `<ol>`, inline items past max depth).
    """
    if comment_list is None:
        return [], set()
    items: list[_Item] = []
    by_element: dict[Element, _Item] = {}
    for node in sel.COMMENT_NODES(comment_list):
        m = sel.COMMENT_ID.match(node.get("id") or "")
        if m is not None and node.tag in ("li", "div", "article"):
            parent = _enclosing_item(node, comment_list, by_element, items_only=False)
            if parent is _DISPLACED:
                # Inside another comment's text: broken markup swallowed it, and its
                # place in the thread is unknown. Left unseen, so the repair is tried.
                continue
            if parent is not None and parent.cid == m.group(1):
                continue  # Twenty Ten/Eleven: li#li-comment-N holds the body #comment-N
            item = _Item(node, m.group(1), parent.cid if parent else None)
            items.append(item)
            by_element[node] = item
            continue
        if not items:
            continue
        # WordPress renders a comment's own markup before its replies, so a part belongs
        # to the item opened last (an ancestor walk per part costs a third of this loop).
        owner = items[-1]
        classes = (node.get("class") or "").split()
        if owner.content is None and sel.CONTENT_CLASSES.intersection(classes):
            owner.content = node
        elif owner.author is None and sel.AUTHOR_CLASSES.intersection(classes):
            owner.author = node
        elif owner.time_box is None and sel.TIME_CLASSES.intersection(classes):
            owner.time_box = node
        elif owner.body_box is None and "comment-body" in classes:
            owner.body_box = node
    out: list[CommentRecord] = []
    for item in items:
        if not sel.PING_CLASSES.intersection((item.element.get("class") or "").split()):
            out.append(item.record(page_no, len(out)))
    return out, {item.cid for item in items}


def _enclosing_item(
    node: Element, stop: Element, by_element: dict[Element, _Item], *, items_only: bool = True
) -> _Item | None:
    """The comment item `node` is in, or _DISPLACED when the way there crosses a comment's
    text box (with `items_only=False`)."""
    for ancestor in node.iterancestors():
        if ancestor is stop:
            return None
        item = by_element.get(ancestor)
        if item is not None:
            return item
        if (
            not items_only
            and ancestor.tag == "div"
            and sel.CONTENT_CLASSES.intersection((ancestor.get("class") or "").split())
        ):
            return _DISPLACED
    return None


class _Item:
    """A comment item being read: its element and the parts found for it."""

    __slots__ = ("author", "body_box", "cid", "content", "element", "parent_id", "time_box")

    def __init__(self, element: Element, cid: str, parent_id: str | None) -> None:
        self.element = element
        self.cid = cid
        self.parent_id = parent_id
        self.author: Element | None = None
        self.content: Element | None = None
        self.time_box: Element | None = None
        self.body_box: Element | None = None  # div.comment-body of the non-html5 walker

    def record(self, page_no: int, position: int) -> CommentRecord:
        author_url = None
        if self.author is not None:
            link = self.author if self.author.tag == "a" else next(self.author.iter("a"), None)
            author_url = link.get("href") if link is not None else None
        box = self.time_box if self.time_box is not None else self.element
        # Without the theme's date box, the first time[datetime] of the item is its own
        # (replies follow the item's own markup).
        stamp = next((t for t in box.iter("time") if t.get("datetime")), None)
        published_raw = stamp.get("datetime") if stamp is not None else None
        if published_raw is None and self.time_box is not None:
            # Themes without html5 support show only a formatted date ("March 16, 2025 at
            # 10:42 am"): kept raw; its UTC time is unknown without the site's timezone.
            published_raw = text_of(self.time_box) or None
        content = self.content
        if content is None and self.body_box is not None:
            content = _text_of_body_box(self.body_box)
        return comment_record(
            external_id=self.cid,
            author_raw=text_of(self.author) if self.author is not None else "",
            author_url=author_url,
            published_raw=published_raw,
            parent_id=self.parent_id,
            content=content,
            page=page_no,
            position=position,
        )


def _text_of_body_box(body: Element) -> Element:
    """The comment's text from a non-html5 `div.comment-body`: the box without its byline,
    date line, reply link and moderation note (a copy; the page is left as it is)."""
    box = copy.deepcopy(body)
    for child in list(box):
        if sel.BODY_BOX_CHROME.intersection((child.get("class") or "").split()):
            if child.tail:  # keep the text that follows the removed element
                prev = child.getprevious()
                if prev is not None:
                    prev.tail = (prev.tail or "") + child.tail
                else:
                    box.text = (box.text or "") + child.tail
            box.remove(child)
    return box


# Marks a comment item found inside another comment's text (see _enclosing_item).
_DISPLACED = _Item(etree.Element("displaced"), "", None)


# --- comment pages ---------------------------------------------------------------------


def _page_number(url: str) -> int | None:
    # `cpage` in the query first: WordPress lets a GET variable win over the path's.
    m = sel.CPAGE_IN_URL.search(url) or sel.COMMENT_PAGE_IN_URL.search(url)
    return int(m.group(1)) if m else None


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


def _comment_pages(doc: Element, url: str) -> tuple[int | None, tuple[str, ...], int | None]:
    """This page's number, every comment page's URL (1..last), and the last page's number.

    Themes link only a window of pages (twentytwentyone: first, current, last), so the
    full list is rebuilt from one numbered link's pattern and the highest number seen.
    """
    current = _page_number(url)
    numbered: dict[int, str] = {}
    for nav in sel.COMMENT_PAGINATION(doc):
        if not sel.PAGINATION_CLASSES.intersection((nav.get("class") or "").split()):
            continue
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
    if not numbered:
        return current, (), (current if current and current > 1 else None)
    last = max([*numbered, current or 1])
    template = next(iter(numbered.values()))
    m = sel.CPAGE_IN_URL.search(template) or sel.COMMENT_PAGE_IN_URL.search(template)
    if m is None:  # cannot happen: every numbered URL matched one of these
        return current, tuple(numbered[n] for n in sorted(numbered)), last
    urls = [
        numbered.get(n) or template[: m.start(1)] + str(n) + template[m.end(1) :]
        for n in range(1, last + 1)
    ]
    return current, tuple(urls), last


# --- the post --------------------------------------------------------------------------


def _text(el: Element) -> str:
    return text_of(el)


def _post(doc: Element, url: str, comment_list: Element | None) -> PostRecord:
    article = sel.POST_ARTICLE(doc)
    scopes = _post_scopes(article[0] if article else (sel.MAIN(doc) or [doc])[0], comment_list)
    titles = _find(sel.POST_TITLE, scopes) or sel.POST_TITLE(doc)
    title = _text(titles[0]) if titles else ""
    if not title:
        head = sel.HEAD_TITLE(doc)
        title = _text(head[0]) if head else ""
    content = next(
        (
            c
            for c in _find(sel.POST_CONTENT, scopes)
            if sel.POST_CONTENT_CLASSES.intersection((c.get("class") or "").split())
        ),
        None,
    )
    author_raw, author_url = _post_author(scopes)
    published_raw, modified_raw = _post_times(doc, scopes)
    tags, categories = _terms(scopes)
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
        comment_count_displayed=_displayed_count(doc, comment_list),
    )


def _post_scopes(container: Element, comment_list: Element | None) -> list[Element]:
    """Where the post's own parts are: `container` (the post's article, else <main>) minus
    the comment list's subtree. Block themes put the comments inside <main>; searching
    them for the byline, dates and terms would cost more than the comments themselves,
    and a commenter's rel=tag or rel=author link is not the post's."""
    if comment_list is None or not any(a is container for a in comment_list.iterancestors()):
        return [container]
    chain = set(comment_list.iterancestors())
    scopes: list[Element] = []
    stack = [container]
    while stack:
        for child in stack.pop():
            if child is comment_list or not isinstance(child.tag, str):
                continue
            (stack if child in chain else scopes).append(child)
    scopes.sort(key=lambda el: el.sourceline or 0)  # page order, for "first" lookups
    return scopes


def _find(xpath: etree.XPath, scopes: list[Element]) -> list[Element]:
    return [found for scope in scopes for found in xpath(scope)]


def _post_id(doc: Element, article: list[Element]) -> str:
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


def _post_author(scopes: list[Element]) -> tuple[str, str | None]:
    links = _find(sel.AUTHOR_LINK, scopes)
    if links:
        return _text(links[0]), links[0].get("href")
    names = _find(sel.AUTHOR_NAME_BLOCK, scopes)
    if names:
        link = next(names[0].iter("a"), None)
        return _text(names[0]), (link.get("href") if link is not None else None)
    return "", None


def _post_times(doc: Element, scopes: list[Element]) -> tuple[str | None, str | None]:
    published = sel.META_PUBLISHED(doc)
    modified = sel.META_MODIFIED(doc)
    published_raw = str(published[0]) if published else None
    modified_raw = str(modified[0]) if modified else None
    if published_raw is None:
        for t in _find(sel.POSTED_ON_TIME, scopes):
            # Themes that show both mark the modified one `updated` without `published`.
            if has_class(t, "updated") and not has_class(t, "published"):
                modified_raw = modified_raw or t.get("datetime")
            elif published_raw is None:
                published_raw = t.get("datetime")
    return published_raw, modified_raw


def _terms(scopes: list[Element]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    tags: dict[str, None] = {}
    categories: dict[str, None] = {}
    for a in _find(sel.TERM_LINKS, scopes):
        name = _text(a)
        if name:
            (categories if _is_category(a) else tags)[name] = None
    return tuple(sorted(tags, key=term_sort_key)), tuple(sorted(categories, key=term_sort_key))


def _is_category(a: Element) -> bool:
    if "category" in (a.get("rel") or "").split():
        return True
    href = a.get("href") or ""
    if "/category/" in href or re.search(r"[?&]cat=", href):
        return True
    for parent in a.iterancestors():
        if has_class(parent, "taxonomy-category") or has_class(parent, "cat-links"):
            return True
        if has_class(parent, "taxonomy-post_tag") or has_class(parent, "tags-links"):
            return False
    return False


def _displayed_count(doc: Element, comment_list: Element | None) -> int | None:
    titles = sel.TITLE_BEFORE_LIST(comment_list) if comment_list is not None else []
    for title in titles or sel.COMMENTS_TITLES(doc):
        text = _text(title)
        if sel.ONE_IN_TITLE.match(text):
            return 1
        m = sel.COUNT_IN_TITLE.search(text)
        if m:
            digits = re.sub(r"\D", "", m.group(1))
            if digits:
                return int(digits)
    return None
