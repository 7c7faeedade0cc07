"""HTML helpers shared by the WordPress parsers: parsing, inner HTML, visible text, times.

The HTML path and the REST path both run comment and post bodies through these same
functions, so a body read from a theme page and the same body read from the REST API
serialize and normalize to identical strings.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from functools import lru_cache

from lxml import etree
from lxml.etree import _Element as Element

__all__ = [
    "Element",
    "detect_encoding",
    "fragment_text",
    "has_class",
    "inner_html",
    "parse_document",
    "parse_fragment",
    "parse_time",
    "remove_keeping_tail",
    "text_of",
    "visible_text",
]

# HTML elements that start a new paragraph of visible text; everything else is inline.
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "ul",
    ]
)
# Never visible: their text must not leak into body_text.
_HIDDEN_TAGS = frozenset(("script", "style", "noscript", "template", "head", "title"))
_SPACES = re.compile(r"\s+")
_STRING = etree.XPath("string()")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def detect_encoding(body: bytes, declared: str | None, content_type: str | None) -> str:
    """The page's encoding: the fetcher's, else the HTTP header's, else <meta charset>, else UTF-8."""
    if declared:
        return declared
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            return m.group(1)
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        return meta.group(1).decode("ascii", "replace")
    return "utf-8"


@lru_cache(maxsize=16)
def _html_parser(encoding: str | None) -> etree.HTMLParser:
    # Plain lxml.etree elements, not lxml.html's: lxml.html looks up a Python element
    # class for every node touched, a third of the parse time on a 100-comment page.
    # Bytes with a known encoding let libxml2 decode in C. huge_tree lifts libxml2's
    # 256-level depth limit, past which it silently drops the rest of the page (a run of
    # unclosed tags in one comment is enough). No XPath here uses id(), so the table of
    # ids libxml2 would build is left out (7% of the parse).
    return etree.HTMLParser(encoding=encoding, huge_tree=True, collect_ids=False)


def parse_document(body: bytes, encoding: str) -> Element:
    """Parse a whole HTML page (bytes) with lxml; raises ValueError on an empty body."""
    if not body.strip():
        raise ValueError("empty HTML body")
    try:
        parser = _html_parser(encoding.lower())
    except LookupError:
        parser = _html_parser("utf-8")
    root = etree.fromstring(body, parser=parser)
    if root is None:
        raise ValueError("no HTML in the body")
    return root


def parse_fragment(markup: str) -> Element:
    """Parse an HTML fragment (REST `rendered` values); returns the <body> holding it."""
    root = etree.fromstring(f"<html><body>{markup}</body></html>", parser=_html_parser(None))
    body = root.find("body")
    return body if body is not None else root


def text_of(el: Element) -> str:
    """All text under `el` (no comments), whitespace collapsed."""
    if not len(el):  # a leaf (most names and dates): its text, without an XPath call
        return " ".join(el.text.split()) if el.text else ""
    return " ".join(_STRING(el).split())


def inner_html(el: Element) -> str:
    """The element's content as HTML, without its own tag, stripped of outer whitespace.

    Serialized by lxml whatever the source, so that the same DOM read from a theme page
    and from a REST `rendered` string gives the same text.
    """
    parts = [html.escape(el.text, quote=False)] if el.text else []
    for child in el:
        parts.append(etree.tostring(child, encoding="unicode", method="html", with_tail=True))
    return "".join(parts).strip()


def visible_text(el: Element) -> str:
    """Visible text: whitespace collapsed, <br> kept as a line break, paragraphs separated
    by a blank line; script/style content dropped.

    One flat pass (iterwalk) collecting strings, with "\x00" marking block boundaries and
    "\x01" a <br> (libxml2 never yields either in text; a newline in the source is plain
    whitespace); the lines are settled once at the end.
    """
    simple = _simple_paragraphs(el)
    if simple is not None:
        return simple
    parts: list[str] = [el.text] if el.text else []
    append = parts.append
    hidden: Element | None = None
    for event, node in etree.iterwalk(el, events=("start", "end", "comment", "pi")):
        if node is el:
            continue
        tag = node.tag
        if event in ("comment", "pi"):  # invisible, but the text after one is not
            if hidden is None and node.tail:
                append(node.tail)
            continue
        if event == "start":
            if hidden is not None or not isinstance(tag, str):
                continue
            if tag in _HIDDEN_TAGS:
                hidden = node
                continue
            if tag == "br":
                append("\x01")
            elif tag in _BLOCK_TAGS:
                append("\x00")
            if node.text:
                append(node.text)
            continue
        if hidden is not None:
            if node is not hidden:
                continue
            hidden = None
        elif isinstance(tag, str) and tag in _BLOCK_TAGS:
            append("\x00")
        if node.tail:
            append(node.tail)
    blocks = []
    for block in "".join(parts).split("\x00"):
        # str.split() collapses the same Unicode whitespace as \s, several times faster.
        lines = [" ".join(line.split()) for line in block.split("\x01")]
        text = "\n".join(line for line in lines if line)
        if text:
            blocks.append(text)
    return "\n\n".join(blocks)


def _simple_paragraphs(el: Element) -> str | None:
    """visible_text() of the commonest comment, plain `<p>` paragraphs with nothing inside
    them (what wpautop makes of typed text), without the general walk; None otherwise."""
    if el.text and not el.text.isspace():
        return None
    blocks = []
    for child in el:
        if child.tag != "p" or len(child) or (child.tail and not child.tail.isspace()):
            return None
        if child.text:
            text = " ".join(child.text.split())
            if text:
                blocks.append(text)
    return "\n\n".join(blocks)


def fragment_text(markup: str) -> str:
    """Visible text of an HTML fragment such as a REST `title.rendered` or a term name."""
    if "<" not in markup and "&" not in markup:
        return _SPACES.sub(" ", markup).strip()
    return visible_text(parse_fragment(markup))


def parse_time(raw: str | None) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime; a time without offset is taken as UTC
    (WordPress `*_gmt` fields). None when absent or unreadable."""
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def remove_keeping_tail(el: Element) -> None:
    """Take `el` out of its tree, keeping the text that follows it (its tail) in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def has_class(el: Element, name: str) -> bool:
    """Whether `name` is one of the element's class tokens."""
    cls = el.get("class")
    return bool(cls) and name in cls.split()
