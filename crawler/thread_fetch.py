"""A thread being fetched: its post, each comment page so far, and the snapshot it becomes.

The spider (`crawler.spiders.wordpress`) fills one ThreadInProgress per on-topic post as
its pages come back, then `finish_thread` turns it into ONE ThreadSnapshot: recorded
unchanged when every page hashes as the last complete crawl saw it (`crawler.recrawl`),
otherwise assembled (`crawler.thread`) with complete=False if any page failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from crawler.config import Source
from crawler.normalize.thread import normalize_thread
from crawler.page import Page
from crawler.recrawl import KnownPost, KnownPosts
from crawler.thread import assemble_thread, thread_fingerprint
from storage.records import CommentRecord, PageState, PostRecord, ThreadCheck, ThreadSnapshot

__all__ = ["FetchedThread", "ThreadInProgress", "finish_thread"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class FetchedThread(ThreadSnapshot):
    """The spider's item for one thread: its snapshot and what the fetch saw of its pages.

    The pipeline records it with `Archive.record(snapshot, crawl, check())`, or, when
    `comments_unchanged`, with `Archive.record_unchanged` (comments not parsed; the post
    not read either when `post_unchanged`).
    """

    fingerprint: str | None = None  # hash of the comment region / REST payload
    comments_unchanged: bool = False
    post_unchanged: bool = False
    page_states: tuple[PageState, ...] = ()

    def check(self) -> ThreadCheck:
        return ThreadCheck(
            checked_at=self.fetched_at,
            fingerprint=self.fingerprint,
            pages=self.page_states,
            complete=self.complete,
        )


@dataclass(eq=False)
class ThreadInProgress:
    """A thread whose pages are being fetched: the post and each page's comments so far."""

    post: PostRecord
    url: str
    pending: list[str] = field(default_factory=list)  # HTML: comment page URLs, in order
    waiting: set[int] = field(default_factory=set)  # REST: comment pages requested, not back
    requested: set[str] = field(default_factory=set)
    pages: dict[int, tuple[CommentRecord, ...]] = field(default_factory=dict)
    fingerprints: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    expected: int | None = None
    route: str = "html"
    # HTML pages after the first of a thread the last complete crawl saw whole are only
    # fingerprinted; they are parsed (in fetch order) only if the thread's fingerprint
    # then differs from that crawl's (crawler.recrawl).
    defer: bool = False
    deferred: list[tuple[Page, str]] = field(default_factory=list)
    # Conditional requests: the archive's record of the thread, each page's validators as
    # seen now, and whether a page answered 304 (no body: a changed thread is refetched).
    rest_deferred: dict[int, Page] = field(default_factory=dict)  # REST pages, only hashed
    rest_pages: int = 1  # X-WP-TotalPages of the comments, once page 1 is read
    known: KnownPost | None = None
    page_states: dict[str, PageState] = field(default_factory=dict)
    not_modified: bool = False
    post_not_modified: bool = False
    # The post page answered 200 with the very body of the last complete crawl: like a
    # 304, its post is left alone, and it is read (from `deferred`) only if the thread
    # turns out changed.
    post_unread: bool = False

    def changed(self, known: KnownPosts) -> bool:
        """True when a page failed or the pages so far do not hash as the last complete
        crawl's did: pages only fingerprinted must then be parsed after all."""
        return bool(self.problems) or not known.unchanged(
            self.post.external_id, thread_fingerprint(self.fingerprints)
        )


def finish_thread(
    thread: ThreadInProgress, *, source: Source, known: KnownPosts, stats: Any
) -> ThreadSnapshot:
    """The thread's one item: unchanged, or assembled from its pages, then normalized."""
    fingerprint = thread_fingerprint(thread.fingerprints) if thread.fingerprints else None
    if not thread.problems and known.unchanged(thread.post.external_id, fingerprint):
        # Every page as the last complete crawl saw it: the writer records the post
        # and marks the comments seen, without normalizing or comparing them.
        stats.inc_value("palimpsest/threads_unchanged")
        unchanged = FetchedThread(
            source_key=source.key, post=thread.post, comments=(), complete=True,
            fetched_at=datetime.now(UTC), expected_comment_count=thread.expected,
            fingerprint=fingerprint, comments_unchanged=True,
            post_unchanged=thread.post_not_modified,
            page_states=tuple(thread.page_states.values()),
        )
        return normalize_thread(unchanged, aliases=source.aliases)
    captured = len({c.external_id for page in thread.pages.values() for c in page})
    if thread.route != "html" and thread.expected is not None and captured < thread.expected:
        # X-WP-Total counts exactly what the paged query returns, so fewer comments
        # means pages shifted under us (a comment deleted between two page fetches):
        # a comment may be missing, so infer no deletions from this thread.
        thread.problems.append(
            f"{thread.url}: captured {captured} comments of X-WP-Total {thread.expected}"
        )
    snapshot = assemble_thread(
        source_key=source.key,
        post=thread.post,
        pages=[thread.pages[n] for n in sorted(thread.pages)],
        complete=not thread.problems,
        fetched_at=datetime.now(UTC),
        expected_comment_count=thread.expected,
        problems=thread.problems,
    )
    snapshot = FetchedThread(
        **{f.name: getattr(snapshot, f.name) for f in fields(snapshot)},
        fingerprint=fingerprint,
        page_states=tuple(thread.page_states.values()),
    )
    if thread.expected is not None and thread.expected != len(snapshot.comments):
        # The site's own count disagrees: log and count; the thread's completeness is
        # decided by its pages, since displayed counts include held or filtered comments.
        stats.inc_value("palimpsest/count_mismatch")
        logger.warning(
            "%s: captured %d comments, the site says %d",
            thread.url, len(snapshot.comments), thread.expected,
        )
    if not snapshot.complete:
        logger.warning("%s: partial thread: %s", thread.url, "; ".join(thread.problems))
    return normalize_thread(snapshot, aliases=source.aliases)
