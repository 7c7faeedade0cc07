"""Content hashes: what counts as a change of a post or a comment.

A new version is written only when the hash differs from the current version's, so
what goes into the hash decides what the archive treats as an edit. It covers what a
reader sees and what the thread structure says; it leaves out rendering noise (raw
HTML attributes, whitespace runs) and where a thing happens to be displayed (position,
comment page). docs/schema.md lists every field and why.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import lxml.html
from lxml import etree

from storage.models import format_utc
from storage.records import CommentRecord, PostRecord

__all__ = ["HASH_SCHEME", "comment_hash", "link_hrefs", "post_hash"]

# Part of every hash: changing what is hashed must change every hash on purpose, so
# that a new scheme is recognised (and a reparse can tell old from new) rather than
# silently mixing with the old one.
HASH_SCHEME = "palimpsest-hash-1"


def _text(value: str | None) -> str | None:
    """Whitespace-collapsed text: a re-render that reflows lines is not an edit."""
    if value is None:
        return None
    return " ".join(value.split())


def _when(value: datetime | None) -> str | None:
    return None if value is None else format_utc(value)


def link_hrefs(html: str) -> list[str]:
    """The sorted set of `<a href>` targets in an HTML fragment.

    Only the targets count: WordPress rewrites link attributes (rel="nofollow ugc",
    target) when a comment is re-saved, which is not an edit of what it says.
    """
    if not html or "<a" not in html.lower():
        return []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    hrefs = {str(a.get("href")).strip() for a in root.iter("a") if a.get("href") is not None}
    return sorted(hrefs)


# json.dumps(..., ensure_ascii=False, separators=(",", ":")), built once: dumps builds a
# new encoder on every call with non-default options.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _digest(fields: Iterable[tuple[str, Any]]) -> str:
    payload = _ENCODER.encode([HASH_SCHEME, [[name, value] for name, value in fields]])
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def post_hash(post: PostRecord) -> str:
    """Hash of what makes a post version distinct (not modified_at, not counts)."""
    return _digest(
        [
            ("title", _text(post.title)),
            ("author_raw", _text(post.author_raw)),
            ("published_at", _when(post.published_at)),
            ("tags", sorted(set(post.tags))),
            ("categories", sorted(set(post.categories))),
            ("body_text", _text(post.body_text)),
            ("links", link_hrefs(post.body_html)),
        ]
    )


def comment_hash(comment: CommentRecord) -> str:
    """Hash of what makes a comment version distinct (not position, not page)."""
    return _digest(
        [
            ("author_raw", _text(comment.author_raw)),
            ("author_url", comment.author_url),
            ("published_at", _when(comment.published_at)),
            ("parent_external_id", comment.parent_external_id),
            ("threaded_parent_external_id", comment.threaded_parent_external_id),
            ("body_text", _text(comment.body_text)),
            ("own_text", _text(comment.own_text)),
            ("links", link_hrefs(comment.body_html)),
            (
                "replies",
                [
                    [r.kind, r.target_kind, r.target_external_id, r.raw_name]
                    for r in comment.replies
                ],
            ),
            (
                "quotes",
                [
                    [_text(q.quoted_text), q.source_kind, q.source_external_id, q.source_url]
                    for q in comment.quotes
                ],
            ),
        ]
    )
