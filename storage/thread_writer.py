"""The thread writer: one thread snapshot written as versions, in the caller's transaction.

`write_thread` compares content hashes with the current versions (one query per
thread), inserts new versions of what changed (executemany), tombstones what
disappeared from a *complete* thread, and touches no version of what is unchanged.
Versions are insert-only; the only update of a version row is closing its `valid_to`.
Around it go the thread's identity rows (post, authors and their aliases, comments)
and its `post_state`, all upserted (`storage.upserts`).

The post row is upserted first: on PostgreSQL that locks it until commit, so two
writers of the same thread queue behind each other (`storage.archive` retries a
transaction that still trips a unique constraint).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage import writer_sql as sql
from storage.hashing import comment_hash, post_hash
from storage.records import CommentRecord, PostRecord, ThreadCheck, ThreadSnapshot
from storage.tombstones import insert_tombstones
from storage.upserts import Upserts

__all__ = ["RecordResult", "clean_text", "write_thread", "write_unchanged"]

log = logging.getLogger(__name__)

post_version_t = sql.post_version_t
comment_t = sql.comment_t
comment_version_t = sql.comment_version_t


@dataclass(frozen=True)
class RecordResult:
    """What `Archive.record` wrote for one thread."""

    new_post_versions: int
    new_comment_versions: int
    tombstones: int
    unchanged_comments: int


class _PostCurrent(NamedTuple):
    """A post's current version: a row of `writer_sql.current_post_version`."""

    id: int
    version: int
    content_hash: str
    deleted: bool
    valid_from: datetime


class _Current(NamedTuple):
    """A comment and its current version (None: no version yet), as the writer needs
    them: a row of `writer_sql.current_comments`."""

    comment_id: int
    external_id: str
    version_id: int | None
    version: int | None
    content_hash: str | None
    deleted: bool | None
    valid_from: datetime | None


def clean_text(text: str | None) -> str | None:
    """`text` as both databases can store it: NUL becomes U+FFFD."""
    # PostgreSQL text cannot hold NUL; an HTML parser would have made it U+FFFD anyway,
    # and doing it on both databases keeps their contents identical.
    if text is None or "\x00" not in text:
        return text
    return text.replace("\x00", "\ufffd")


def write_thread(
    conn: Connection,
    upserts: Upserts,
    source_id: int,
    thread: ThreadSnapshot,
    crawl_id: int,
    check: ThreadCheck,
) -> RecordResult:
    """Write one thread snapshot of source `source_id` for crawl `crawl_id` on `conn`."""
    writer = _ThreadWriter(
        conn, upserts, source_id, crawl_id, check, post=thread.post, comments=thread.comments,
        complete=thread.complete and check.complete, t=thread.fetched_at,
    )  # fmt: skip
    return writer.write()


def write_unchanged(
    conn: Connection,
    upserts: Upserts,
    source_id: int,
    post: PostRecord,
    crawl_id: int,
    check: ThreadCheck,
    *,
    post_read: bool,
) -> RecordResult:
    """Record a thread whose comment pages all fingerprint as at the last complete crawl.

    Its comments were not parsed. `post_read`: `post` is the post as read now (a post
    version is written if it changed); else the post page was not read (a 304, or the
    same bytes) and `post` holds only its ids: the post's versions are left alone.
    """
    writer = _ThreadWriter(
        conn, upserts, source_id, crawl_id, check, post=post, comments=(),
        complete=check.complete, t=check.checked_at,
    )  # fmt: skip
    return writer.write_unchanged(post_read=post_read)


