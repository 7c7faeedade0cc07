"""The parts of one comment item, for the shared reader: its author, its date, its text box.

Each takes the item's element and its own elements (the item's subtree without its
replies, in document order) and looks for the most specific markup first
(`crawler.parsers.comment_markup` says which and why). Pure.
"""

from __future__ import annotations

import copy
from dataclasses import replace

from lxml import etree

from crawler.parsers import comment_markup as cm
from crawler.parsers.dates import PageClock, ReadDate, read_date
from crawler.parsers.htmltext import Element, remove_keeping_tail, text_of

__all__ = ["author_of", "clean_author", "date_of", "text_box_of"]


def _classes(el: Element) -> list[str]:
    return (el.get("class") or "").split()


def _first(own: list[Element], tokens: frozenset[str]) -> Element | None:
    return next((el for el in own if not tokens.isdisjoint(_classes(el))), None)


# --- author ------------------------------------------------------------------------


def author_of(item: Element, own: list[Element]) -> tuple[str, str | None, Element | None]:
    """The name the comment shows for its author ("" when none), the profile URL, and
    the element the name was read from (None: the item's own leading text)."""
    box = next((el for el in own if el.get("itemprop") == "author"), None)
    if box is not None:
        box = next((el for el in box.iter() if el.get("itemprop") == "name"), box)
    if box is None:
        box = _first(own, cm.AUTHOR_CLASSES[0])
    # get_comment_author_link(): <a class="url"> around the name, also inside a box that
    # holds more ("Twitter: ...").
    linked = next((el for el in (box.iter("a") if box is not None else own)
                   if el.tag == "a" and "url" in _classes(el)), None)
    if linked is not None:
        box = linked
    # A box that holds only the name (a name box, its link): no "by" to take off it
    # ("Di Analyst", "Von Miller" are names).
    named = box is not None
    if box is None:
        box = _first(own, cm.AUTHOR_CLASSES[1])
    if box is None:
        box = next((el for el in own if el.tag == "cite"), None)
    if box is None:  # a theme's own spelling: "sidecommentauthor", "comment-author-info"
        box = next((el for el in own if "author" in (el.get("class") or "")
                    and "avatar" not in (el.get("class") or "")), None)
    name = clean_author(_before_date(_name_text(box)), prefix=not named) if box is not None else ""
    if not name:
        for lead in _lead_boxes(item, own):
            box, name = _lead_name(lead)
            if name:
                break
    if not name and not cm.AUTHOR_CLASSES[1].isdisjoint(_classes(item)):
        # The item is its own byline (Blogger's `dt.comment-author`: "<img> Ann
        # <span>#</span> said..."), its text box a sibling.
        box, name = item, clean_author(_name_text(item))
    if not name:
        return "", None, None
    link = None
    if box is not None:
        link = box if box.tag == "a" else next(box.iter("a"), None)
        parent = box.getparent()
        if link is None and parent is not None and parent.tag == "a":
            link = parent
    url = link.get("href") if link is not None else None
    return name, (url if url and "#" not in url[:1] else None), box


def _lead_boxes(item: Element, own: list[Element]) -> list[Element]:
    """Where a name stands first when no markup names it: the meta boxes, the item's own
    headings, the byline `dt` of Thesis, the item itself."""
    boxes = [el for el in own if not cm.META_CLASSES.isdisjoint(_classes(el))]
    # A heading is a byline only when it holds more than its text ("Ann <span>On
    # Friday…</span>", "<strong>Ann</strong> says:"): a plain one is the comment's title
    # (Drupal's subjects).
    boxes += [el for el in own if el.tag in cm.HEADINGS
              and (len(el) or cm.SAYS.search(text_of(el)))]
    return [*boxes, item]


