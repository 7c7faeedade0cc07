"""The shared comment reader: comment threads in the server-rendered markup of any theme or engine.

    read_any_comments(doc, page_no, clock) -> ReadComments

For pages the WordPress fast path (`wordpress_comments`) does not understand, and for
the other HTML engines. Items are found by what names a comment (ids `comment-N`,
`li-comment-N`, `div-comment-N`, wpDiscuz's `wpd-comm-N_P`, Blogger's `cN`, ids kept in a
class or a data- attribute, schema.org `Comment` microdata, else JSON-LD), outside
widgets, sidebars and the comment form. Each item's own parts (never a reply's) give
its author, date, text and threaded parent (nesting, plugin data attributes, `depth-N`
classes of flat lists, "in reply to" links). An item without an author or a text is
returned unread, never as a record (crawler.parsers.unread).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from lxml import etree

from crawler.parsers import comment_markup as cm
from crawler.parsers.comment_parts import author_of, date_of, text_box_of
from crawler.parsers.dates import PageClock, ReadDate, read_date, site_zone
from crawler.parsers.htmltext import Element, parse_fragment, text_of
from crawler.parsers.unread import UnreadComment
from crawler.parsers.wordpress_comments import ReadComments
from crawler.parsers.wordpress_common import comment_record
from storage.records import CommentRecord

__all__ = ["page_clock", "read_any_comments"]

# The post's own stamps, whose offset is the site's: Open Graph meta (an absolute path:
# no scan of the page), else the first time[datetime] outside the comments.
_HEAD_STAMPS = etree.XPath(
    "/html/head/meta[@property='article:published_time' or @property='article:modified_time'"
    " or @itemprop='datePublished']/@content"
)


def page_clock(doc: Element, fetched_at: datetime) -> PageClock:
    """What the page's dates are read against: the language of <html lang>, the site's
    zone as the post's stamps give it (None: unknown), the fetch time."""
    lang = (doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip()
    stamps = [str(s) for s in _HEAD_STAMPS(doc)]
    zone = site_zone(stamps)
    if zone is None:
        post_times = (t.get("datetime") or "" for t in doc.iter("time") if not _in_comment(t))
        zone = site_zone([s for _, s in zip(range(5), post_times, strict=False)])
    return PageClock(fetched_at=fetched_at, language=lang.split("-")[0].lower() or None, zone=zone)


def _in_comment(el: Element) -> bool:
    return any("comment" in (a.get("class") or "") or "comment" in (a.get("id") or "")
               for a in el.iterancestors())


class _Item:
    """One comment item: its element, id, parent, and the elements that are its own."""

    __slots__ = ("cid", "depth", "element", "parent_id")

    def __init__(self, element: Element, cid: str, parent_id: str | None, depth: int | None) -> None:
        self.element = element
        self.cid = cid
        self.parent_id = parent_id
        self.depth = depth


def read_any_comments(doc: Element, page_no: int, clock: PageClock) -> ReadComments:
    """The comments of the page in page order, the items that could not be read, and
    every item id seen."""
    items = _items(doc)
    if not items:
        return _json_ld_comments(doc, page_no, clock)
    elements = {item.element for item in items}
    known: set[str] = set()
    out: list[CommentRecord] = []
    unread: list[UnreadComment] = []
    for item in items:
        known.add(item.cid)
        if not cm.PING_CLASSES.isdisjoint((item.element.get("class") or "").split()):
            continue
        own = list(_own(item.element, elements))
        author, author_url, author_box = author_of(item.element, own)
        when, date_box = date_of(item.element, own, clock, author_box)
        box = text_box_of(item.element, own, [author_box, date_box])
        # A box left empty (no text, no image) shows no text either.
        empty = box is None or not (text_of(box) or next(box.iter("img"), None) is not None)
        missing = (*(("author",) if not author else ()), *(("text",) if empty else ()))
        if missing:
            unread.append(UnreadComment(external_id=item.cid, missing=missing))
            continue
        parent = item.parent_id or _linked_parent(own, item.cid, known)
        out.append(comment_record(
            external_id=item.cid, author_raw=author, author_url=author_url,
            published_raw=None, parent_id=parent, content=box, page=page_no,
            position=len(out), when=when,
        ))
    return ReadComments(out, unread, known)


# --- items ---------------------------------------------------------------------------


def _items(doc: Element) -> list[_Item]:
    """Every comment item outside widgets and forms, outermost element per id, in
    document order, with the parent its nesting or attributes give."""
    items: list[_Item] = []
    by_element: dict[Element, _Item] = {}
    seen: set[str] = set()
    last_at_depth: dict[int, str] = {}
    for el in doc.iter(*cm.ITEM_TAGS):
        ident = _item_id(el)
        if ident is None:
            continue
        cid, data_parent = ident
        if not len(el) and not (el.text or "").strip():
            # An empty anchor box before the comment (the Disqus plugin's fallback:
            # div#comment-N, then li#dsq-comment-N): the comment is the next element.
            el = el.getnext()
            while el is not None and not isinstance(el.tag, str):
                el = el.getnext()
            if el is None or el.tag not in cm.ITEM_TAGS or _item_id(el) is not None:
                continue
        enclosing = _enclosing(el, by_element)
        if enclosing is _EXCLUDED:
            continue
        if enclosing is not None and enclosing.cid == cid:
            continue  # the inner box of the same comment (li#li-comment-N > article#comment-N)
        if cid in seen:
            continue  # shown twice (a permalink box, an AMP copy): the first is the thread's
        depth = _depth(el)
        parent = enclosing.cid if enclosing is not None else data_parent or _indented_parent(el, by_element)
        if parent is None and depth is not None and depth > 1:
            parent = last_at_depth.get(depth - 1)  # a flat list: replies follow their parent
        item = _Item(el, cid, parent, depth)
        if depth is not None:
            last_at_depth[depth] = cid
        items.append(item)
        by_element[el] = item
        seen.add(cid)
    return items


def _item_id(el: Element) -> tuple[str, str | None] | None:
    """The comment id `el` carries (and the parent id its attributes give), or None."""
    ident = el.get("id")
    if ident:
        m = cm.ITEM_ID.match(ident)
        if m:
            if m.group(2):  # wpDiscuz: wpd-comm-ID_PARENT, parent 0 for a top-level one
                return m.group(2), (m.group(3) if m.group(3) != "0" else None)
            return m.group(1) or m.group(4), _data_parent(el)
    for name in cm.DATA_IDS:
        value = (el.get(name) or "").strip()
        if value.isdigit():
            return value, _data_parent(el)
    cls = el.get("class") or ""
    if "comment" in cls:
        m = cm.CLASS_ID.search(cls)
        if m:
            return m.group(1), _data_parent(el)
        if "comment" in cls.split():
            # Drupal 6-8: <a id="comment-N"></a> right before the comment's wrapper.
            prev = el.getprevious()
            while prev is not None and not isinstance(prev.tag, str):
                prev = prev.getprevious()
            if prev is not None and prev.tag == "a":
                m = cm.ITEM_ID.match(prev.get("id") or prev.get("name") or "")
                if m:
                    return m.group(1) or m.group(2) or m.group(4), _data_parent(el)
    itemtype = el.get("itemtype")
    if itemtype and cm.COMMENT_ITEMTYPE.search(itemtype):
        anchor = next((a for a in el.iter("a") if cm.ITEM_ID.match(a.get("id") or a.get("name") or "")), None)
        if anchor is not None:
            m = cm.ITEM_ID.match(anchor.get("id") or anchor.get("name") or "")
            assert m is not None
            return m.group(1) or m.group(2) or m.group(4), _data_parent(el)
    return None


def _data_parent(el: Element) -> str | None:
    for name in cm.DATA_PARENTS:
        value = (el.get(name) or "").strip()
        if value.isdigit() and value != "0":
            return value
    return None


def _depth(el: Element) -> int | None:
    m = cm.DEPTH_CLASS.search(el.get("class") or "")
    return int(m.group(1)) if m else None


def _enclosing(el: Element, by_element: dict[Element, _Item]) -> _Item | None:
    """The item `el` sits in, None at top level, or _EXCLUDED inside a widget or form."""
    for ancestor in el.iterancestors():
        item = by_element.get(ancestor)
        if item is not None:
            return item
        if ancestor.tag in ("body", "html"):
            return None  # body classes describe the layout ("sidebars"), not a widget
        classes = ancestor.get("class") or ""
        if cm.MAIN_WIDGET.search(classes):
            continue  # Blogger puts the post and its comments in "widget Blog"
        tokens = f"{classes} {ancestor.get('id') or ''}".lower().split()
        if ancestor.tag in ("aside", "form") or any(
            word in token for token in tokens if not cm.LAYOUT_TOKEN.match(token) for word in cm.NOT_THREAD
        ):
            return _EXCLUDED
    return None


def _indented_parent(el: Element, by_element: dict[Element, _Item]) -> str | None:
    """Replies in a box right after their parent's item, not inside it: Drupal's
    `div.indented`, Blogger's `div.comment-replies`, a list of replies (`ul`/`ol`) after
    the item's own box; the nearest such box that follows an item."""
    for ancestor in el.iterancestors():
        if ancestor in by_element or ancestor.tag in ("body", "html"):
            return None
        classes = (ancestor.get("class") or "").split()
        if ancestor.tag in ("ul", "ol") or "indented" in classes or "comment-replies" in classes:
            prev = ancestor.getprevious()
            while prev is not None and (prev.tag == "a" or not isinstance(prev.tag, str)):
                prev = prev.getprevious()  # the next item's anchor (<a id="comment-N">)
            item = by_element.get(prev) if prev is not None else None
            if item is not None:
                return item.cid
    return None


def _own(root: Element, items: set[Element]) -> Iterator[Element]:
    """The elements of `root` that are not inside another item (its replies), in order;
    for a `dt` byline also its `dd`s up to the next `dt` (Blogger's and Thesis's lists:
    the text and the date line are the byline's siblings)."""
    stack = list(reversed(root))
    if root.tag == "dt":
        following = []
        sibling = root.getnext()
        while sibling is not None and sibling.tag != "dt" and sibling not in items:
            if sibling.tag == "dd":
                following.append(sibling)
            sibling = sibling.getnext()
        stack = [*reversed(following), *stack]
    while stack:
        el = stack.pop()
        if el in items or not isinstance(el.tag, str):
            continue
        yield el
        stack.extend(reversed(el))


def _linked_parent(own: list[Element], cid: str, known: set[str]) -> str | None:
    """A parent named by a link of the item's own meta: "in reply to" (#comment-N) or a
    `replytocom` that is not the item's own reply link; only an earlier comment."""
    for el in own:
        if el.tag != "a":
            continue
        href = el.get("href") or ""
        cls = (el.get("class") or "").lower()
        m = cm.REPLYTOCOM.search(href)
        if m is None and ("reply-to" in cls or "in-reply" in cls or "parent" in cls):
            m = cm.REPLY_TO_FRAGMENT.search(href)
        if m is not None and m.group(1) != cid and m.group(1) in known:
            return m.group(1)
    return None


# --- JSON-LD ------------------------------------------------------------------------


def _json_ld_comments(doc: Element, page_no: int, clock: PageClock) -> ReadComments:
    """Comments a page states only as schema.org JSON-LD (`comment` of its article)."""
    out: list[CommentRecord] = []
    unread: list[UnreadComment] = []
    seen: set[str] = set()
    for script in doc.iter("script"):
        if (script.get("type") or "").strip().lower() != cm.JSON_LD or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for node, parent in _ld_comments(data, None):
            cid = _ld_id(node) or f"ld-{len(seen)}"
            if cid in seen:
                continue
            seen.add(cid)
            author = node.get("author")
            name = author.get("name") if isinstance(author, dict) else author
            text = node.get("text") or node.get("description")
            missing = (*(("author",) if not isinstance(name, str) or not name.strip() else ()),
                       *(("text",) if not isinstance(text, str) else ()))
            if missing:
                unread.append(UnreadComment(external_id=cid, missing=missing))
                continue
            stamp = node.get("dateCreated") or node.get("datePublished")
            when = read_date(None, machine=stamp, clock=clock) if isinstance(stamp, str) else ReadDate(raw=None)
            url = author.get("url") if isinstance(author, dict) else None
            out.append(comment_record(
                external_id=cid, author_raw=str(name), author_url=url if isinstance(url, str) else None,
                published_raw=None, parent_id=parent, content=parse_fragment(str(text)),
                page=page_no, position=len(out), when=when,
            ))
    return ReadComments(out, unread, seen)


def _ld_comments(data: object, parent: str | None) -> Iterator[tuple[dict[str, object], str | None]]:
    """Every Comment node under `data`, with the id of the Comment it is nested in."""
    if isinstance(data, list):
        for entry in data:
            yield from _ld_comments(entry, parent)
        return
    if not isinstance(data, dict):
        return
    kind = data.get("@type")
    mine = parent
    if kind == "Comment" or (isinstance(kind, list) and "Comment" in kind):
        yield data, parent
        mine = _ld_id(data)  # None without an id of its own: its replies' parent unknown
    for key in ("comment", "@graph", "mainEntity", "hasPart"):
        if key in data:
            yield from _ld_comments(data[key], mine)


def _ld_id(node: dict[str, object]) -> str | None:
    for key in ("@id", "url", "identifier"):
        value = node.get(key)
        if isinstance(value, (str, int)):
            m = cm.ITEM_ID.match(str(value).rsplit("#", 1)[-1]) or cm.ITEM_ID.match(f"comment-{value}")
            if m:
                return m.group(1) or m.group(2) or m.group(4)
    return None


_EXCLUDED = _Item(etree.Element("excluded"), "", None, None)
