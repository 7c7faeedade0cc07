"""WordPress comment lists in HTML: the comment items of one page, with their threading.

Classic themes (`wp_list_comments()`, html5 or not, Twenty Ten/Eleven style callbacks)
and block themes (`core/comment-template`). Pure; called by `wordpress_html`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import NamedTuple

from lxml import etree

from crawler.parsers import wordpress_selectors as sel
from crawler.parsers.dates import PageClock, read_date
from crawler.parsers.htmltext import Element, remove_keeping_tail, text_of
from crawler.parsers.unread import UnreadComment
from crawler.parsers.wordpress_common import comment_record
from storage.records import CommentRecord

__all__ = ["ReadComments", "comment_ids", "find_comment_list", "read_comments"]


class ReadComments(NamedTuple):
    """What one page's comment list gave: the records, the items that could not be read
    (no author or no text found), and every item id seen (pingbacks too)."""

    comments: list[CommentRecord]
    unread: list[UnreadComment]
    seen: set[str]


def find_comment_list(doc: Element) -> Element | None:
    """The page's list of comments (never a widget's list), or None."""
    for candidate in sel.COMMENT_LISTS(doc) or sel.OTHER_COMMENT_LISTS(doc):
        if sel.COMMENT_LIST_CLASSES.intersection((candidate.get("class") or "").split()):
            return candidate
    return None


def read_comments(
    comment_list: Element | None, page_no: int, clock: Callable[[], PageClock] | None = None
) -> ReadComments:
    """The comments of the page's comment list in page order, the items that could not
    be read, and every item id seen (pingbacks too). `clock` gives what a date shown
    only as text is read against (asked only for such a date).

    One XPath pass collects the items and their parts in document order (depth-first, as
    WordPress shows them); each part belongs to its nearest enclosing item and each item
    replies to its nearest enclosing item, whatever wrappers a theme puts in between
    (classic `ol.children`, the block theme's bare `<ol>`, inline items past max depth).
    """
    if comment_list is None:
        return ReadComments([], [], set())
    items: list[_Item] = []
    by_element: dict[Element, _Item] = {}
    for node, ident, cls in sel.comment_nodes(comment_list):
        if ident and _take_item(node, ident, comment_list, items, by_element):
            continue
        if not items:
            continue
        # WordPress renders a comment's own markup before its replies, so a part belongs
        # to the item opened last (an ancestor walk per part costs a third of this loop).
        owner = items[-1]
        classes = cls.split()
        if owner.content is None and not sel.CONTENT_CLASSES.isdisjoint(classes):
            owner.content = node
        elif owner.author is None and not sel.AUTHOR_CLASSES.isdisjoint(classes):
            owner.author = node
        elif owner.time_box is None and not sel.TIME_CLASSES.isdisjoint(classes):
            owner.time_box = node
        elif owner.body_box is None and "comment-body" in classes:
            owner.body_box = node
    out: list[CommentRecord] = []
    unread: list[UnreadComment] = []
    for item in items:
        if not sel.PING_CLASSES.isdisjoint((item.element.get("class") or "").split()):
            continue
        missing = item.missing()
        if missing:
            unread.append(UnreadComment(external_id=item.cid, missing=missing))
        else:
            out.append(item.record(page_no, len(out), clock))
    return ReadComments(out, unread, {item.cid for item in items})


def comment_ids(comment_list: Element | None) -> set[str]:
    """Every item id `read_comments` would see in the list, without reading the comments."""
    if comment_list is None:
        return set()
    items: list[_Item] = []
    by_element: dict[Element, _Item] = {}
    for node in sel.COMMENT_ITEM_NODES(comment_list):
        _take_item(node, node.get("id") or "", comment_list, items, by_element)
    return {item.cid for item in items}


def _take_item(
    node: Element,
    ident: str,
    comment_list: Element,
    items: list[_Item],
    by_element: dict[Element, _Item],
) -> bool:
    """Record `node` (whose @id is `ident`) as a comment item if it is one; False when it
    is no item (a part)."""
    m = sel.COMMENT_ID.match(ident)
    if m is None or node.tag not in ("li", "div", "article"):
        return False
    parent = _enclosing_item(node, comment_list, by_element, items_only=False)
    if parent is _DISPLACED:
        # Inside another comment's text: broken markup swallowed it, and its
        # place in the thread is unknown. Left unseen, so the repair is tried.
        return True
    if parent is not None and parent.cid == m.group(1):
        return True  # Twenty Ten/Eleven: li#li-comment-N holds the body #comment-N
    item = _Item(node, m.group(1), parent.cid if parent else None)
    items.append(item)
    by_element[node] = item
    return True


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

    def missing(self) -> tuple[str, ...]:
        """The parts no markup of the item gave: a name shown (the site's own
        "Anonymous" is one) and a text box."""
        no_author = self.author is None or not text_of(self.author).strip()
        no_text = self.content is None and self.body_box is None
        return (*(("author",) if no_author else ()), *(("text",) if no_text else ()))

    def record(self, page_no: int, position: int, clock: Callable[[], PageClock] | None) -> CommentRecord:
        author_url = None
        if self.author is not None:
            link = self.author if self.author.tag == "a" else next(self.author.iter("a"), None)
            author_url = link.get("href") if link is not None else None
        box = self.time_box if self.time_box is not None else self.element
        # Without the theme's date box, the first time[datetime] of the item is its own
        # (replies follow the item's own markup).
        stamp = next((t for t in box.iter("time") if t.get("datetime")), None)
        published_raw = stamp.get("datetime") if stamp is not None else None
        when = None
        if published_raw is None and self.time_box is not None and clock is not None:
            # Themes without html5 support show only a formatted date ("March 16, 2025 at
            # 10:42 am"): read in the site's zone where the page gives it, else kept raw.
            when = read_date(text_of(self.time_box), clock=clock())
        elif published_raw is None and self.time_box is not None:
            published_raw = text_of(self.time_box) or None
        content = self.content
        if content is None and self.body_box is not None:
            content = _text_of_body_box(self.body_box)
        return comment_record(
            external_id=self.cid,
            author_raw=text_of(self.author) if self.author is not None else "",  # see missing()
            author_url=author_url,
            published_raw=published_raw,
            parent_id=self.parent_id,
            content=content,
            page=page_no,
            position=position,
            when=when,
        )


def _text_of_body_box(body: Element) -> Element:
    """The comment's text from a non-html5 `div.comment-body`: the box without its byline,
    date line, reply link and moderation note (a copy; the page is left as it is)."""
    box = copy.deepcopy(body)
    for child in list(box):
        if sel.BODY_BOX_CHROME.intersection((child.get("class") or "").split()):
            remove_keeping_tail(child)
    return box


# Marks a comment item found inside another comment's text (see _enclosing_item).
_DISPLACED = _Item(etree.Element("displaced"), "", None)
