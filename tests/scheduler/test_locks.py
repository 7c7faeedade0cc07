"""The crawl lock on SQLite and PostgreSQL: one holder, clear refusals, recovery from dead holders."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.orm import Session

from storage.engine import open_engine
from storage.errors import CrawlLocked
from storage.locks import crawl_lock, lock_holder, mark_stale_crawls_aborted
from storage.models import Crawl, CrawlLock, Source


@pytest.fixture
def engine(any_url: str) -> Iterator[Engine]:
    engine = open_engine(any_url)
    yield engine
    engine.dispose()


@pytest.fixture
def other(any_url: str, engine: Engine) -> Iterator[Engine]:
    """A second engine on the same archive: what another process would have."""
    second = open_engine(any_url)
    yield second
    second.dispose()


def test_second_acquirer_is_refused_naming_source_and_holder(engine: Engine, other: Engine) -> None:
    with (
        crawl_lock(engine, "blog-a"),
        pytest.raises(CrawlLocked) as info,
        crawl_lock(other, "blog-a"),
    ):
        pytest.fail("two holders of one crawl lock")
    message = str(info.value)
    assert "'blog-a'" in message
    assert f"pid {os.getpid()}" in message
    assert info.value.exit_code == 3


def test_locks_are_per_source_and_released_on_exit(engine: Engine, other: Engine) -> None:
    with crawl_lock(engine, "blog-a"), crawl_lock(other, "blog-b"):
        holder = lock_holder(engine, "blog-b")
        assert holder is not None and holder.pid == os.getpid()
    assert lock_holder(engine, "blog-a") is None
    with crawl_lock(other, "blog-a"):
        pass


def test_released_even_when_the_crawl_raises(engine: Engine, other: Engine) -> None:
    with pytest.raises(RuntimeError), crawl_lock(engine, "blog-a"):
        raise RuntimeError("crawl failed")
    with crawl_lock(other, "blog-a"):
        pass


HOLDER = textwrap.dedent(
    """
    import sys, time
    from storage.engine import open_engine
    from storage.locks import crawl_lock
    with crawl_lock(open_engine(sys.argv[1]), "blog-a"):
        print("locked", flush=True)
        time.sleep(120)
    """
)


@pytest.fixture
def holder_process(any_url: str) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the lock of 'blog-a'."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, any_url], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    yield proc
    proc.kill()
    proc.wait()


def test_a_lock_held_by_another_process_refuses_then_frees_when_it_is_killed(
    engine: Engine, holder_process: subprocess.Popen[str]
) -> None:
    with (
        pytest.raises(CrawlLocked, match=f"pid {holder_process.pid} "),
        crawl_lock(engine, "blog-a"),
    ):
        pass
    # SIGKILL: no clean-up code runs. PostgreSQL drops the session's advisory lock; on
    # SQLite the row names a pid on this host that no longer exists.
    holder_process.send_signal(signal.SIGKILL)
    holder_process.wait()
    deadline = time.monotonic() + 10
    while True:
        try:
            with crawl_lock(engine, "blog-a") as handle:
                assert lock_holder(engine, "blog-a").token == handle.token  # type: ignore[union-attr]
            break
        except CrawlLocked:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)  # PostgreSQL notices the closed socket a moment later


# -- SQLite's lock row ------------------------------------------------------------------


def _pretend_other_host(engine: Engine, key: str, heartbeat_age: float) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(CrawlLock)
            .where(CrawlLock.source_key == key)
            .values(
                owner_host="elsewhere",
                owner_pid=1,
                owner_token="theirs",
                heartbeat_at=datetime.now(UTC) - timedelta(seconds=heartbeat_age),
            )
        )


def _leave_lock_row(engine: Engine, key: str) -> None:
    """A lock row as a holder on another machine would leave it."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(CrawlLock).values(
                source_key=key,
                owner_pid=1,
                owner_host="elsewhere",
                owner_token="theirs",
                acquired_at=now,
                heartbeat_at=now,
            )
        )


