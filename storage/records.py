"""Thread records: the typed values that cross from the crawler to the archive writer.

Parsers produce them, the normalizers refine them, `storage.archive` consumes them.
Frozen, keyword-only dataclasses; raw values sit beside normalized ones. This module
imports neither SQLAlchemy nor Scrapy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = [
    "CommentRecord",
    "FetchRecord",
    "PageState",
    "PostGone",
    "PostRecord",
    "QuoteRecord",
    "QuoteSourceKind",
    "RemovalRecord",
    "ReplyKind",
    "ReplyRecord",
    "ResolvedBy",
    "TargetKind",
    "ThreadCheck",
    "ThreadSnapshot",
]

ReplyKind = Literal["threaded", "at_reply", "mention"]
ResolvedBy = Literal["markup", "link", "name"]
TargetKind = Literal["comment", "post"]
QuoteSourceKind = Literal["post", "comment", "external", "unknown"]


@dataclass(frozen=True, kw_only=True)
class PostRecord:
    """A post as seen on one crawl."""

    external_id: str  # the platform's id as text (WordPress post ID)
    url: str
    title: str
    author_raw: str  # display name as shown
    author_key: str  # normalized identity key (see crawler.normalize.authors)
    author_external_id: str | None = None  # stable platform id or slug of the author
    author_url: str | None = None
    published_raw: str | None = None
    published_at: datetime | None = None  # UTC, aware
    modified_raw: str | None = None
    modified_at: datetime | None = None  # UTC, aware
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    body_html: str = ""
    body_text: str = ""
    # The sorted set of body_html's <a href> targets, for the content hash: derived by
    # the crawler (crawler.normalize.links), as storage parses no HTML. None: not
    # derived, which the hash accepts only for a body without an <a.
    links: tuple[str, ...] | None = None
    comment_count_displayed: int | None = None  # what the site says it has


@dataclass(frozen=True, kw_only=True)
class ReplyRecord:
    """An edge from a comment to what it answers or mentions."""

    ordinal: int  # order of the edge within the comment, from 0
    kind: ReplyKind
    raw_name: str | None = None  # the name as written after '@' (None for threaded)
    target_kind: TargetKind | None = None  # None: unresolved
    target_external_id: str | None = None  # comment external id, or the post's
    resolved_by: ResolvedBy | None = None  # markup: nesting/REST parent; link: #comment-N


@dataclass(frozen=True, kw_only=True)
class QuoteRecord:
    """A blockquote in a comment, attributed to what it quotes."""

    ordinal: int  # order of the blockquote within the comment, from 0
    quoted_text: str
    source_kind: QuoteSourceKind
    source_external_id: str | None = None  # post or comment external id
    source_url: str | None = None  # cited URL for external quotes, when the markup gives one


@dataclass(frozen=True, kw_only=True)
class CommentRecord:
    """A comment as seen on one crawl."""

    external_id: str  # WordPress '#comment-25' -> '25'
    author_raw: str
    author_key: str
    author_url: str | None = None
    # The platform's stable id of the author, where it has one (a Disqus username, a Ghost
    # member's uuid).
    author_external_id: str | None = None
    published_raw: str | None = None
    published_at: datetime | None = None  # UTC, aware; None: not shown, or no zone known
    # Resolved from a relative date ("3 days ago") against the fetch time: exact only to
    # the unit the site rounds to. Not content (not hashed).
    published_approximate: bool = False
    threaded_parent_external_id: str | None = None  # nesting / REST parent, as the site says
    parent_external_id: str | None = None  # threaded parent, else first leading @-reply target
    body_html: str = ""
    body_text: str = ""  # all visible text
    links: tuple[str, ...] | None = None  # body_html's <a href> targets, as for a post
    own_text: str = ""  # without blockquotes and leading @Name: prefixes
    position: int = 0  # place in thread order (0-based); not content
    page: int | None = None  # comment page it was seen on; not content
    replies: tuple[ReplyRecord, ...] = ()
    quotes: tuple[QuoteRecord, ...] = ()
    # What the service says of an edit: `edited` None where it says nothing (WordPress),
    # `edited_at` (UTC, aware) only where it gives the time. Not content (not hashed):
    # kept on the version written when the text changes.
    edited: bool | None = None
    edited_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class RemovalRecord:
    """A comment the service itself shows as removed, in its own word for how."""

    external_id: str
    # The service's word: "deleted", "hidden", "spam", "flagged", "user_deleted", ...
    removed_as: str


@dataclass(frozen=True, kw_only=True)
class ThreadSnapshot:
    """One post and its comment list, as captured by one crawl.

    `complete` is True only when every comment page was fetched and parsed; the
    writer infers deletions from complete threads only. `removals` are the service's
    own statements that a comment was removed: the writer records those from any
    thread, complete or partial.
    """

    source_key: str
    post: PostRecord
    comments: tuple[CommentRecord, ...]
    complete: bool
    fetched_at: datetime  # UTC, aware: when the last page of the thread arrived
    expected_comment_count: int | None = None  # X-WP-Total or the displayed count
    problems: tuple[str, ...] = ()  # why the thread is partial, each naming a URL
    removals: tuple[RemovalRecord, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ThreadCheck:
    """What one crawl's fetch of a thread saw of its pages: kept in post_state for the next crawl."""

    checked_at: datetime  # UTC, aware: when the thread's last page arrived
    fingerprint: str | None = None  # of the thread's comment pages (None: not computed)
    pages: tuple[PageState, ...] = ()  # each page's validators, fingerprint, body sha256
    complete: bool = True  # every page fetched and read
    # Some pages were not fetched: a vouching page stood for them (crawler.thread_fetch).
    vouched: bool = False


@dataclass(frozen=True, kw_only=True)
class PageState:
    """One page of a thread as a crawl saw it: validators for a conditional request."""

    url: str
    fingerprint: str
    etag: str | None = None
    last_modified: str | None = None
    # sha256 of the body the fingerprint was taken from (a 304 carries it forward), so
    # the next crawl can take a byte-identical 200 as a 304; None when not known.
    sha256: str | None = None


@dataclass(frozen=True, kw_only=True)
class PostGone:
    """A known post whose URL answered 404 or 410 on this crawl (one per post and crawl)."""

    source_key: str
    external_id: str
    url: str
    status: int
    fetched_at: datetime  # UTC, aware


@dataclass(frozen=True, kw_only=True)
class FetchRecord:
    """One HTTP response of a crawl, for provenance."""

    url: str
    status: int
    fetched_at: datetime  # UTC, aware
    size: int
    sha256: str | None = None
    elapsed_ms: int | None = None
    content_type: str | None = None
    encoding: str | None = None  # the codec its body is read with (text bodies only)
    method: str = "GET"
    error: str | None = None  # network error or fault, when there is no response
    warc_file: str | None = None
    warc_offset: int | None = None