def _lead_name(box: Element) -> tuple[Element | None, str]:
    """The name a box starts with: its leading text up to the date ("Heather on October
    23rd" -> "Heather"), else its first strong, b, span or link (not a permalink, a
    number or a date) when the text hands over to it ("By <a>Ann</a>")."""
    lead = (box.text or "").strip()
    if lead:
        name = _lead_text_name(lead)
        if not cm.INTO_NAME.search(lead) or (name and cm.BY_PREFIX.sub("", f"{name} ").strip()):
            return None, name  # "Heather on October 23rd", "Ann — May 3"
    for child in box:  # "By <a>Ann</a>", "Fri, 2012-11-09 17:18 — <a>Ann</a>", "<img> Ann"
        if not isinstance(child.tag, str) or child.tag in ("img", "br"):
            if child.tag == "img" and (child.tail or "").strip():
                return None, _lead_text_name(child.tail or "")  # <img> Ann says:
            continue
        if child.tag in ("p", "div", "ul", "li") and not (child.text or "").strip():
            box, name = _lead_name(child)  # <p><strong>lucky</strong> said,</p>
            if name:
                return box, name
            continue
        href = child.get("href") or next((a.get("href") or "" for a in child.iter("a")), "")
        text = text_of(child)
        if href.startswith("#") or "#comment" in href or not text or cm.NOT_A_NAME.search(text):
            tail = " ".join((child.tail or "").split())
            if not href and cm.NOT_A_NAME.match(text) and tail:
                return None, _lead_text_name(tail)  # <span>#2</span> Sander
            if cm.SAYS.search(tail):  # At <a>4/19/2005</a>, Ann said...
                return None, _lead_text_name(tail.lstrip(" ,:;"))
            continue  # a permalink, a comment number ("#1"), a date, an empty box
        if child.tag not in ("a", "strong", "b", "span", "cite") and child.tag not in cm.HEADINGS:
            break
        return child, clean_author(_name_text(child))
    return None, ""


def _lead_text_name(lead: str) -> str:
    """The name a line of text starts with, up to the date or "says", or the short name
    after a leading date ("Fri, 2012-11-09 15:30 — Ann (not verified)"); "" if none."""
    parts = cm.NAME_SEPARATOR.split(" ".join(lead.split()), maxsplit=1)
    name = clean_author(cm.COMMENT_NUMBER.sub("", parts[0]))
    if cm.NOT_A_NAME.search(name) and len(parts) == 2:
        name = clean_author(cm.NAME_SEPARATOR.split(parts[1], maxsplit=1)[0])
        if len(name.split()) > _NAME_WORDS:
            return ""  # a sentence after the date is the comment, not its author
    return "" if cm.NOT_A_NAME.search(name) else name


_NAME_WORDS = 5  # the most words a name after a date has ("Vox Populi - Agent Provocateur")


def _before_date(name: str) -> str:
    """A byline's name without the date it runs on into: "Dawn — January 7, 2008 @ 8:48
    pm", "Trevor | Posted at 12:45pm", "TonyZ (6 days ago)" (a remainder that is no date
    stays: "Tom - Paris", "Ann (Paris)")."""
    bracket = cm.BRACKETED_END.search(name)
    if bracket and cm.NOT_A_NAME.search(bracket.group(1)) and name[:bracket.start()].strip():
        return name[:bracket.start()]
    parts = cm.NAME_SEPARATOR.split(name, maxsplit=1)
    return parts[0] if len(parts) == 2 and parts[0].strip() and cm.NOT_A_NAME.search(parts[1]) else name


def _name_text(box: Element) -> str:
    """The box's text without its chrome ("says:", badges, screen-reader text, dates)."""
    if not len(box):
        return text_of(box)
    copied = copy.deepcopy(box)
    for el in list(copied.iter()):
        if el is copied or not isinstance(el.tag, str):
            continue
        cls = (el.get("class") or "").lower()
        # Also the date and reply boxes some themes put inside the author box, and a
        # child that reads as a date ("Miles Taylor <span>12 days ago</span>").
        if el.tag in ("time", "img", "script", "style") or any(word in cls for word in cm.AUTHOR_CHROME) \
                or not cm.DATE_CLASSES[0].isdisjoint(cls.split()) \
                or (el.tag != "a" and cm.NOT_A_NAME.search(text_of(el))):
            el.tail = " " + (el.tail or "")  # "Ann<span>Autor</span>Bo" is not "AnnBo"
            remove_keeping_tail(el)
    return text_of(copied)


def clean_author(name: str, *, prefix: bool = True) -> str:
    """A displayed name without "says:", a leading "by"/"par" (with `prefix`) or a
    trailing role badge."""
    name = " ".join(name.split())
    for _ in range(2):  # "Ann (Autor) sagt:" needs both
        name = cm.SAYS.sub("", name)
        name = cm.ROLE_SUFFIX.sub("", name) if cm.ROLE_SUFFIX.sub("", name) else name
    return (cm.BY_PREFIX.sub("", name) if prefix else name).strip(" :,-–")


# --- date --------------------------------------------------------------------------


