"""The archive's one front door for the crawler: sources, crawls, fetches, threads, and reads.

Writes: `Archive.record(thread, crawl_id, check)` writes one thread in one transaction;
`record_unchanged` records a thread whose comment pages all fingerprint as at the last
complete crawl (its comments were not parsed); `record_gone` counts a post that answered
404/410 (`storage.gone`). What a thread write does (new versions of what changed,
tombstones, identity rows, post_state) is `storage.thread_writer`. Versions are
insert-only; the only update of a version row is closing its `valid_to`.

Reads for the crawler's decisions (`storage.known`): `known_posts`, `finished_threads`
(resume), `crawl_captures` (reparse).

Concurrency: the post row is upserted first, and an upsert locks that row on
PostgreSQL until commit, so two writers of the same thread queue behind each other
instead of racing; unique constraints back that up, and a transaction that still
trips one is retried from the start. SQLite writers queue on BEGIN IMMEDIATE.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from storage import known_sql
from storage.errors import ConfigError
from storage.gone import GoneResult, count_gone
from storage.known import ArchivedText, CrawlCaptures, FinishedThreads, KnownPost
from storage.models import (
    CRAWL_STATUSES,
    CRAWL_TRIGGERS,
    crawl_t,
    fetch_t,
    source_t,
)
from storage.records import FetchRecord, PostGone, PostRecord, ThreadCheck, ThreadSnapshot
from storage.redaction.denylist import load_rules
from storage.redaction.rules import redact_post, redact_thread
from storage.thread_writer import RecordResult, clean_text, write_thread, write_unchanged
from storage.upserts import Upserts

__all__ = [
    "Archive",
    "CrawlCaptures",
    "FinishedThreads",
    "GoneResult",
    "KnownPost",
    "RecordResult",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_ATTEMPTS = 6
# PostgreSQL SQLSTATEs worth a retry: unique violation (a racing writer won),
# serialization failure, deadlock.
RETRY_SQLSTATES = {"23505", "40001", "40P01"}

_insert_fetches = sa.insert(fetch_t)


def _now() -> datetime:
    return datetime.now(UTC)


def _retryable(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)
    if code in RETRY_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig)


class Archive:
    """Writes crawls, fetches and thread snapshots to one archive database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._source_ids: dict[str, int] = {}
        self.upserts = Upserts(engine.dialect.name)

    # -- sources and crawls -------------------------------------------------------

    def ensure_source(self, key: str, name: str, url: str, platform: str) -> int:
        """The id of source `key`, created or brought up to date with the config."""
        row = {"key": key, "name": name, "url": url, "platform": platform, "created_at": _now()}
        stmt = self.upserts.source
        source_id: int = self._retry(lambda conn: conn.execute(stmt, row).scalar_one())
        self._source_ids[key] = source_id
        return source_id

    def start_crawl(
        self, source_key: str, trigger: str, *, software_version: str | None = None
    ) -> int:
        """Open a crawl of `source_key` (status 'running') and return its id."""
        if trigger not in CRAWL_TRIGGERS:
            raise ValueError(f"crawl trigger {trigger!r} is not one of {CRAWL_TRIGGERS}")
        now = _now()

        def work(conn: Connection) -> int:
            crawl_id: int = conn.execute(
                sa.insert(crawl_t)
                .values(
                    source_id=self._source_id(conn, source_key),
                    trigger=trigger,
                    status="running",
                    started_at=now,
                    software_version=software_version,
                    pid=os.getpid(),
                    heartbeat_at=now,
                )
                .returning(crawl_t.c.id)
            ).scalar_one()
            return crawl_id

        return self._retry(work)

    def finish_crawl(
        self, crawl_id: int, status: str, stats: Mapping[str, Any], error: str | None = None
    ) -> None:
        """Close a crawl with its final status, stats and error (if any).

        A `warc_sha256` mapping in the stats ({file: sha256}) also fills the column of
        that name, where provenance checks look for it.
        """
        if status not in CRAWL_STATUSES or status == "running":
            raise ValueError(f"final crawl status {status!r} is not one of {CRAWL_STATUSES[1:]}")
        now = _now()
        warc = stats.get("warc_sha256")
        stmt = (
            sa.update(crawl_t)
            .where(crawl_t.c.id == crawl_id)
            .values(
                status=status,
                finished_at=now,
                heartbeat_at=now,
                stats=dict(stats),
                error=clean_text(error),
                warc_sha256=dict(warc) if isinstance(warc, Mapping) and warc else None,
            )
        )
        self._retry(lambda conn: conn.execute(stmt))

    def heartbeat(self, crawl_id: int) -> None:
        """Mark a running crawl alive (`crawl.heartbeat_at` = now)."""
        stmt = sa.update(crawl_t).where(crawl_t.c.id == crawl_id).values(heartbeat_at=_now())
        self._retry(lambda conn: conn.execute(stmt))

    def record_fetches(self, crawl_id: int, fetches: Sequence[FetchRecord]) -> None:
        """Store the HTTP responses of a crawl, in one executemany."""
        if not fetches:
            return
        rows = [
            {"crawl_id": crawl_id, "url": clean_text(f.url), "method": f.method,
             "status": f.status, "fetched_at": f.fetched_at, "size": f.size, "sha256": f.sha256,
             "elapsed_ms": f.elapsed_ms, "content_type": clean_text(f.content_type),
             "encoding": f.encoding, "error": clean_text(f.error), "warc_file": f.warc_file, "warc_offset": f.warc_offset}
            for f in fetches
        ]  # fmt: skip
        self._retry(lambda conn: conn.execute(_insert_fetches, rows))

    # -- threads ------------------------------------------------------------------

    def record(self, thread: ThreadSnapshot, crawl_id: int, check: ThreadCheck) -> RecordResult:
        """Record one thread snapshot for crawl `crawl_id`, in one transaction.

        `check` is what the fetch saw of the thread's pages (fingerprint, validators),
        kept in post_state for the next crawl when the thread is complete.
        """
        def work(conn: Connection) -> RecordResult:
            # The deny-list first (storage.redaction): a redacted item is written only as
            # its placeholder, and an unchanged one hashes as the archive holds it.
            denied = redact_thread(thread, load_rules(conn, thread.source_key))
            source_id = self._source_id(conn, thread.source_key)
            return write_thread(conn, self.upserts, source_id, denied, crawl_id, check)

        return self._retry(work)

    def record_unchanged(
        self,
        source_key: str,
        post: PostRecord,
        crawl_id: int,
        check: ThreadCheck,
        *,
        post_read: bool,
    ) -> RecordResult:
        """Record a thread seen unchanged: its comment pages all fingerprint as at the last
        complete crawl, so its comments were not parsed.

        `post_read=True`: `post` is the post as read now, and a post version is written
        if it changed. `post_read=False`: the post page answered 304 or the same bytes,
        `post` holds only `external_id` and `url`, and the post's versions are untouched.
        """
        def work(conn: Connection) -> RecordResult:
            denied = redact_post(post, load_rules(conn, source_key)) if post_read else post
            return write_unchanged(
                conn, self.upserts, self._source_id(conn, source_key), denied, crawl_id, check,
                post_read=post_read,
            )

        return self._retry(work)

    def record_gone(self, gone: PostGone, crawl_id: int) -> GoneResult:
        """Count one crawl's 404/410 for a known post; tombstone it on the second crawl in
        a row (`storage.gone`). Once per post and crawl; an unknown post is ignored."""
        return self._retry(lambda conn: count_gone(conn, gone, crawl_id))

    # -- reads for the crawler ----------------------------------------------------

    def known_posts(self, source_key: str) -> list[KnownPost]:
        """Every archived post of the source with its post_state, in one query."""
        with self.engine.connect() as conn:
            return known_sql.known_posts(conn, source_key)

    def finished_threads(self, source_key: str, *, window: timedelta) -> FinishedThreads:
        """The threads finished by the latest run of `aborted` crawls of the source, back
        to `window` ago (what a resumed crawl need not fetch again)."""
        with self.engine.connect() as conn:
            return known_sql.finished_threads(conn, source_key, window=window)

    def archived_texts(self, source_key: str, post_external_id: str) -> list[ArchivedText]:
        """The texts of every archived version of the thread's comments: what its quotes
        may quote, for normalization (crawler.normalize.thread)."""
        with self.engine.connect() as conn:
            return known_sql.archived_texts(conn, source_key, post_external_id)

    def crawl_captures(self, crawl_id: int) -> CrawlCaptures:
        """The WARC files crawl `crawl_id` wrote and their recorded SHA-256 (InputError
        "--crawl N: no such crawl" when there is none)."""
        with self.engine.connect() as conn:
            return known_sql.crawl_captures(conn, crawl_id)

    def denied_names(self, source_key: str) -> frozenset[str]:
        """Hashes of the names the source's takedowns removed (storage.redaction): the
        WARC capture leaves out a response that holds one."""
        with self.engine.connect() as conn:
            return frozenset(h for rule in load_rules(conn, source_key) for h in rule.name_hashes)

    # -- helpers ------------------------------------------------------------------

    def _retry(self, work: Callable[[Connection], T]) -> T:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with self.engine.begin() as conn:
                    return work(conn)
            except DBAPIError as exc:
                if attempt == MAX_ATTEMPTS or not _retryable(exc):
                    raise
                log.info("retrying after %s (attempt %d)", exc.orig, attempt)
                time.sleep(random.uniform(0.01, 0.05) * attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _source_id(self, conn: Connection, key: str) -> int:
        if key in self._source_ids:
            return self._source_ids[key]
        found = conn.execute(sa.select(source_t.c.id).where(source_t.c.key == key)).scalar()
        if found is None:
            raise ConfigError(f"unknown source {key!r}: it is not in the archive (ensure_source)")
        self._source_ids[key] = found
        return int(found)
