"""A comment's HTML fragment seen as blocks: its own paragraphs (text with link spans) and its blockquotes.

A blockquote inside a blockquote ("X quoting Y", pasted with X's words) is a quote of
its own: the outer quote holds X's words without Y's, the inner one Y's, each with the
source its own markup cites.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from lxml import etree

from crawler.normalize.text import PARAGRAPH_BREAK

__all__ = ["Blockquote", "Fragment", "Link", "Paragraph", "fragment_from_text", "parse_fragment"]

# Elements that start a new paragraph of visible text; everything else flows inline.
_BLOCK_TAGS = frozenset(
    ["p", "div", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "section", "article", "aside", "header", "footer", "figure", "figcaption", "hr", "address", "details", "summary"]
)
# Never visible text.
_SKIP_TAGS = frozenset(["script", "style", "template", "noscript", "head", "title"])
_SPACES = re.compile(r"\s+")
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
# A cited source is a web address, not an in-page anchor or a mailto.
_WEB_URL = re.compile(r"^https?://", re.IGNORECASE)
# A line after a blockquote this short ("Source: <a>…</a>", "— via Reuters") credits it.
_CREDIT_WORDS = 8


@dataclass(frozen=True, slots=True)
class Link:
    """An <a href> inside a paragraph: [start, end) offsets into the paragraph text."""

    start: int
    end: int
    href: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of the comment's own text, whitespace collapsed, with its links."""

    text: str
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, slots=True)
class Blockquote:
    """A blockquote: its own paragraphs (without those of blockquotes nested in it) and
    the URL the markup cites for it, if any."""

    paragraphs: tuple[str, ...]
    cite_url: str | None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True, slots=True)
class Fragment:
    """The comment outside its blockquotes (`own`), its blockquotes at every depth
    (`quotes`, in document order: an outer one before those nested in it), and every
    paragraph shown inside a top-level blockquote (`quoted`, in document order)."""

    own: tuple[Paragraph, ...]
    quotes: tuple[Blockquote, ...]
    quoted: tuple[str, ...] = ()


_Item: TypeAlias = "Paragraph | _Quoted"  # a top-level block: own paragraph or blockquote


