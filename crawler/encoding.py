"""Decoding fetched bodies whose declared charset cannot be trusted.

Blogs lie about encodings: Windows-1252 bytes served as ``charset=UTF-8`` (often only in
one pasted comment), no charset anywhere, a byte-order mark that disagrees with the
header. A wrong guess turns names and quotes into mojibake, which the archive would then
record as an "edit". This module decides, from the bytes first and the declarations
second, and is pure: no Scrapy, no I/O.

    decode_body(body, headers)  -> Decoded(text, encoding, problem)
    read_as(body, encoding)     -> the text, read with the encoding decode_body chose
    normalize_page(page)        -> Page whose body is UTF-8 without BOM, encoding 'utf-8'

The decision is made once per response (`crawler.fetches.decode_response`, recorded on
its fetch row); `normalize_page` applies it to the parser's copy of the page, so the
parsers always see clean UTF-8 whatever the site declared. The response itself, and
what provenance says of it, is never rewritten.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, replace

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

from crawler.page import Page

__all__ = ["BOM", "MISLABELLED", "UNDECLARED", "Decoded", "decode_body", "normalize_page", "read_as"]

# Problems reported in Decoded.problem (counted in crawl stats by the middleware).
MISLABELLED = "mislabelled"  # declared charset could not decode the bytes
UNDECLARED = "undeclared"  # no charset anywhere, and the bytes are not UTF-8
BOM = "bom"  # a byte-order mark decided (and disagreed with the declaration)

_FALLBACK_HANDLER = "palimpsest-cp1252-fallback"

# Only the first few KB carry a <meta charset>; scanning more is wasted work.
_META_SCAN_BYTES = 4096

# Labels whose strict decoding cannot fail, so "it decoded" says nothing about them;
# WHATWG maps latin-1 and ascii labels to windows-1252 anyway.
_SINGLE_BYTE = {"cp1252", "latin_1", "iso8859_1", "ascii"}

_CHARSET_PARAM = re.compile(r";\s*charset\s*=\s*[^;]*", re.IGNORECASE)


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode each undecodable byte as Windows-1252 (latin-1 for its five holes).

    Why: a UTF-8 page with one comment pasted from Word contains stray 0x92/0x93 bytes;
    decoding just those as cp1252 keeps both the page and the comment right.
    """
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(_cp1252_char(b) for b in bad), exc.end


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d: undefined in cp1252
        return chr(byte)


codecs.register_error(_FALLBACK_HANDLER, _cp1252_fallback)


@dataclass(frozen=True, kw_only=True)
class Decoded:
    """The text of a body, the encoding it was read with, and what was wrong, if anything."""

    text: str
    encoding: str  # Python codec name, e.g. 'utf-8', 'cp1252'
    declared: str | None  # what the header or markup said, if anything
    problem: str | None = None  # MISLABELLED, UNDECLARED, BOM or None


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _canonical(label: str | None) -> str | None:
    if not label:
        return None
    resolved = resolve_encoding(label)
    if resolved is None:
        return None
    return codecs.lookup(resolved).name


def decode_body(body: bytes, headers: dict[str, str] | None = None) -> Decoded:
    """Decode an HTML (or JSON) body, trusting the bytes over the declarations.

    Order: a BOM wins; then the declared charset (header, else <meta>) if the bytes
    decode strictly with it; then UTF-8 with a per-byte Windows-1252 fallback (covers
    cp1252 mislabelled as UTF-8, mixed pages, and undeclared cp1252); a declared
    single-byte charset is used as is, since any byte string decodes in it.
    """
    headers = headers or {}
    header_label = http_content_type_encoding(_header(headers, "content-type"))
    meta_label = html_body_declared_encoding(body[:_META_SCAN_BYTES])
    declared = _canonical(header_label) or _canonical(meta_label)

    bom_encoding, bom = read_bom(body)
    if bom_encoding is not None and bom is not None:
        encoding = codecs.lookup(bom_encoding).name
        text = body[len(bom) :].decode(encoding, errors="replace")
        problem = BOM if declared not in (None, encoding) else None
        return Decoded(text=text, encoding=encoding, declared=declared, problem=problem)

    if declared is not None and declared not in _SINGLE_BYTE:
        try:
            return Decoded(text=body.decode(declared), encoding=declared, declared=declared)
        except UnicodeDecodeError:
            pass
    elif declared in _SINGLE_BYTE:
        # latin-1/ascii labels mean windows-1252 in every browser (WHATWG).
        text = body.decode("cp1252", errors=_FALLBACK_HANDLER)
        return Decoded(text=text, encoding="cp1252", declared=declared)

    try:
        text = body.decode("utf-8")
        encoding = "utf-8"
        problem = None  # valid UTF-8 is UTF-8, declared or not (JSON never declares)
    except UnicodeDecodeError:
        text = body.decode("utf-8", errors=_FALLBACK_HANDLER)
        encoding = "utf-8" if _mostly_utf8(body) else "cp1252"
        if encoding == "cp1252":
            text = body.decode("cp1252", errors=_FALLBACK_HANDLER)
        problem = MISLABELLED if declared is not None else UNDECLARED
    return Decoded(text=text, encoding=encoding, declared=declared, problem=problem)


def _mostly_utf8(body: bytes) -> bool:
    """True when valid multi-byte UTF-8 sequences occur: then the page is UTF-8 with
    stray cp1252 bytes, not a cp1252 page (whose accented letters are single bytes)."""
    return re.search(rb"[\xc2-\xf4][\x80-\xbf]+", body) is not None


def read_as(body: bytes, encoding: str) -> str:
    """The text of `body` read with the encoding `decode_body` chose for it: a BOM of that
    encoding dropped, undecodable bytes read as Windows-1252 (as `decode_body` did)."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding is not None and bom is not None and codecs.lookup(bom_encoding).name == encoding:
        return body[len(bom) :].decode(encoding, errors="replace")
    return body.decode(encoding, errors=_FALLBACK_HANDLER)


def normalize_page(page: Page) -> tuple[Page, str | None]:
    """Return the page re-encoded as UTF-8 (no BOM, charset=utf-8), and the problem found.

    The encoding is the page's own when the fetch decided it (`page.encoding`, from
    `crawler.fetches.decode_response`: the problem was reported then, and None is
    returned); otherwise it is decided here. The Content-Type charset is rewritten too,
    so a parser that re-detects from the headers agrees with the body. A `<meta charset>`
    inside the body may still say otherwise; parsers must decode with `page.encoding`.
    """
    problem = None
    if page.encoding:
        encoding, text = page.encoding, None
    else:
        decoded = decode_body(page.body, page.headers)
        encoding, text, problem = decoded.encoding, decoded.text, decoded.problem
    headers = dict(page.headers)
    content_type = headers.get("content-type")
    if content_type is not None:
        headers["content-type"] = _CHARSET_PARAM.sub("", content_type) + "; charset=utf-8"
    body = page.body
    if encoding != "utf-8" or problem is not None or body.startswith(codecs.BOM_UTF8) \
            or (text is None and not _strict_utf8(body)):
        body = (text if text is not None else read_as(body, encoding)).encode("utf-8")
    # else: strictly valid UTF-8 without BOM: encoding the text again gives these bytes
    return replace(page, body=body, encoding="utf-8", headers=headers), problem


def _strict_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
