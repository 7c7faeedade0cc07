"""Per-source CSS selectors, for a theme or engine nothing else recognises.

    selectors = { comment = "...", author = "...", date = "...", text = "...",
                  parent = "...", next_page = "..." }            (a source in the TOML)

`compile_selectors` checks them once, at config load (an unknown key or a selector that
does not parse is a config error naming the key); `read_with_selectors` reads a page's
comments with them. `comment` matches each comment item (document-wide); `author`,
`date`, `text` and `parent` are looked up inside the item (the first match; `author`
and `text` default to the shared reader's choice, `date` likewise); `parent` matches an
element whose `href` (`#comment-N`) or `id` names the comment replied to (default:
nesting of the matched items); `next_page` matches the link to the thread's next comment
page (document-wide). Pure.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml.cssselect import CSSSelector, SelectorError

from crawler.parsers import comment_markup as cm
from crawler.parsers.comment_parts import author_of, clean_author, date_of, text_box_of
from crawler.parsers.dates import PageClock, ReadDate, read_date
from crawler.parsers.htmltext import Element, text_of
from crawler.parsers.unread import UnreadComment
from crawler.parsers.wordpress_comments import ReadComments
from crawler.parsers.wordpress_common import comment_record
from storage.records import CommentRecord

__all__ = ["SELECTOR_KEYS", "BadSelectors", "SourceSelectors", "compile_selectors", "next_page_url", "read_with_selectors"]

class BadSelectors(ValueError):
    """A source's `selectors` table is wrong; the message starts with the key at fault."""


SELECTOR_KEYS = ("comment", "author", "date", "text", "parent", "next_page")
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True, kw_only=True)
class SourceSelectors:
    """A source's selectors, as written (CSS) and compiled."""

    css: tuple[tuple[str, str], ...]  # (key, selector) as written in the config

    def get(self, key: str) -> CSSSelector | None:
        value = dict(self.css).get(key)
        return _compiled(value) if value else None


def compile_selectors(table: object, where: str) -> SourceSelectors:
    """The selectors of `table`, each checked; BadSelectors names the key of a bad one."""
    if not isinstance(table, dict):
        raise BadSelectors(f"{where}: must be a table of CSS selectors ({', '.join(SELECTOR_KEYS)})")
    unknown = sorted(set(table) - set(SELECTOR_KEYS))
    if unknown:
        raise BadSelectors(f"{where}.{unknown[0]}: unknown selector (known: {', '.join(SELECTOR_KEYS)})")
    if "comment" not in table:
        raise BadSelectors(f"{where}.comment: missing: the selector of one comment item is required")
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise BadSelectors(f"{where}.{key}: must be a non-empty CSS selector")
        try:
            _compiled(value)
        except SelectorError as exc:
            raise BadSelectors(f"{where}.{key}: {value!r} is not a CSS selector ({exc})") from None
    return SourceSelectors(css=tuple((k, table[k]) for k in SELECTOR_KEYS if k in table))


_CACHE: dict[str, CSSSelector] = {}


def _compiled(css: str) -> CSSSelector:
    found = _CACHE.get(css)
    if found is None:
        found = _CACHE[css] = CSSSelector(css)
    return found


def read_with_selectors(doc: Element, selectors: SourceSelectors, page_no: int,
                        clock: PageClock) -> ReadComments:
    """The page's comments as the source's selectors find them."""
    match_item = selectors.get("comment")
    assert match_item is not None  # required at config load
    items = list(match_item(doc))
    elements = set(items)
    out: list[CommentRecord] = []
    unread: list[UnreadComment] = []
    seen: set[str] = set()
    ids: dict[Element, str] = {}
    for item in items:
        own = [el for el in item.iter() if el is not item and not _in_other(el, item, elements)]
        author_el = _first(selectors, "author", item)
        if author_el is not None:
            author, author_url = clean_author(text_of(author_el)), _href(author_el)
        else:
            author, author_url, author_el = author_of(item, own)
        date_el = _first(selectors, "date", item)
        if date_el is not None:
            machine = date_el.get("datetime") or date_el.get("content") or date_el.get("title")
            when = read_date(text_of(date_el), machine=machine, clock=clock)
        else:
            when, date_el = date_of(item, own, clock, author_el)
        text_el = _first(selectors, "text", item)
        box = text_el if text_el is not None else text_box_of(item, own, [author_el, date_el])
        cid = _item_id(item, author, when, seen)
        ids[item] = cid
        seen.add(cid)
        missing = (*(("author",) if not author else ()), *(("text",) if box is None else ()))
        if missing:
            unread.append(UnreadComment(external_id=cid, missing=missing))
            continue
        out.append(comment_record(
            external_id=cid, author_raw=author, author_url=author_url, published_raw=None,
            parent_id=_parent(selectors, item, ids, elements), content=box, page=page_no,
            position=len(out), when=when,
        ))
    return ReadComments(out, unread, seen)


def next_page_url(doc: Element, selectors: SourceSelectors | None, url: str) -> str | None:
    """The thread's next comment page, as `next_page` finds it (None: none, or no selector)."""
    match = selectors.get("next_page") if selectors is not None else None
    if match is None:
        return None
    link = next((el for el in match(doc) if el.get("href")), None)
    return urljoin(url, link.get("href") or "").split("#", 1)[0] if link is not None else None


def _first(selectors: SourceSelectors, key: str, item: Element) -> Element | None:
    match = selectors.get(key)
    return next(iter(match(item)), None) if match is not None else None


def _href(el: Element) -> str | None:
    link = el if el.tag == "a" else next(el.iter("a"), None)
    return link.get("href") if link is not None else None


def _in_other(el: Element, item: Element, elements: set[Element]) -> bool:
    for ancestor in el.iterancestors():
        if ancestor is item:
            return False
        if ancestor in elements:
            return True
    return False


def _item_id(item: Element, author: str, when: ReadDate, seen: set[str]) -> str:
    """The comment's id: from its @id or a data- attribute; else a hash of what it shows
    first (author and date), stable across crawls as long as those are."""
    for value in (item.get("id"), *(item.get(name) for name in cm.DATA_IDS)):
        m = cm.ITEM_ID.match(value or "") or _DIGITS.search(value or "")
        if m:
            return next(g for g in m.groups() if g)
    digest = hashlib.sha256(f"{author}\0{when.raw or ''}".encode()).hexdigest()[:12]
    cid, n = f"h{digest}", 1
    while cid in seen:
        n += 1
        cid = f"h{digest}-{n}"
    return cid


def _parent(selectors: SourceSelectors, item: Element, ids: dict[Element, str],
            elements: set[Element]) -> str | None:
    match = selectors.get("parent")
    if match is not None:
        el = next(iter(match(item)), None)
        if el is None:
            return None
        m = _DIGITS.search((el.get("href") or "").rsplit("#", 1)[-1] or el.get("id") or text_of(el))
        return m.group(1) if m else None
    for ancestor in item.iterancestors():
        if ancestor in elements:
            return ids.get(ancestor)
    return None