def _read_box_date(text: str, clock: PageClock) -> ReadDate:
    """A date box's text as a date; else each part of it ("Fri, 2012-11-09 18:05 — Jeff
    Moore": the date beside the byline)."""
    dated = read_date(text, clock=clock)
    if dated.understood:
        return dated
    parts = [p for p in cm.DATE_PARTS.split(text) if p]
    # The longest run of leading parts first ("Thu, 08/09/2012 - 14:32 | 2691789" is
    # "Thu, 08/09/2012 14:32"), then each part alone.
    candidates = [" ".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)] + parts[1:]
    for candidate_text in candidates:
        candidate = read_date(candidate_text, clock=clock)
        if candidate.understood:
            return replace(candidate, raw=dated.raw)  # the raw value is the box's, as shown
    return dated


def date_of(item: Element, own: list[Element], clock: PageClock,
            author_box: Element | None = None) -> tuple[ReadDate, Element | None]:
    """The comment's date (a machine stamp of its own, else a date box's title or text,
    a permalink's text, the words after the name) and the element it was read from."""
    for el in own:
        if el.tag == "time" and el.get("datetime"):
            return read_date(text_of(el), machine=el.get("datetime"), clock=clock), el
        if el.get("itemprop") in cm.DATE_ITEMPROPS:
            stamp = el.get("content") or el.get("datetime")
            if stamp:
                return read_date(text_of(el), machine=stamp, clock=clock), el
        if el.get("content") and cm.RDF_CREATED.search(el.get("property") or ""):
            return read_date(text_of(el), machine=el.get("content"), clock=clock), el  # Drupal's RDF
        if el.tag == "abbr" and el.get("title") and "published" in _classes(el):
            return read_date(el.get("title"), machine=el.get("title"), clock=clock), el  # hAtom
    strong = [_first(own, tokens) for tokens in cm.DATE_CLASSES]
    boxes: list[Element | None] = []
    # A theme's own spelling ("c-date", "comment-meta-time"); the permalink (a#comment-N)
    # of many themes, which shows the date as its text; headings other than the name's.
    boxes += [el for el in own if any(word in (el.get("class") or "") for word in ("date", "time", "info", "submitted", "meta"))]
    boxes += [el for el in own if el.tag == "a" and cm.PERMALINK.search(el.get("href") or "")]
    boxes += [el for el in own if el.tag in cm.HEADINGS
              and not (author_box is not None and _holds(el, author_box))]
    # A short paragraph of its own: "<p>August 9th, 2012 at 8:41 am</p>".
    boxes += [el for el in own if el.tag == "p" and len(text_of(el)) <= 48 and not len(el)]
    boxes += [el for el in own if el.tag in ("em", "i") and not _in_text_box(el)]
    # Last: the small print and the spans of headings ("On Friday, November 2 at 2:57 pm").
    boxes += [el for el in own if el.tag == "small" or (el.tag == "span" and el.getparent() is not None
                                                         and el.getparent().tag in cm.HEADINGS)]  # type: ignore[union-attr]
    # The lines of a byline box ("<ul><li>November 1, 2012</li><li>Mike T</li></ul>"),
    # and a date in brackets after the name ("TonyZ (6 days ago)").
    boxes += [line for el in own if not cm.META_CLASSES.isdisjoint(_classes(el))
              for line in el.iter("li", "span", "p") if len(text_of(line)) <= _LINE]
    if author_box is not None and (bracket := cm.BRACKETED_END.search(text_of(author_box))):
        boxes.append(_text_element(bracket.group(1)))
    # The theme's date boxes give their text even when unread; the guesses after them
    # only a text that reads as a date.
    for box, weak in [*((b, False) for b in strong), *((b, True) for b in boxes)]:
        if box is None:
            continue
        titled = box.get("title") or next((el.get("title") for el in box.iter() if el.get("title")), None)
        if titled:
            dated = read_date(titled, clock=clock)
            # The absolute time in the title, over a relative text ("5 days ago": wpDiscuz,
            # Thrive), even where the site's zone is unknown.
            if dated.at is not None or (dated.understood and read_date(text_of(box), clock=clock).approximate):
                return dated, box
        dated = _read_box_date(text_of(box), clock)
        if dated.understood or (dated.raw and not weak):
            return dated, box
    # "Heather on October 23rd, 2012 1:37 pm": after the name, in the item's own text
    # or a byline box's ("Posted by tj on November 5, 2012 at 7:56 am").
    after = ""
    for box in (item, *(el for el in own if not cm.META_CLASSES.isdisjoint(_classes(el)))):
        parts = cm.NAME_SEPARATOR.split(" ".join((box.text or "").split()), maxsplit=1)
        tail = parts[1].rstrip(" |—–•·-") if len(parts) == 2 else ""
        if tail and read_date(tail, clock=clock).understood:
            after = tail  # "… at 7:56 am | permalink": the date without the separator
            break
        if len(parts) == 2 and box is not item and read_date(parts[0], clock=clock).understood:
            after = parts[0]  # the date before the name: "October 24, 2012 | <a>Chris</a>"
            break
    if not after and author_box is not None and author_box.tail:
        after = cm.NAME_SEPARATOR.sub(" ", " " + " ".join(author_box.tail.split()) + " ", count=1)
    dated = read_date(after.strip(), clock=clock) if after.strip() else ReadDate(raw=None)
    return (dated, None) if dated.understood else (ReadDate(raw=None), None)