def test_sqlite_fresh_row_of_another_host_is_respected(archive: Engine) -> None:
    _leave_lock_row(archive, "blog-a")
    _pretend_other_host(archive, "blog-a", heartbeat_age=5)
    with (
        pytest.raises(CrawlLocked, match="pid 1 on elsewhere"),
        crawl_lock(archive, "blog-a", stale_after=60),
    ):
        pass


def test_sqlite_stale_row_is_taken_over(archive: Engine) -> None:
    _leave_lock_row(archive, "blog-a")
    _pretend_other_host(archive, "blog-a", heartbeat_age=61)
    with crawl_lock(archive, "blog-a", stale_after=60) as handle:
        holder = lock_holder(archive, "blog-a")
        assert holder is not None and holder.token == handle.token
    assert lock_holder(archive, "blog-a") is None


def test_sqlite_heartbeat_keeps_the_row_fresh_and_notices_a_takeover(archive: Engine) -> None:
    with crawl_lock(archive, "blog-a", heartbeat_every=0.05) as handle:
        first = lock_holder(archive, "blog-a")
        assert first is not None
        deadline = time.monotonic() + 5
        while lock_holder(archive, "blog-a").heartbeat_at == first.heartbeat_at:  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "no heartbeat"
            time.sleep(0.05)
        _pretend_other_host(archive, "blog-a", heartbeat_age=0)  # someone took it over
        assert handle.lost.wait(5)
        assert handle.why.startswith("taken over by pid 1 on elsewhere since ")
    # Our release must not delete the new holder's row.
    holder = lock_holder(archive, "blog-a")
    assert holder is not None and holder.token == "theirs"


@pytest.mark.postgres
def test_postgres_keeper_notices_the_session_holding_the_lock_ending(pg_url: str) -> None:
    """A server restart or a cut connection frees the advisory lock silently: the
    holder must learn it, since another crawl may now start."""
    engine = open_engine(pg_url)
    try:
        with crawl_lock(engine, "blog-a", heartbeat_every=0.1) as handle:
            assert not handle.lost.wait(0.5)  # checks pass while the session lives
            with engine.begin() as conn:
                ended = (
                    conn.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_locks"
                            " WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()"
                            " AND database = (SELECT oid FROM pg_database"
                            " WHERE datname = current_database())"
                        )
                    )
                    .scalars()
                    .all()
                )
            assert ended == [True]
            assert handle.lost.wait(5)
            assert handle.why.startswith("the database session holding it ended (")
        assert lock_holder(engine, "blog-a") is None  # nobody holds it now
        with crawl_lock(engine, "blog-a"):  # and the next crawl may take it
            pass
    finally:
        engine.dispose()


# -- crawls left 'running' ------------------------------------------------------------


def _add_crawls(engine: Engine) -> dict[str, int]:
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        ids = {}
        for key in ("blog-a", "blog-b"):
            source = Source(
                key=key,
                name=key,
                url=f"https://{key}.example/",
                platform="wordpress",
                created_at=now,
            )
            session.add(source)
            session.flush()
            for status in ("ok", "running"):
                crawl = Crawl(
                    source_id=source.id, trigger="schedule", status=status, started_at=now
                )
                session.add(crawl)
                session.flush()
                ids[f"{key}/{status}"] = crawl.id
        return ids


def test_running_crawls_of_the_locked_source_are_marked_aborted(engine: Engine) -> None:
    ids = _add_crawls(engine)
    with crawl_lock(engine, "blog-a"):
        assert mark_stale_crawls_aborted(engine, "blog-a") == 1
    with Session(engine) as session:
        rows = {c.id: c for c in session.scalars(select(Crawl))}
    dead = rows[ids["blog-a/running"]]
    assert dead.status == "aborted"
    assert dead.finished_at is not None
    assert dead.error and "ended without finishing" in dead.error
    assert rows[ids["blog-a/ok"]].status == "ok"
    assert rows[ids["blog-b/running"]].status == "running"  # another source: not ours to judge


def test_the_current_crawl_can_be_excluded(engine: Engine) -> None:
    ids = _add_crawls(engine)
    assert mark_stale_crawls_aborted(engine, "blog-a", exclude_crawl_id=ids["blog-a/running"]) == 0
