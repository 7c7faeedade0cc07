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

import lxml.html
from lxml import etree

__all__ = [
    "detect_encoding",
    "fragment_text",
    "has_class",
    "inner_html",
    "parse_document",
    "parse_fragment",
    "parse_time",
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
def _html_parser(encoding: str) -> lxml.html.HTMLParser:
    # One parser per encoding: passing bytes with a known encoding lets libxml2 decode
    # in C instead of Python, which is a measurable share of the per-page time.
    try:
        return lxml.html.HTMLParser(encoding=encoding, remove_comments=False)
    except LookupError:
        return lxml.html.HTMLParser(encoding="utf-8", remove_comments=False)


def parse_document(body: bytes, encoding: str) -> lxml.html.HtmlElement:
    """Parse a whole HTML page (bytes) with lxml; raises ValueError on an empty body."""
    if not body.strip():
        raise ValueError("empty HTML body")
    try:
        return lxml.html.document_fromstring(body, parser=_html_parser(encoding.lower()))
    except LookupError:
        return lxml.html.document_fromstring(body, parser=_html_parser("utf-8"))


def parse_fragment(markup: str) -> lxml.html.HtmlElement:
    """Parse an HTML fragment (REST `rendered` values) into a wrapper <div>."""
    return lxml.html.fragment_fromstring(markup or "", create_parent="div")


def inner_html(el: lxml.html.HtmlElement) -> str:
    """The element's content as HTML, without its own tag, stripped of outer whitespace.

    Serialized by lxml whatever the source, so that the same DOM read from a theme page
    and from a REST `rendered` string gives the same text.
    """
    parts = [html.escape(el.text, quote=False)] if el.text else []
    for child in el:
        parts.append(etree.tostring(child, encoding="unicode", method="html", with_tail=True))
    return "".join(parts).strip()


def visible_text(el: lxml.html.HtmlElement) -> str:
    """Visible text: whitespace collapsed, <br> kept as a line break, paragraphs separated
    by a blank line; script/style content dropped."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            lines = (_SPACES.sub(" ", line).strip() for line in "".join(current).split("\n"))
            text = "\n".join(line for line in lines if line)
            if text:
                blocks.append(text)
            current.clear()

    def walk(node: lxml.html.HtmlElement) -> None:
        tag = node.tag
        if not isinstance(tag, str):  # comments, processing instructions
            return
        tag = tag.lower()
        if tag in _HIDDEN_TAGS:
            return
        if tag == "br":
            current.append("\n")
            return
        is_block = tag in _BLOCK_TAGS
        if is_block:
            flush()
        if node.text:
            current.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if is_block:
            flush()

    if el.text:
        current.append(el.text)
    for child in el:
        walk(child)
        if child.tail:
            current.append(child.tail)
    flush()
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


def has_class(el: lxml.html.HtmlElement, name: str) -> bool:
    """Whether `name` is one of the element's class tokens."""
    cls = el.get("class")
    return bool(cls) and name in cls.split()