_LINE = 48  # the longest line of a byline box that may be its date


def _text_element(text: str) -> Element:
    """A box holding only `text`: a date that is part of another box's text."""
    made = etree.Element("span")
    made.text = text
    return made


# --- text --------------------------------------------------------------------------


def text_box_of(item: Element, own: list[Element], parts: list[Element | None]) -> Element | None:
    """The element holding the comment's text (a copy without the comment's byline and
    date when it holds them: `parts`), or a box of its own paragraphs; None."""
    box = next((el for el in own if el.get("itemprop") in ("text", "commentText")), None)
    if box is None:
        box = _first(own, cm.BODY_FIELDS)
    if box is None:
        box = _first(own, cm.TEXT_CLASSES[0])
    if box is None and item.tag == "dt":
        following = item.getnext()
        if following is not None and following.tag == "dd":
            return following
    if box is None:
        box = _first(own, cm.TEXT_CLASSES[1])
    if box is not None:
        return _without_chrome(box, parts)
    paragraphs = [el for el in own if el.tag == "p" and not _in_chrome(el, item, parts)
                  and not any(part is not None and _holds(el, part) for part in parts)]
    if not paragraphs:
        return None
    made = item.makeelement("div", {})
    made.extend(copy.deepcopy(p) for p in paragraphs if p.getparent() not in paragraphs)
    return made


def _in_text_box(el: Element) -> bool:
    """Whether `el` is inside a comment's paragraphs (an emphasis of the text, not meta)."""
    return any(a.tag in ("p", "blockquote") or not cm.TEXT_CLASSES[0].isdisjoint(_classes(a))
               for a in el.iterancestors())


def _holds(el: Element, part: Element) -> bool:
    return el is part or any(a is el for a in part.iterancestors())


def _in_chrome(el: Element, item: Element, parts: list[Element | None]) -> bool:
    """Whether `el` sits in a byline, reply or avatar box of the item (a box that also
    holds the comment's byline or date is the comment's wrapper, not chrome)."""
    for ancestor in el.iterancestors():
        if ancestor is item:
            return False
        cls = (ancestor.get("class") or "").lower()
        if any(word in cls for word in cm.TEXT_CHROME) and not any(
            part is not None and _holds(ancestor, part) for part in parts
        ):
            return True
    return False


def _without_chrome(box: Element, parts: list[Element | None]) -> Element:
    """The box as it is, or a copy without what is not the comment's text: children
    that are bylines, meta, reply links or avatars, and the line holding its byline or
    date (`parts`: the largest element around each that holds no other block)."""
    drop = [child for child in box if isinstance(child.tag, str) and (
        any(word in (child.get("class") or "").lower() for word in cm.TEXT_CHROME)
        or child.tag in ("footer", "header"))]
    for part in parts:
        if part is None or part is box or not _holds(box, part):
            continue
        line = part
        while (parent := line.getparent()) is not None and parent is not box and not any(
            sibling is not line and isinstance(sibling.tag, str) and sibling.tag in _BLOCKS
            for sibling in parent
        ):
            line = parent
        drop.append(line)
    if not drop:
        return box
    copied = copy.deepcopy(box)
    twins = dict(zip(box.iter(), copied.iter(), strict=True))
    for original in drop:
        remove_keeping_tail(twins[original])
    return copied


_BLOCKS = frozenset(("p", "div", "ul", "ol", "blockquote", "pre", "table", "dl"))
