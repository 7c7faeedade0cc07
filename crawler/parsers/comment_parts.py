"""The parts of one comment item, for the shared reader: its author, its date, its text box.

Each takes the item's element and its own elements (the item's subtree without its
replies, in document order) and looks for the most specific markup first
(`crawler.parsers.comment_markup` says which and why). Pure.
"""

from __future__ import annotations

import copy

from crawler.parsers import comment_markup as cm
from crawler.parsers.dates import PageClock, ReadDate, read_date
from crawler.parsers.htmltext import Element, text_of

__all__ = ["author_of", "clean_author", "date_of", "text_box_of"]


def _classes(el: Element) -> list[str]:
    return (el.get("class") or "").split()


def _first(own: list[Element], tokens: frozenset[str]) -> Element | None:
    return next((el for el in own if not tokens.isdisjoint(_classes(el))), None)


# --- author ------------------------------------------------------------------------


def author_of(item: Element, own: list[Element]) -> tuple[str, str | None]:
    """The name the comment shows for its author ("" when none) and the profile URL."""
    box = next((el for el in own if el.get("itemprop") == "author"), None)
    if box is not None:
        box = next((el for el in box.iter() if el.get("itemprop") == "name"), box)
    for tokens in cm.AUTHOR_CLASSES:
        if box is None:
            box = _first(own, tokens)
    if box is None:
        box = next((el for el in own if el.tag == "cite"), None)
    if box is None:
        meta = _first(own, cm.META_CLASSES)
        if meta is None and item.tag == "dt":
            meta = item  # Thesis: dt holds the byline, dd the text
        if meta is not None:
            box = next((el for el in meta.iter("strong", "b", "a") if el.get("href", "").find("#") == -1
                        or el.tag != "a"), None)
    if box is None:
        return "", None
    name = clean_author(_name_text(box))
    link = box if box.tag == "a" else next(box.iter("a"), None)
    url = link.get("href") if link is not None else None
    if url is None and box.getparent() is not None and box.getparent().tag == "a":  # type: ignore[union-attr]
        url = box.getparent().get("href")  # type: ignore[union-attr]
    return name, url or None


def _name_text(box: Element) -> str:
    """The box's text without its chrome ("says:", badges, screen-reader text, dates)."""
    if not len(box):
        return text_of(box)
    copied = copy.deepcopy(box)
    for el in list(copied.iter()):
        if el is copied or not isinstance(el.tag, str):
            continue
        cls = (el.get("class") or "").lower()
        if el.tag in ("time", "img", "script", "style") or any(word in cls for word in cm.AUTHOR_CHROME):
            parent = el.getparent()
            if parent is not None:
                tail = el.tail or ""
                prev = el.getprevious()
                if prev is not None:
                    prev.tail = (prev.tail or "") + " " + tail
                else:
                    parent.text = (parent.text or "") + " " + tail
                parent.remove(el)
    return text_of(copied)


def clean_author(name: str) -> str:
    """A displayed name without "says:", a leading "by"/"par" or a trailing role badge."""
    name = " ".join(name.split())
    for _ in range(2):  # "Ann (Autor) sagt:" needs both
        name = cm.SAYS.sub("", name)
        name = cm.ROLE_SUFFIX.sub("", name) if cm.ROLE_SUFFIX.sub("", name) else name
    return cm.BY_PREFIX.sub("", name).strip(" :,-–")


# --- date --------------------------------------------------------------------------


def date_of(own: list[Element], clock: PageClock) -> ReadDate:
    """The comment's date: a machine stamp of its own, else a date box's title or text."""
    for el in own:
        if el.tag == "time" and el.get("datetime"):
            return read_date(text_of(el), machine=el.get("datetime"), clock=clock)
        if el.get("itemprop") in cm.DATE_ITEMPROPS:
            stamp = el.get("content") or el.get("datetime")
            if stamp:
                return read_date(text_of(el), machine=stamp, clock=clock)
        if el.tag == "abbr" and el.get("title") and "published" in _classes(el):
            return read_date(el.get("title"), machine=el.get("title"), clock=clock)  # hAtom
    for tokens in cm.DATE_CLASSES:
        box = _first(own, tokens)
        if box is None:
            continue
        titled = box.get("title") or next((el.get("title") for el in box.iter() if el.get("title")), None)
        if titled:
            dated = read_date(titled, clock=clock)
            if dated.at is not None or dated.raw:
                return dated
        dated = read_date(text_of(box), clock=clock)
        if dated.raw:
            return dated
    return ReadDate(raw=None)


# --- text --------------------------------------------------------------------------


def text_box_of(item: Element, own: list[Element]) -> Element | None:
    """The element holding the comment's text, or a box of its own paragraphs; None."""
    box = next((el for el in own if el.get("itemprop") in ("text", "commentText")), None)
    if box is None:
        box = _first(own, cm.TEXT_CLASSES[0])
    if box is None and item.tag == "dt":
        following = item.getnext()
        if following is not None and following.tag == "dd":
            return following
    if box is None:
        wrapper = _first(own, cm.TEXT_CLASSES[1])
        if wrapper is not None:
            return _without_chrome(wrapper)
    if box is None:
        paragraphs = [el for el in own if el.tag == "p" and not _in_chrome(el, item)]
        if paragraphs:
            box = item.makeelement("div", {})
            box.extend(copy.deepcopy(p) for p in paragraphs)
    return box


def _in_chrome(el: Element, item: Element) -> bool:
    for ancestor in el.iterancestors():
        if ancestor is item:
            return False
        cls = (ancestor.get("class") or "").lower()
        if any(word in cls for word in cm.TEXT_CHROME):
            return True
    return False


def _without_chrome(box: Element) -> Element:
    """A copy of a wrapper box without its byline, meta, reply links and avatars."""
    copied = copy.deepcopy(box)
    for child in list(copied):
        cls = (child.get("class") or "").lower() if isinstance(child.tag, str) else ""
        if any(word in cls for word in cm.TEXT_CHROME) or child.tag in ("footer", "header"):
            if child.tail:
                prev = child.getprevious()
                if prev is not None:
                    prev.tail = (prev.tail or "") + child.tail
                else:
                    copied.text = (copied.text or "") + child.tail
            copied.remove(child)
    return copied
