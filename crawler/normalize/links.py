"""Link targets of a body: the `links` field of post and comment records, for the content hash.

The hash (storage.hashing) takes a body's links as the sorted set of its `<a href>`
targets, so a changed link is a changed claim while WordPress rewriting link attributes
(rel="nofollow ugc", target) on a re-save is not. The extraction lives here, on the
crawler side, so that storage hashes record fields and never parses HTML. It is the
code storage/hashing.py used to run, unchanged, because archives store digests of its
output (tests/versioning/test_hash_bytes.py holds it to the original).
"""

from __future__ import annotations

import lxml.html
from lxml import etree

__all__ = ["has_anchor", "link_hrefs"]


def has_anchor(html: str) -> bool:
    """Whether `html` can hold an `<a>` element at all: `"<a" in html.lower()`.

    No other character lower-cases to "<" or "a", so checking "<a" and "<A" is the same
    test without the copy (test_hash_bytes checks every code point).
    """
    return "<a" in html or "<A" in html


def link_hrefs(html: str) -> tuple[str, ...]:
    """The sorted set of `<a href>` targets in an HTML fragment, each stripped."""
    if not html or not has_anchor(html):
        return ()
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return ()
    hrefs = {str(a.get("href")).strip() for a in root.iter("a") if a.get("href") is not None}
    return tuple(sorted(hrefs))
