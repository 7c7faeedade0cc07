"""Content hashes: what counts as a change of a post or a comment.

A new version is written only when the hash differs from the current version's, so
what goes into the hash decides what the archive treats as an edit. It covers what a
reader sees and what the site says of the thing itself; it leaves out rendering noise
(raw HTML attributes, whitespace runs), where a thing happens to be displayed
(position, comment page), and, for a comment, everything derived from the rest of the
thread: its @-reply and mention edges, its quotes' sources, the parent an @-reply
gives it and its own text (which depends on the names the thread knows). Those change
when another comment does, and must not make this one look edited (issue 17; the
writer keeps them with their own validity, storage.thread_writer). docs/schema.md
lists every field and why.

The hashed payload is the compact JSON of `[scheme, [[name, value], ...]]` (HASH_SCHEME
for posts, COMMENT_HASH_SCHEME for comments)
(`ensure_ascii=False`, no spaces), UTF-8 with surrogates passed through. Stored hashes
depend on those exact bytes: the payload is assembled here from JSON string literals
for speed, and tests/versioning/test_hash_bytes.py proves it equals what json.dumps
gives for any input.

Storage parses no HTML: a body's links (the sorted set of its `<a href>` targets) come
in on the record's `links` field, derived by the crawler (crawler.normalize.links).
A record whose links were never derived (`links` None) is hashed only when its body
cannot hold a link; otherwise MissingLinks, since hashing it without them would give
every linked comment a new version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.records import CommentRecord, PostRecord
from storage.timestamps import utc_text

__all__ = ["COMMENT_HASH_SCHEME", "HASH_SCHEME", "MissingLinks", "comment_hash", "post_hash"]

# Part of every hash: changing what is hashed must change every hash on purpose, so
# that a new scheme is recognised (and a reparse can tell old from new) rather than
# silently mixing with the old one.
HASH_SCHEME = "palimpsest-hash-1"
# Comments' since derived edges left the hash (migration 0007 rehashed the archive).
COMMENT_HASH_SCHEME = "palimpsest-comment-2"

# The JSON encoder's own string encoder (ensure_ascii=False): a JSON string literal.
_string = json.encoder.encode_basestring
# Anything but str and None (lists, numbers, str subclasses) goes through the encoder
# itself; built once, as json.dumps with non-default options builds one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> str:
    """`value` as compact JSON, as _ENCODER.encode would write it."""
    if value is None:
        return "null"
    if type(value) is str:
        return _string(value)
    return _ENCODER.encode(value)


def _text(value: str | None) -> str | None:
    """Whitespace-collapsed text: a re-render that reflows lines is not an edit."""
    if value is None:
        return None
    return " ".join(value.split())


def _when(value: datetime | None) -> str | None:
    return None if value is None else utc_text(value)  # format_utc's text, faster


class MissingLinks(ValueError):
    """A record with an `<a` in its body_html reached the hash without its `links`."""


def _links(record: PostRecord | CommentRecord, what: str) -> str:
    """The record's links as the JSON list the hash takes."""
    links = record.links
    if links is None:
        html = record.body_html
        # "<a" in html.lower() without the copy, as crawler.normalize.links.has_anchor:
        # without it the crawler's extraction gives no links, so None is ().
        if "<a" in html or "<A" in html:
            raise MissingLinks(
                f"{what} {record.external_id!r}: body_html has an <a but its links were not"
                " derived (crawler.normalize.links.link_hrefs fills them; normalize_thread"
                " does for every crawled thread)"
            )
        return "[]"
    return _strings(links)


def _heads(scheme: str, names: Sequence[str]) -> tuple[str, ...]:
    """The JSON around the values of fields `names`: before the first, between each two,
    after the last (`["scheme",[["a",` … `],["b",` … `]]]`)."""
    heads = [("[" + _string(scheme) + ",[[" if i == 0 else "],[") + _string(n) + ","
             for i, n in enumerate(names)]
    return (*heads, "]]]")


def _hash(parts: list[str]) -> str:
    return hashlib.sha256("".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _strings(values: Sequence[str]) -> str:
    """A JSON list of (exactly) str values."""
    return "[" + ",".join(map(_string, values)) + "]" if values else "[]"


_POST = _heads(
    HASH_SCHEME, ("title", "author_raw", "published_at", "tags", "categories", "body_text", "links")
)


def post_hash(post: PostRecord) -> str:
    """Hash of what makes a post version distinct (not modified_at, not counts)."""
    h = _POST
    return _hash(
        [
            h[0], _json(_text(post.title)),
            h[1], _json(_text(post.author_raw)),
            h[2], _json(_when(post.published_at)),
            h[3], _json(sorted(set(post.tags))),
            h[4], _json(sorted(set(post.categories))),
            h[5], _json(_text(post.body_text)),
            h[6], _links(post, "post"),
            h[7],
        ]
    )  # fmt: skip


_COMMENT = _heads(
    COMMENT_HASH_SCHEME,
    ("author_raw", "author_url", "published_at", "threaded_parent_external_id", "body_text",
     "links"),
)  # fmt: skip


def comment_hash(comment: CommentRecord) -> str:
    """Hash of what makes a comment version distinct: its own fields only (not position,
    not page, nothing derived from other comments)."""
    c = comment
    h = _COMMENT
    return _hash(
        [
            h[0], _json(_text(c.author_raw)),
            h[1], _json(c.author_url),
            h[2], _json(_when(c.published_at)),
            h[3], _json(c.threaded_parent_external_id),
            h[4], _json(_text(c.body_text)),
            h[5], _links(c, "comment"),
            h[6],
        ]
    )  # fmt: skip
