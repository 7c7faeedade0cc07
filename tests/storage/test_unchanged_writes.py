"""An unchanged thread writes no comment row, and its comments' last seen still advances.

Measured by the databases themselves: PostgreSQL's `pg_stat_user_tables` counters of
the comment table, SQLite's `total_changes()` of the writer's connections and, per
table, a trigger this test adds to its own archive.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from storage.archive import Archive
from storage.models import UTCDateTime
from storage.records import PostRecord, ThreadCheck
from tests.factories import SOURCE_KEY, at, make_comment, make_post, make_thread, record

COMMENTS = [make_comment("1"), make_comment("2", parent="1"), make_comment("3")]
# What a recrawl whose post page answered 304 knows of the post.
ONLY_IDS = PostRecord(external_id="100", url="https://blog.example/?p=100", title="",
                      author_raw="", author_key="")  # fmt: skip


@pytest.fixture
def crawl(archive: Archive) -> Callable[[], int]:
    archive.ensure_source(SOURCE_KEY, "Test blog", "https://blog.example/", "wordpress")
    return lambda: archive.start_crawl(SOURCE_KEY, "test")


def unchanged_recrawls(archive: Archive, crawl: Callable[[], int]) -> None:
    """The three ways a recrawl finds a thread unchanged: every page a 304 (post not
    read), comment pages as before with the post read, and everything parsed again."""
    check = ThreadCheck(checked_at=at(1), fingerprint="f")
    archive.record_unchanged(SOURCE_KEY, ONLY_IDS, crawl(), check, post_read=False)
    check = ThreadCheck(checked_at=at(2), fingerprint="f")
    archive.record_unchanged(SOURCE_KEY, make_post(), crawl(), check, post_read=True)
    record(archive, make_thread(COMMENTS, fetched_at=at(3)), crawl(), fingerprint="f")


def comment_last_seen(engine: sa.Engine) -> list[Any]:
    query = sa.text("SELECT last_seen_at FROM current_comments ORDER BY external_id")
    with engine.connect() as conn:
        return list(conn.execute(query.columns(last_seen_at=UTCDateTime())).scalars())


# -- PostgreSQL: the statistics collector's counters ----------------------------------


def _pg_counts(engine: sa.Engine, table: str) -> tuple[int, int, int]:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            sa.text(
                "SELECT n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables"
                " WHERE relname = :t"
            ),
            {"t": table},
        ).one()
    return (row.n_tup_ins, row.n_tup_upd, row.n_tup_del)


def _pg_flushed(engine: sa.Engine, table: str, done: Callable[[tuple[int, int, int]], bool]) -> Any:
    """The counters of `table` once its writers' statistics reached the shared ones.

    A backend reports its counts when idle, at most once a second, and when it exits
    (PostgreSQL 15+): the writers' connections are closed, and `done` (a count the
    writes must have reached) says when their report is in."""
    engine.dispose()
    for _ in range(100):
        counts = _pg_counts(engine, table)
        if done(counts):
            return counts
        time.sleep(0.1)
    raise AssertionError(f"statistics of {table} never showed the writes: {counts}")


@pytest.mark.postgres
def test_postgres_comment_table_untouched_by_unchanged_recrawls(
    pg_url: str, tmp_path: Any
) -> None:
    from storage.engine import open_engine

    engine = open_engine(pg_url)
    archive = Archive(engine)
    archive.ensure_source(SOURCE_KEY, "Test blog", "https://blog.example/", "wordpress")
    crawl = lambda: archive.start_crawl(SOURCE_KEY, "test")
    record(archive, make_thread(COMMENTS), crawl(), fingerprint="f")
    comments = _pg_flushed(engine, "comment", lambda c: c[0] == 3)
    posts = _pg_counts(engine, "post")
    unchanged_recrawls(archive, crawl)
    # The three recrawls upserted the post row three times: their report is in once the
    # post's update count shows them.
    _pg_flushed(engine, "post", lambda c: c[1] >= posts[1] + 3)
    assert _pg_counts(engine, "comment") == comments == (3, 0, 0)
    assert comment_last_seen(engine) == [at(3)] * 3
    engine.dispose()


# -- SQLite: total_changes() and a per-table trigger ----------------------------------


@pytest.fixture
def sqlite_archive(sqlite_url: str) -> Any:
    from storage.engine import open_engine

    engine = open_engine(sqlite_url)
    connections: list[Any] = []

    @sa.event.listens_for(engine, "checkout")
    def _seen(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        if all(dbapi_conn is not c for c in connections):
            connections.append(dbapi_conn)

    with engine.begin() as conn:  # this test's own log of comment rows written
        conn.exec_driver_sql("CREATE TABLE comment_writes (op TEXT NOT NULL)")
        for op in ("INSERT", "UPDATE", "DELETE"):
            conn.exec_driver_sql(
                f"CREATE TRIGGER comment_{op.lower()} AFTER {op} ON comment"
                f" BEGIN INSERT INTO comment_writes VALUES ('{op}'); END"
            )
    yield engine, Archive(engine), connections
    engine.dispose()


def _total_changes(connections: list[Any]) -> int:
    return sum(c.total_changes for c in connections)


def test_sqlite_comment_table_untouched_by_unchanged_recrawls(sqlite_archive: Any) -> None:
    engine, archive, connections = sqlite_archive
    archive.ensure_source(SOURCE_KEY, "Test blog", "https://blog.example/", "wordpress")
    crawl = lambda: archive.start_crawl(SOURCE_KEY, "test")
    record(archive, make_thread(COMMENTS), crawl(), fingerprint="f")
    crawl_id = crawl()

    def writes() -> list[str]:
        with engine.connect() as conn:
            return list(conn.exec_driver_sql("SELECT op FROM comment_writes").scalars())

    assert writes() == ["INSERT"] * 3
    before = _total_changes(connections)
    check = ThreadCheck(checked_at=at(1), fingerprint="f")
    archive.record_unchanged(SOURCE_KEY, ONLY_IDS, crawl_id, check, post_read=False)
    # All a 304 recrawl writes: the post row (its seen times) and its post_state.
    assert _total_changes(connections) - before == 2
    unchanged_recrawls(archive, crawl)
    assert writes() == ["INSERT"] * 3
    assert comment_last_seen(engine) == [at(3)] * 3


# -- last seen, as the views show it ---------------------------------------------------


def test_last_seen_advances_on_unchanged_recrawls_and_stops_at_the_tombstone(
    archive: Archive, engine: sa.Engine, crawl: Callable[[], int]
) -> None:
    record(archive, make_thread(COMMENTS), crawl(), fingerprint="f")
    assert comment_last_seen(engine) == [at(0)] * 3
    check = ThreadCheck(checked_at=at(1), fingerprint="f")
    archive.record_unchanged(SOURCE_KEY, ONLY_IDS, crawl(), check, post_read=False)
    assert comment_last_seen(engine) == [at(1)] * 3
    # A partial check sees what it shows, and moves nothing else.
    partial = make_thread(COMMENTS[:1], fetched_at=at(2), complete=False)
    record(archive, partial, crawl())
    assert comment_last_seen(engine) == [at(2), at(1), at(1)]
    # Comment 3 gone from a complete thread: tombstoned; its row's last seen is the last
    # complete check that showed it.
    record(archive, make_thread(COMMENTS[:2], fetched_at=at(3)), crawl())
    assert comment_last_seen(engine) == [at(3), at(3)]
    with engine.connect() as conn:
        gone = conn.execute(
            sa.text("SELECT last_seen_at FROM comment WHERE external_id = '3'").columns(
                last_seen_at=UTCDateTime()
            )
        ).scalar()
    assert gone == at(1)