class _ThreadWriter:
    """One `write_thread` call: the steps of writing one thread, sharing its state."""

    def __init__(
        self,
        conn: Connection,
        upserts: Upserts,
        source_id: int,
        crawl_id: int,
        check: ThreadCheck,
        *,
        post: PostRecord,
        comments: Sequence[CommentRecord],
        complete: bool,
        t: datetime,
    ) -> None:
        self.conn = conn
        self.upserts = upserts
        self.crawl_id = crawl_id
        self.check = check
        self.post = post
        self.comments = comments
        self.complete = complete
        # Naive times are taken as UTC (as the column type does), so comparisons with
        # stored aware times cannot fail.
        self.t = _utc(t)
        self.checked_at = _utc(check.checked_at)
        self.source_id = source_id
        self.author_ids: dict[str, int] = {}

    def write(self) -> RecordResult:
        post_id = self._upsert_post()
        self._upsert_authors()
        new_post, first_time = self._write_post_version(post_id)
        comments = _dedupe(self.comments)
        current = self._upsert_comments(post_id, comments)
        new_versions, unchanged = self._write_comment_versions(post_id, comments, current)
        tombstones = 0
        if self.complete:
            seen = {c.external_id for c in comments}
            tombstones = self._tombstone([cur for ext, cur in current.items() if ext not in seen])
        changed = new_post + new_versions + tombstones > 0
        self._upsert_state(post_id, active=changed and not first_time, changed=changed)
        return RecordResult(
            new_post_versions=new_post,
            new_comment_versions=new_versions,
            tombstones=tombstones,
            unchanged_comments=unchanged,
        )

    def write_unchanged(self, *, post_read: bool) -> RecordResult:
        post_id = self._upsert_post()
        new_post = 0
        if post_read:
            self._upsert_authors()
            new_post, first_time = self._write_post_version(post_id)
            if first_time:
                # Nothing archived to be unchanged from: a thread without comments.
                self._upsert_state(post_id, active=False, changed=True)
                return RecordResult(new_post, 0, 0, 0)
        return self._unchanged_comments(post_id, new_post)

    def _unchanged_comments(self, post_id: int, new_post: int) -> RecordResult:
        """A thread whose pages all matched the last complete crawl's fingerprint: its
        comments were not parsed; they are seen again, unchanged (one UPDATE)."""
        seen = sql.mark_comments_seen.execute_one(self.conn, (post_id, self.t))
        self._upsert_state(post_id, active=new_post > 0, changed=new_post > 0)
        return RecordResult(
            new_post_versions=new_post,
            new_comment_versions=0,
            tombstones=0,
            unchanged_comments=max(seen, 0),
        )

    # The post row first: its upsert takes the row lock that serializes writers of
    # this thread on PostgreSQL.
    def _upsert_post(self) -> int:
        p = self.post
        row = (self.source_id, p.external_id, clean_text(p.url), self.t, self.t)
        return int(self.upserts.post.fetch(self.conn, row)[0][0])

    def _upsert_authors(self) -> None:
        p = self.post
        # key -> [display name, profile url, external id], in the author upsert's terms
        people: dict[str, list[str | None]] = {}
        names: set[tuple[str, str]] = set()
        entries: list[tuple[str, str, str | None, str | None]] = [
            (p.author_key, p.author_raw, p.author_url, p.author_external_id)
        ]
        entries += [(c.author_key, c.author_raw, c.author_url, None) for c in self.comments]
        for key, raw, url, ext in entries:
            if not key:
                continue  # anonymous: no identity to keep
            names.add((key, raw))
            person = people.get(key)
            if person is None:
                person = people[key] = [raw, None, None]
            person[0] = raw  # the last spelling in thread order wins
            if not person[1]:
                person[1] = clean_text(url)
            if not person[2]:
                person[2] = clean_text(ext)
        if not people:
            return
        t = self.t
        # Sorted, so concurrent writers lock shared author rows in one order: no deadlock.
        self.upserts.author.execute(
            self.conn,
            [
                (self.source_id, clean_text(k), clean_text(people[k][0]), people[k][1],
                 people[k][2], t, t)
                for k in sorted(people)
            ],
        )  # fmt: skip
        keys = sorted({cast(str, clean_text(k)) for k in people})
        by_clean: dict[str, int] = {}
        for i in range(0, len(keys), sql.AUTHOR_KEYS_AT_ONCE):
            batch = keys[i : i + sql.AUTHOR_KEYS_AT_ONCE]
            batch += batch[-1:] * (sql.AUTHOR_KEYS_AT_ONCE - len(batch))
            by_clean.update(
                (key, author_id)
                for author_id, key in sql.author_ids.fetch(self.conn, (self.source_id, *batch))
            )
        self.author_ids = {k: by_clean[clean_text(k)] for k in people}  # type: ignore[index]
        alias_rows = [(self.author_ids[key], clean_text(raw), t, t) for key, raw in sorted(names)]
        self.upserts.alias.execute(self.conn, alias_rows)

    def _write_post_version(self, post_id: int) -> tuple[int, bool]:
        """Insert a post version if the post changed; (versions written, first sight)."""
        p = self.post
        pv = post_version_t.c
        found = sql.current_post_version.fetch(self.conn, (post_id,))
        cur = _PostCurrent._make(found[0]) if found else None
        h = post_hash(p)
        if cur is not None:
            if cur.content_hash == h and not cur.deleted:
                return 0, False
            if self.t < cur.valid_from:
                log.warning(
                    "post %s: snapshot of %s is older than its current version; no version written",
                    p.external_id,
                    self.t.isoformat(),
                )
                return 0, False
            self.conn.execute(
                sa.update(post_version_t).where(pv.id == cur.id).values(valid_to=self.t)
            )
        row = (  # in insert_post_version's order
            post_id,
            1 if cur is None else cur.version + 1,
            self.t,
            None,
            self.crawl_id,
            h,
            False,
            clean_text(p.title),
            self.author_ids.get(p.author_key),
            clean_text(p.author_raw),
            p.published_at,
            p.modified_at,
            [clean_text(x) for x in p.tags],
            [clean_text(x) for x in p.categories],
            clean_text(p.body_html),
            clean_text(p.body_text),
            p.comment_count_displayed,
        )
        sql.insert_post_version.execute(self.conn, [row])
        return 1, cur is None

    def _upsert_comments(
        self, post_id: int, comments: Sequence[CommentRecord]
    ) -> dict[str, _Current]:
        """Comment identity rows up to date; then every comment's current version."""
        if comments:
            t = self.t
            self.upserts.comment.execute(
                self.conn,
                [(post_id, ext, t, t) for ext in sorted(c.external_id for c in comments)],
            )
        rows = sql.current_comments.fetch(self.conn, (post_id,))
        return {r[1]: _Current._make(r) for r in rows}

    def _write_comment_versions(
        self, post_id: int, comments: Sequence[CommentRecord], current: Mapping[str, _Current]
    ) -> tuple[int, int]:
        to_close: list[int] = []
        rows: list[tuple[Any, ...]] = []
        records: dict[int, CommentRecord] = {}
        unchanged = 0
        t, crawl_id, author_id = self.t, self.crawl_id, self.author_ids.get  # the hot loop's
        for rec in comments:
            cur = current[rec.external_id]
            h = comment_hash(rec)
            if cur.version_id is not None:
                if cur.content_hash == h and not cur.deleted:
                    unchanged += 1
                    continue
                if cur.valid_from is not None and t < cur.valid_from:
                    unchanged += 1  # a stale snapshot must not rewrite newer history
                    continue
                to_close.append(cur.version_id)
            records[cur.comment_id] = rec
            rows.append(  # in insert_comment_versions' order
                (
                    cur.comment_id,
                    (cur.version or 0) + 1,
                    t,
                    None,
                    crawl_id,
                    h,
                    False,
                    author_id(rec.author_key),
                    clean_text(rec.author_raw),
                    clean_text(rec.author_url),
                    rec.published_at,
                    rec.threaded_parent_external_id,
                    rec.parent_external_id,
                    clean_text(rec.body_html),
                    clean_text(rec.body_text),
                    clean_text(rec.own_text),
                    rec.position,
                    rec.page,
                )
            )
        if not rows:
            return 0, unchanged
        self._close(to_close)
        # Plain executemany, then one query for the new ids: with RETURNING, SQLAlchemy
        # renders one huge multi-row INSERT that psycopg re-parses on every call.
        sql.insert_comment_versions.execute(self.conn, rows)
        if not any(rec.replies or rec.quotes for rec in records.values()):
            return len(rows), unchanged  # no edges: the new ids are not needed
        inserted = sql.new_comment_versions.fetch(self.conn, (post_id, self.t))
        replies: list[tuple[Any, ...]] = []
        quotes: list[tuple[Any, ...]] = []
        for version_id, comment_id in inserted:
            new = records.get(comment_id)  # others: current versions this crawl wrote before
            if new is None:
                continue
            replies += [
                (
                    version_id,
                    r.ordinal,
                    r.kind,
                    clean_text(r.raw_name),
                    r.target_kind,
                    r.target_external_id,
                    r.resolved_by,
                )
                for r in new.replies
            ]
            quotes += [
                (
                    version_id,
                    q.ordinal,
                    clean_text(q.quoted_text),
                    q.source_kind,
                    q.source_external_id,
                    clean_text(q.source_url),
                )
                for q in new.quotes
            ]
        sql.insert_replies.execute(self.conn, replies)
        sql.insert_quotes.execute(self.conn, quotes)
        return len(rows), unchanged

    def _close(self, version_ids: Sequence[int]) -> None:
        t = self.t
        sql.close_comment_versions.execute(self.conn, [(v, t) for v in version_ids])

    def _tombstone(self, missing: Sequence[_Current]) -> int:
        """A deleted=true version for each live comment gone from a complete thread."""
        gone = [
            cur
            for cur in missing
            if cur.version_id is not None
            and not cur.deleted
            and (cur.valid_from is None or cur.valid_from <= self.t)
        ]
        if not gone:
            return 0
        ids = [cast(int, cur.version_id) for cur in gone]
        self._close(ids)
        insert_tombstones(self.conn, comment_version_t, ids, self.t, self.crawl_id)
        return len(gone)

    def _upsert_state(self, post_id: int, *, active: bool, changed: bool) -> None:
        dates = [
            _utc(d)
            for d in (self.post.published_at, *(c.published_at for c in self.comments))
            if d is not None
        ]
        activity = max(dates, default=None)
        if active and (activity is None or activity < self.t):
            activity = self.t  # an edit or deletion is a sign of life too
        check = self.check
        pages = check.pages if self.complete else ()
        first = pages[0] if pages else None
        # HTTP validators of the thread's pages, for the next crawl's conditional
        # requests (crawler.recrawl); the post page's also in etag / last_modified.
        validators = [
            {"url": ps.url, "fingerprint": ps.fingerprint, "etag": ps.etag,
             "last_modified": ps.last_modified, "sha256": ps.sha256}
            for ps in pages
        ]  # fmt: skip
        row = (  # in POST_STATE_KEYS order
            post_id,
            check.fingerprint,
            validators or None,
            first.etag if first else None,
            first.last_modified if first else None,
            0,
            self.checked_at,
            activity,
            self.crawl_id if self.complete else None,
        )
        up = self.upserts
        if self.complete:
            statement = up.post_state_complete
        else:  # see Upserts.post_state_partial_changed
            statement = up.post_state_partial_changed if changed else up.post_state_partial
        statement.execute(self.conn, [row])


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _dedupe(comments: Sequence[CommentRecord]) -> list[CommentRecord]:
    """First sighting of each comment id: shifting pagination can show one on two pages."""
    seen: set[str] = set()
    out: list[CommentRecord] = []
    for c in comments:
        if c.external_id not in seen:
            seen.add(c.external_id)
            out.append(c)
    return out