class _Builder:
    """Accumulates inline text with collapsed whitespace and emits paragraphs."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.size = 0
        self.links: list[Link] = []
        self.pending_space = False
        self.paragraphs: list[Paragraph] = []

    def _emit(self, text: str) -> None:
        self.pieces.append(text)
        self.size += len(text)

    def _last(self) -> str:
        return self.pieces[-1][-1] if self.pieces else "\n"

    def add(self, text: str | None) -> None:
        if not text:
            return
        # str.split() knows the same Unicode whitespace as \s, at a fraction of re.sub's cost.
        core = " ".join(text.split())
        if text[0].isspace():
            self.pending_space = True
        if not core:
            return
        self.mark()
        self._emit(core)
        self.pending_space = text[-1].isspace()

    def mark(self) -> int:
        """Current offset, after any pending space: where the next visible character goes."""
        if self.pending_space and self._last() not in " \n":
            self._emit(" ")
        self.pending_space = False
        return self.size

    def newline(self) -> None:
        if not self.pieces:
            return
        if self.pieces[-1] == " ":
            self.pieces.pop()
            self.size -= 1
        self._emit("\n")
        self.pending_space = False

    def link(self, start: int, href: str | None) -> None:
        if href is not None and self.size > start:
            self.links.append(Link(start, self.size, href.strip()))

    def flush(self) -> Paragraph | None:
        if not self.pieces:  # nothing since the last block boundary (links need pieces)
            self.pending_space = False
            return None
        text = "".join(self.pieces).rstrip()
        para = None
        if text:
            links = tuple(
                Link(k.start, min(k.end, len(text)), k.href) for k in self.links if k.start < len(text)
            )
            para = Paragraph(text, links)
            self.paragraphs.append(para)
        self.pieces, self.size, self.links, self.pending_space = [], 0, [], False
        return para


# What a walk does with a blockquote it meets: None renders it as a block of text.
_OnQuote = Callable[[etree._Element], None] | None


def _walk(el: etree._Element, b: _Builder, items: list[_Item] | None, on_quote: _OnQuote) -> None:
    """Render `el`'s content into `b` (paragraphs into `items` too, when given); each
    blockquote goes to `on_quote` when there is one."""
    b.add(el.text)
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):  # comments, processing instructions: only their tail shows
            pass
        elif tag == "blockquote" and on_quote is not None:
            _flush_into(b, items)
            on_quote(child)
        elif tag in _SKIP_TAGS:
            pass
        elif tag == "br":
            b.newline()
        elif tag in _BLOCK_TAGS or tag == "blockquote":
            _flush_into(b, items)
            _walk(child, b, items, on_quote)
            _flush_into(b, items)
        elif tag == "a":
            start = b.mark()
            _walk(child, b, items, on_quote)
            b.link(start, child.get("href"))
        else:
            _walk(child, b, items, on_quote)
        b.add(child.tail)


def _flush_into(b: _Builder, items: list[_Item] | None) -> None:
    para = b.flush()
    if para is not None and items is not None:
        items.append(para)


@dataclass(slots=True)
class _Quoted:
    """A top-level blockquote as read: the paragraphs it shows, and its quotes at every depth."""

    shown: tuple[str, ...]
    levels: list[Blockquote]


def _quoted(el: etree._Element) -> _Quoted:
    shown = _Builder()
    _walk(el, shown, None, None)
    shown.flush()
    # A blockquote without any text is still one (a quote of nothing known: "unknown").
    levels = _levels(el) or [Blockquote((), _markup_cite(el, shown))]
    return _Quoted(tuple(p.text for p in shown.paragraphs), levels)


def _levels(el: etree._Element) -> list[Blockquote]:
    """The blockquote `el` without its nested blockquotes, then each of those (depth first).

    A level with no words of its own (a blockquote that only wraps another) is no quote.
    """
    inner = _Builder()
    nested: list[Blockquote] = []
    _walk(el, inner, None, lambda child: nested.extend(_levels(child)))
    inner.flush()
    own = tuple(p.text for p in inner.paragraphs)
    return ([Blockquote(own, _markup_cite(el, inner))] if own else []) + nested


def _markup_cite(el: etree._Element, inner: _Builder) -> str | None:
    """The source the blockquote itself names: its cite attribute, else a link inside it."""
    cite = (el.get("cite") or "").strip()
    if _WEB_URL.match(cite):
        return cite
    for para in inner.paragraphs:
        for link in para.links:
            if _WEB_URL.match(link.href):
                return link.href
    return None


def _web_link(para: Paragraph, last: bool) -> str | None:
    links = reversed(para.links) if last else iter(para.links)
    for link in links:
        if _WEB_URL.match(link.href) and "#comment-" not in link.href:
            return link.href
    return None


def _with_neighbour_cites(items: list[_Item]) -> None:
    """Give an uncited top-level blockquote the link of the paragraph that introduces or
    credits it.

    "As the Times reported (<a>link</a>):" right before a blockquote introduces it; a short
    "Source: <a>link</a>" line right after credits it.
    """
    for n, item in enumerate(items):
        if not isinstance(item, _Quoted) or not item.levels or item.levels[0].cite_url is not None:
            continue
        before = items[n - 1] if n else None
        after = items[n + 1] if n + 1 < len(items) else None
        url = _web_link(before, last=True) if isinstance(before, Paragraph) else None
        if url is None and isinstance(after, Paragraph) and len(after.text.split()) <= _CREDIT_WORDS:
            url = _web_link(after, last=False)
        if url is not None:
            item.levels[0] = Blockquote(item.levels[0].paragraphs, url)


def parse_fragment(body_html: str) -> Fragment:
    """Split a comment's inner HTML into own paragraphs and blockquotes."""
    if not body_html.strip():
        return Fragment((), ())
    # libxml2's HTML parser straight from etree: a third of lxml.html.fragment_fromstring's
    # cost. The wrapper keeps leading text out of an implied <p>; walking <body> rather
    # than the wrapper keeps whatever a stray "</div>" pushes out of it.
    doc = etree.fromstring("<div>" + body_html + "</div>", _PARSER)
    body = doc.find("body") if doc is not None else None
    if body is None:
        return Fragment((), ())
    items: list[_Item] = []
    b = _Builder()
    _walk(body, b, items, lambda child: items.append(_quoted(child)))
    _flush_into(b, items)
    _with_neighbour_cites(items)
    own = tuple(i for i in items if isinstance(i, Paragraph))
    blocks = [i for i in items if isinstance(i, _Quoted)]
    quotes = tuple(q for block in blocks for q in block.levels)
    return Fragment(own, quotes, tuple(p for block in blocks for p in block.shown))


def fragment_from_text(body_text: str) -> Fragment:
    """A fragment for a comment that came without HTML: paragraphs of its text, no links."""
    paras = (_SPACES.sub(" ", p).strip() for p in PARAGRAPH_BREAK.split(body_text))
    return Fragment(tuple(Paragraph(p) for p in paras if p), ())
