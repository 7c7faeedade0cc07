"""Assembling a thread: one post and the comments of all its comment pages, in thread order."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from crawler.normalize.records import evolve
from storage.records import CommentRecord, PostRecord, RemovalRecord, ThreadSnapshot

__all__ = ["assemble_thread", "thread_fingerprint", "thread_order"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def assemble_thread(
    *,
    source_key: str,
    post: PostRecord,
    pages: Sequence[tuple[CommentRecord, ...]],
    complete: bool,
    fetched_at: datetime,
    expected_comment_count: int | None,
    problems: Sequence[str] = (),
    removals: Sequence[RemovalRecord] = (),
) -> ThreadSnapshot:
    """Merge comment pages (any order) into one ThreadSnapshot.

    A comment seen on two pages (new comments shift pagination between fetches) is kept
    once, as last seen in `pages`. A reply whose parent is missing stays in the thread,
    at top level, and is named in `problems`; so is a count that differs from the site's.
    `complete` is the caller's verdict and is never raised here. `removals`, the
    comments the service states were removed, are kept once each, first statement first.
    """
    merged: dict[str, CommentRecord] = {}
    for comments in pages:
        for comment in comments:
            merged.pop(comment.external_id, None)
            merged[comment.external_id] = comment
    ordered, orphans = thread_order(merged.values())
    stated: dict[str, RemovalRecord] = {}
    for removal in removals:
        stated.setdefault(removal.external_id, removal)
    notes = list(problems)
    for comment in orphans:
        notes.append(
            f"{post.url}: comment {comment.external_id} replies to comment "
            f"{comment.threaded_parent_external_id}, which is not in the thread"
        )
    if expected_comment_count is not None and expected_comment_count != len(ordered):
        notes.append(
            f"{post.url}: captured {len(ordered)} comments, the site says {expected_comment_count}"
        )
    return ThreadSnapshot(
        source_key=source_key,
        post=post,
        comments=tuple(
            c if c.position == i else evolve(c, position=i) for i, c in enumerate(ordered)
        ),
        complete=complete,
        fetched_at=fetched_at,
        expected_comment_count=expected_comment_count,
        problems=tuple(notes),
        removals=tuple(stated.values()),
    )


def _sort_key(comment: CommentRecord) -> tuple[datetime, int, str]:
    cid = comment.external_id
    return (comment.published_at or _EPOCH, int(cid) if cid.isdigit() else 0, cid)


def thread_order(
    comments: Iterable[CommentRecord],
) -> tuple[list[CommentRecord], list[CommentRecord]]:
    """Comments in the order WordPress shows them (oldest first, replies right after their
    parent, depth-first), and the replies whose parent is absent (placed at top level)."""
    by_id = {c.external_id: c for c in comments}
    children: dict[str | None, list[CommentRecord]] = {}
    orphans: list[CommentRecord] = []
    for comment in by_id.values():
        parent = comment.threaded_parent_external_id
        if parent is not None and (parent not in by_id or parent == comment.external_id):
            orphans.append(comment)
            parent = None
        children.setdefault(parent, []).append(comment)
    for siblings in children.values():
        siblings.sort(key=_sort_key)

    ordered: list[CommentRecord] = []
    seen: set[str] = set()
    stack = list(reversed(children.get(None, [])))
    while stack:
        comment = stack.pop()
        if comment.external_id in seen:
            continue
        seen.add(comment.external_id)
        ordered.append(comment)
        stack.extend(reversed(children.get(comment.external_id, [])))
    # A parent cycle (never on a sane site) leaves comments unreached: keep them anyway.
    for comment in sorted(by_id.values(), key=_sort_key):
        if comment.external_id not in seen:
            orphans.append(comment)
            ordered.append(comment)
    orphans.sort(key=_sort_key)
    return ordered, orphans


def thread_fingerprint(page_fingerprints: Iterable[str]) -> str:
    """One fingerprint for a thread from its pages' fingerprints, whatever the fetch order."""
    digest = hashlib.sha256(b"thread-v1\0")
    for fp in sorted(page_fingerprints):
        digest.update(fp.encode("ascii") + b"\n")
    return digest.hexdigest()
