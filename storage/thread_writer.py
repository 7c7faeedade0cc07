"""The thread writer: one thread snapshot written as versions, in the caller's transaction.

`write_thread` compares content hashes with the current versions (one query per
thread), inserts new versions of what changed (executemany), tombstones what
disappeared from a *complete* thread, and writes no row of what is unchanged: not a
version, and not the comment row either. A removal the service states (the
snapshot's `removals`) is recorded from any thread, complete or partial: a tombstone
with the service's word in `removed_as` (an inferred one has NULL). A comment's "last
seen" is its thread's last complete check (`post_state.last_complete_at`, read through
`current_comments`), so the comment row's `last_seen_at` moves only when a version of
it is written, when a partial thread shows it (a partial check sets no
last_complete_at), and before its tombstone (to the last complete check that still
showed it). Versions are insert-only;
the only update of a version row is closing its `valid_to`. Around it go the thread's
identity rows (post, authors and their aliases, new comments), its `post_state`, and
its problems (`thread_problem`), all upserted (`storage.upserts`).

`write_unchanged` records a thread whose comment pages all fingerprint as at the last
complete crawl: the post is compared (when it was read), and the check moves
post_state; no comment row is read for writing or written.

The post row is upserted first: on PostgreSQL that locks it until commit, so two
writers of the same thread queue behind each other (`storage.archive` retries a
transaction that still trips a unique constraint). Statements take named parameters
and rows are read by column name (`storage.writer_sql`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage import writer_sql as sql
from storage.edges import current_edges, insert_edges, rederive_edges
from storage.hashing import comment_hash, post_hash
from storage.records import (
    CommentRecord,
    PostRecord,
    RemovalRecord,
    ThreadCheck,
    ThreadSnapshot,
)
from storage.text import clean_text
from storage.tombstones import insert_tombstones
from storage.upserts import AliasRow, AuthorRow, CommentRow, Upserts

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
    rederived_comments: int = 0  # unchanged comments whose edges were derived anew


@dataclass
class _Person:
    """One author of a thread, as the author upsert takes it."""

    display_name: str
    profile_url: str | None = None
    external_id: str | None = None


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
        problems=thread.problems, removals=thread.removals,
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
        problems: Sequence[str] = (),
        removals: Sequence[RemovalRecord] = (),
    ) -> None:
        self.conn = conn
        self.upserts = upserts
        self.crawl_id = crawl_id
        self.check = check
        self.post = post
        self.comments = comments
        self.complete = complete
        self.problems = problems
        # External id -> the service's word (a snapshot states each once: assemble_thread).
        self.removals = {r.external_id: r.removed_as for r in removals}
        # Naive times are taken as UTC (as the column type does), so comparisons with
        # stored aware times cannot fail.
        self.t = _utc(t)
        self.checked_at = _utc(check.checked_at)
        self.source_id = source_id
        self.author_ids: dict[str, int] = {}
        self.rederived = 0  # unchanged comment versions whose edges were derived anew

    def write(self) -> RecordResult:
        post_id = self._upsert_post()
        self._upsert_authors()
        new_post, first_time = self._write_post_version(post_id)
        comments = _dedupe(self.comments)
        current = self._upsert_comments(post_id, comments)
        new_versions, unchanged = self._write_comment_versions(post_id, comments, current)
        seen = {c.external_id for c in comments}
        tombstones = self._tombstone_stated(post_id, current, seen)
        if self.complete:
            tombstones += self._tombstone(
                post_id,
                [cur for ext, cur in current.items() if ext not in seen and ext not in self.removals],
            )
        else:
            # A partial check moves no last_complete_at: the rows say they were seen.
            self._mark_seen([current[c.external_id].comment_id for c in comments], self.t)
        changed = new_post + new_versions + tombstones > 0
        self._upsert_state(post_id, active=changed and not first_time, changed=changed)
        self._write_problems(post_id)
        return RecordResult(
            new_post_versions=new_post,
            new_comment_versions=new_versions,
            tombstones=tombstones,
            unchanged_comments=unchanged,
            rederived_comments=self.rederived,
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
        comments were not parsed, and no comment row is written: the check itself (in
        post_state) is what says they were seen."""
        seen = self.conn.execute(sql.live_comment_count, {"post_id": post_id}).scalar_one()
        self._upsert_state(post_id, active=new_post > 0, changed=new_post > 0)
        return RecordResult(
            new_post_versions=new_post,
            new_comment_versions=0,
            tombstones=0,
            unchanged_comments=int(seen),
        )

    # The post row first: its upsert takes the row lock that serializes writers of
    # this thread on PostgreSQL.
    def _upsert_post(self) -> int:
        p = self.post
        row = {"source_id": self.source_id, "external_id": p.external_id,
               "url": clean_text(p.url), "first_seen_at": self.t, "last_seen_at": self.t}  # fmt: skip
        return int(self.conn.execute(self.upserts.post, row).scalar_one())

    def _upsert_authors(self) -> None:
        p = self.post
        people: dict[str, _Person] = {}
        names: set[tuple[str, str]] = set()
        entries: list[tuple[str, str, str | None, str | None]] = [
            (p.author_key, p.author_raw, p.author_url, p.author_external_id)
        ]
        entries += [(c.author_key, c.author_raw, c.author_url, c.author_external_id) for c in self.comments]
        for key, raw, url, ext in entries:
            if not key:
                continue  # anonymous: no identity to keep
            names.add((key, raw))
            person = people.get(key)
            if person is None:
                person = people[key] = _Person(display_name=raw)
            person.display_name = raw  # the last spelling in thread order wins
            if not person.profile_url:
                person.profile_url = clean_text(url)
            if not person.external_id:
                person.external_id = clean_text(ext)
        if not people:
            return
        t = self.t
        # Sorted, so concurrent writers lock shared author rows in one order: no deadlock.
        self.upserts.author.execute(
            self.conn,
            [
                AuthorRow(source_id=self.source_id, key=clean_text(k),
                          display_name=clean_text(people[k].display_name),
                          profile_url=people[k].profile_url, external_id=people[k].external_id,
                          first_seen_at=t, last_seen_at=t)
                for k in sorted(people)
            ],
        )  # fmt: skip
        keys = sorted({clean_text(k) for k in people})
        found = self.conn.execute(sql.author_ids, {"source_id": self.source_id, "keys": keys})
        by_clean = {r.key: r.id for r in found.all()}
        self.author_ids = {k: by_clean[clean_text(k)] for k in people}
        aliases = [
            AliasRow(author_id=self.author_ids[key], raw_name=clean_text(raw),
                     first_seen_at=t, last_seen_at=t)
            for key, raw in sorted(names)
        ]  # fmt: skip
        self.upserts.alias.execute(self.conn, aliases)

    def _write_post_version(self, post_id: int) -> tuple[int, bool]:
        """Insert a post version if the post changed; (versions written, first sight)."""
        p = self.post
        pv = post_version_t.c
        cur = self.conn.execute(sql.current_post_version, {"post_id": post_id}).one_or_none()
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
        row = {
            "post_id": post_id,
            "version": 1 if cur is None else cur.version + 1,
            "valid_from": self.t,
            "valid_to": None,
            "crawl_id": self.crawl_id,
            "content_hash": h,
            "deleted": False,
            "title": clean_text(p.title),
            "author_id": self.author_ids.get(p.author_key),
            "author_raw": clean_text(p.author_raw),
            "published_at": p.published_at,
            "published_raw": clean_text(p.published_raw),
            "modified_at": p.modified_at,
            "tags": [clean_text(x) for x in p.tags],
            "categories": [clean_text(x) for x in p.categories],
            "body_html": clean_text(p.body_html),
            "body_text": clean_text(p.body_text),
            "comment_count_displayed": p.comment_count_displayed,
        }
        self.conn.execute(sql.insert_post_version, row)
        return 1, cur is None

    def _upsert_comments(
        self, post_id: int, comments: Sequence[CommentRecord]
    ) -> dict[str, Any]:
        """Every comment's current version, after inserting the comments new to the post
        (the ones already archived are not written)."""
        key = {"post_id": post_id}
        current = {r.external_id: r for r in self.conn.execute(sql.current_comments, key).all()}
        new = sorted({c.external_id for c in comments} - current.keys())
        if new:
            t = self.t
            self.upserts.comment.execute(self.conn, [CommentRow(post_id, ext, t, t) for ext in new])
            current = {
                r.external_id: r for r in self.conn.execute(sql.current_comments, key).all()
            }
        return current

    def _write_comment_versions(
        self, post_id: int, comments: Sequence[CommentRecord], current: Mapping[str, Any]
    ) -> tuple[int, int]:
        to_close: list[int] = []
        reseen: list[int] = []  # comments archived before that get a new version
        rows: list[sql.CommentVersionRow] = []
        records: dict[int, CommentRecord] = {}
        kept: list[tuple[int, CommentRecord]] = []  # unchanged: (current version id, record)
        unchanged = 0
        t, crawl_id, author_id = self.t, self.crawl_id, self.author_ids.get  # the hot loop's
        for rec in comments:
            cur = current[rec.external_id]
            h = comment_hash(rec)
            if cur.version_id is not None:
                if cur.content_hash == h and not cur.deleted:
                    unchanged += 1
                    kept.append((cur.version_id, rec))
                    continue
                if cur.valid_from is not None and t < cur.valid_from:
                    unchanged += 1  # a stale snapshot must not rewrite newer history
                    continue
                to_close.append(cur.version_id)
                reseen.append(cur.comment_id)
            records[cur.comment_id] = rec
            rows.append(
                sql.CommentVersionRow(
                    comment_id=cur.comment_id,
                    version=(cur.version or 0) + 1,
                    valid_from=t,
                    valid_to=None,
                    crawl_id=crawl_id,
                    content_hash=h,
                    deleted=False,
                    author_id=author_id(rec.author_key),
                    author_raw=clean_text(rec.author_raw),
                    author_url=clean_text(rec.author_url),
                    published_at=rec.published_at,
                    published_raw=clean_text(rec.published_raw),
                    published_approximate=rec.published_approximate,
                    threaded_parent_external_id=rec.threaded_parent_external_id,
                    parent_external_id=rec.parent_external_id,
                    body_html=clean_text(rec.body_html),
                    body_text=clean_text(rec.body_text),
                    own_text=clean_text(rec.own_text),
                    position=rec.position,
                    page=rec.page,
                    removed_as=None,
                    edited=rec.edited,
                    edited_at=rec.edited_at,
                )
            )
        if kept and self.complete:
            # What other comments decide (quotes' sources, @-names) is derived anew; a
            # change is recorded on the edges, never as a version (storage.edges).
            self.rederived = rederive_edges(
                self.conn, kept, current_edges(self.conn, post_id), t, crawl_id
            )
        if not rows:
            return 0, unchanged
        self._close(to_close)
        if self.complete:
            # A partial thread marks every comment it shows (write()); a complete one
            # only those it writes a version of (the others' last seen is the check;
            # a comment new to the archive was inserted seen now).
            self._mark_seen(reseen, t)
        # Plain executemany, then one query for the new ids: with RETURNING, SQLAlchemy
        # renders one huge multi-row INSERT that psycopg re-parses on every call.
        sql.insert_comment_versions.execute(self.conn, rows)
        if not any(rec.replies or rec.quotes for rec in records.values()):
            return len(rows), unchanged  # no edges: the new ids are not needed
        inserted = self.conn.execute(sql.new_comment_versions, {"post_id": post_id, "t": t}).all()
        # Others: current versions this crawl wrote before.
        versions = [(r.version_id, records[r.comment_id]) for r in inserted if r.comment_id in records]
        insert_edges(self.conn, versions, t, crawl_id)
        return len(rows), unchanged

    def _close(self, version_ids: Sequence[int]) -> None:
        if version_ids:
            t = self.t
            self.conn.execute(sql.close_comment_versions, [{"vid": v, "t": t} for v in version_ids])

    def _mark_seen(self, comment_ids: Sequence[int], t: datetime | None) -> None:
        """The comment rows' last_seen_at moved forward to `t` (rows already as late: untouched)."""
        if comment_ids and t is not None:
            self.conn.execute(sql.mark_comments_seen, [{"cid": c, "t": t} for c in comment_ids])

    def _tombstone_stated(self, post_id: int, current: Mapping[str, Any], seen: set[str]) -> int:
        """A tombstone saying the service's word for each archived comment it states was
        removed (one it shows live in this snapshot too is live; one never archived has
        nothing to close)."""
        by_word: dict[str, list[Any]] = {}
        for ext, word in self.removals.items():
            if ext in current and ext not in seen:
                by_word.setdefault(word, []).append(current[ext])
        return sum(self._tombstone(post_id, by_word[w], removed_as=w) for w in sorted(by_word))

    def _tombstone(self, post_id: int, missing: Sequence[Any], removed_as: str | None = None) -> int:
        """A deleted=true version for each live comment of `missing`: gone from a complete
        thread (`removed_as` None), or stated removed by the service (its word)."""
        gone = [
            cur
            for cur in missing
            if cur.version_id is not None
            and not cur.deleted
            and (cur.valid_from is None or cur.valid_from <= self.t)
        ]
        if not gone:
            return 0
        # Last seen at the last complete check that still showed them (this one does not).
        before = self.conn.execute(sql.last_complete_at, {"post_id": post_id}).scalar()
        self._mark_seen([cur.comment_id for cur in gone], before)
        ids = [int(cur.version_id) for cur in gone]
        self._close(ids)
        insert_tombstones(
            self.conn, comment_version_t, ids, self.t, self.crawl_id, removed_as=clean_text(removed_as)
        )
        return len(gone)

    def _write_problems(self, post_id: int) -> None:
        """The thread's problems on this crawl (none: no statement at all)."""
        if self.problems:
            self.conn.execute(
                self.upserts.problem,
                [{"crawl_id": self.crawl_id, "post_id": post_id, "ordinal": i,
                  "problem": clean_text(text)}
                 for i, text in enumerate(self.problems)],
            )  # fmt: skip

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
        row = {
            "post_id": post_id,
            "fingerprint": check.fingerprint,
            "pages": validators or None,
            "etag": first.etag if first else None,
            "last_modified": first.last_modified if first else None,
            "gone_count": 0,
            "last_checked_at": self.checked_at,
            "last_activity_at": activity,
            "last_complete_crawl_id": self.crawl_id if self.complete else None,
            "last_complete_at": self.checked_at if self.complete else None,
            "last_full_at": self.checked_at if self.complete and not check.vouched else None,
        }
        up = self.upserts
        if self.complete:
            statement = up.post_state_complete
        else:  # see Upserts.post_state_partial_changed
            statement = up.post_state_partial_changed if changed else up.post_state_partial
        self.conn.execute(statement, row)


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
