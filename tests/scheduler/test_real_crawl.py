"""End to end: `palimpsest schedule run` starting the real `palimpsest crawl` against a local blog.

A scheduled crawl is recorded with trigger 'schedule'; a manual crawl during it is
refused with status 3; SIGTERM to the scheduler mid-crawl leaves a consistent archive; a
killed crawl is not retried in a loop and is marked aborted by the next crawl; a crawl
that loses its lock mid-way stops, marked aborted with the reason.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text, update

from storage.engine import open_engine
from storage.models import Comment, CommentVersion, Crawl, CrawlLock, Post, PostVersion

from .conftest import REPO
from .helpers import next_run_times, set_next_run_time, wait_for
from .site import COMMENTS, serve_blog

pytestmark = pytest.mark.slow

# What a real crawl of the local blog needs in the config (write_config, conftest.py).
REAL_CRAWL: dict[str, Any] = {"crawl_delay": 0, "source_extra": "use_rest = false"}


def once_soon(seconds: int = 6) -> str:
    """A six-field cron that fires once, `seconds` from now (and then not for a day)."""
    t = datetime.now(UTC) + timedelta(seconds=seconds)
    return f"{t.second} {t.minute} {t.hour} * * *"


def palimpsest(*args: str, cwd: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PALIMPSEST_CRAWL_COMMAND"}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=cwd,
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


class Scheduler:
    """`palimpsest schedule run` as a process of its own, output in a file."""

    def __init__(self, tmp_path: Path, config: Path, db_url: str) -> None:
        self.out = tmp_path / "scheduler.out"
        self.logs = tmp_path / "logs"
        env = {k: v for k, v in os.environ.items() if k != "PALIMPSEST_CRAWL_COMMAND"}
        with self.out.open("w") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "cli",
                    "schedule",
                    "run",
                    "--config",
                    str(config),
                    "--db",
                    db_url,
                    "--logs-dir",
                    str(self.logs),
                ],
                cwd=tmp_path,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def terminate(self, timeout: float = 90) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def output(self) -> str:
        return self.out.read_text()


@pytest.fixture
def scheduler_proc() -> Iterator[list[Scheduler]]:
    started: list[Scheduler] = []
    yield started
    for s in started:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()


@pytest.fixture
def db(any_url: str) -> Iterator[tuple[str, Engine]]:
    engine = open_engine(any_url)
    yield any_url, engine
    engine.dispose()


def crawls(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(Crawl).order_by(Crawl.id)).all())


def count(engine: Engine, *what: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(*what)).scalar_one())


def assert_consistent(engine: Engine) -> None:
    """No crawl left running, no lock left held, and every archived thread whole."""
    rows = crawls(engine)
    assert rows and all(r.status != "running" and r.finished_at is not None for r in rows)
    assert count(engine, CrawlLock) == 0
    with engine.connect() as conn:
        per_post = conn.execute(
            select(Post.id, func.count(CommentVersion.id))
            .join(Comment, Comment.post_id == Post.id)
            .join(CommentVersion, CommentVersion.comment_id == Comment.id)
            .where(CommentVersion.valid_to.is_(None))
            .group_by(Post.id)
        ).all()
    # On SQLite every transaction takes the write lock: count after the one above ends.
    # One transaction per thread: a post is in the archive with all its comments or not at all.
    assert all(n == COMMENTS for _, n in per_post), per_post
    assert len(per_post) == count(engine, Post)
    assert count(engine, PostVersion) == count(engine, Post)


def test_a_scheduled_crawl_happens_and_is_recorded(
    tmp_path: Path, db: tuple[str, Engine], scheduler_proc: list[Scheduler],
    write_config: Callable[..., Path],
) -> None:
    url, engine = db
    with serve_blog(tmp_path / "site") as site:
        config = write_config({"blog-a": once_soon()}, site=site, grace=60, **REAL_CRAWL)
        sched = Scheduler(tmp_path, config, url)
        scheduler_proc.append(sched)
        wait_for(
            lambda: any(r.status != "running" for r in crawls(engine)),
            timeout=60,
            what="the scheduled crawl to finish",
        )
        assert sched.terminate() == 0
    [crawl] = crawls(engine)
    assert (crawl.trigger, crawl.status) == ("schedule", "ok")
    assert count(engine, Post) == 4
    assert_consistent(engine)
    [log] = (sched.logs / "blog-a").glob("*-schedule-*.log")
    assert f"crawl {crawl.id} of blog-a: ok" in log.read_text()
    listing = palimpsest("schedule", "list", "--config", str(config), "--db", url, cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    line = next(l for l in listing.stdout.splitlines() if l.startswith("blog-a"))
    assert " ok " in line and "not scheduled" not in line


def test_sigterm_mid_crawl_leaves_a_consistent_archive_and_overlap_is_refused(
    tmp_path: Path, db: tuple[str, Engine], scheduler_proc: list[Scheduler],
    write_config: Callable[..., Path],
) -> None:
    url, engine = db
    with serve_blog(tmp_path / "site", posts=60, delay=0.5) as site:
        config = write_config({"blog-a": once_soon()}, site=site, grace=60, **REAL_CRAWL)
        sched = Scheduler(tmp_path, config, url)
        scheduler_proc.append(sched)
        wait_for(lambda: count(engine, Post) >= 1, timeout=60, what="the first thread recorded")

        manual = palimpsest(
            "crawl", "--source", "blog-a", "--config", str(config), "--db", url, cwd=tmp_path
        )
        assert manual.returncode == 3, manual.stdout + manual.stderr
        assert "a crawl of source 'blog-a' is already running (pid " in manual.stderr
        assert "Traceback" not in manual.stderr

        listing = palimpsest("schedule", "list", "--config", str(config), "--db", url, cwd=tmp_path)
        assert "running (pid " in listing.stdout

        assert sched.terminate() == 0
    [crawl] = crawls(engine)
    assert crawl.trigger == "schedule"
    assert crawl.status == "aborted", (crawl.status, crawl.error)
    assert 1 <= count(engine, Post) < 60
    assert_consistent(engine)
    assert "stopping after the running crawls" in sched.output()


def test_a_killed_crawl_is_not_retried_in_a_loop_and_the_next_crawl_closes_it(
    tmp_path: Path, db: tuple[str, Engine], scheduler_proc: list[Scheduler],
    write_config: Callable[..., Path],
) -> None:
    url, engine = db
    with serve_blog(tmp_path / "site", posts=6, delay=0.3) as site:
        config = write_config({"blog-a": once_soon()}, site=site, grace=60, **REAL_CRAWL)
        sched = Scheduler(tmp_path, config, url)
        scheduler_proc.append(sched)
        running = wait_for(
            lambda: [r for r in crawls(engine) if r.pid],
            timeout=60,
            what="the scheduled crawl to start",
        )
        os.kill(running[0].pid, signal.SIGKILL)  # a crash: no clean-up code runs
        wait_for(lambda: "ended with status -9" in sched.output(), timeout=30, what="the crash")
        time.sleep(3)  # a retry loop would show up as more crawl rows
        assert len(crawls(engine)) == 1 and crawls(engine)[0].status == "running"

        listing = palimpsest("schedule", "list", "--config", str(config), "--db", url, cwd=tmp_path)
        assert "died" in listing.stdout

        again = palimpsest(
            "schedule",
            "run-now",
            "blog-a",
            "--config",
            str(config),
            "--db",
            url,
            "--logs-dir",
            str(tmp_path / "logs"),
            cwd=tmp_path,
        )
        assert again.returncode == 0, again.stderr
        assert sched.terminate() == 0
    dead, fresh = crawls(engine)
    assert dead.status == "aborted" and "ended without finishing" in dead.error
    assert (fresh.trigger, fresh.status) == ("manual", "ok")
    assert_consistent(engine)


def test_restart_after_downtime_gives_exactly_one_catch_up_crawl(
    tmp_path: Path, db: tuple[str, Engine], scheduler_proc: list[Scheduler],
    write_config: Callable[..., Path],
) -> None:
    url, engine = db
    with serve_blog(tmp_path / "site") as site:
        config = write_config({"blog-a": "0 3 * * *"}, site=site, grace=4 * 86400, **REAL_CRAWL)
        first = Scheduler(tmp_path, config, url)
        scheduler_proc.append(first)
        wait_for(lambda: "blog-a" in next_run_times(engine), what="the job to be stored")
        assert first.terminate() == 0
        # Down for three nights: three 03:00 slots missed, all within the grace time.
        set_next_run_time(engine, "blog-a", datetime.now(UTC) - timedelta(days=3))
        second = Scheduler(tmp_path, config, url)
        scheduler_proc.append(second)
        wait_for(
            lambda: any(r.status != "running" for r in crawls(engine)),
            timeout=60,
            what="the catch-up crawl",
        )
        time.sleep(3)  # room for a wrong second catch-up run
        assert second.terminate() == 0
    [crawl] = crawls(engine)
    assert (crawl.trigger, crawl.status) == ("schedule", "ok")
    upcoming = next_run_times(engine)["blog-a"]
    assert upcoming is not None and upcoming > datetime.now(UTC)
    assert_consistent(engine)


def _take_the_lock_away(engine: Engine) -> None:
    """What a lost lock looks like: on SQLite another process took the row over (its
    heartbeat judged ours stale); on PostgreSQL the session holding it ended."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(
                update(CrawlLock).values(owner_token="theirs", owner_pid=1, owner_host="elsewhere")
            )
        else:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND granted AND database = (SELECT oid FROM pg_database"
                    " WHERE datname = current_database())"
                )
            )


def test_a_crawl_that_loses_its_lock_stops_and_is_marked_aborted(
    tmp_path: Path, db: tuple[str, Engine], write_config: Callable[..., Path]
) -> None:
    url, engine = db
    with serve_blog(tmp_path / "site", posts=40, delay=0.3) as site:
        config = write_config({"blog-a": once_soon()}, site=site, grace=60, **REAL_CRAWL)
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "tests.scheduler.fast_lock_settings"}
        env.pop("PALIMPSEST_CRAWL_COMMAND", None)
        log = tmp_path / "crawl.log"
        with log.open("w") as out:
            crawl = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "cli",
                    "crawl",
                    "--source",
                    "blog-a",
                    "--config",
                    str(config),
                    "--db",
                    url,
                ],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(
                lambda: crawl.poll() is not None or count(engine, Post) >= 1,
                timeout=60,
                what="the first thread (the crawl output is in crawl.log)",
            )
            assert crawl.poll() is None, log.read_text()
            _take_the_lock_away(engine)
            crawl.wait(timeout=60)
        finally:
            if crawl.poll() is None:
                crawl.kill()
    err = log.read_text()
    [row] = crawls(engine)
    assert row.status == "aborted", (row.status, row.error, err[-2000:])
    assert row.error.startswith("crawl lock lost: "), row.error
    assert any(r.startswith("crawl lock lost") for r in row.stats["partial_reasons"])
    assert 1 <= count(engine, Post) < 40  # it stopped early...
    with engine.connect() as conn:  # ...and every thread it wrote is whole
        per_post = (
            conn.execute(
                select(func.count(CommentVersion.id))
                .join(Comment, Comment.id == CommentVersion.comment_id)
                .group_by(Comment.post_id)
            )
            .scalars()
            .all()
        )
    assert per_post and set(per_post) == {COMMENTS}
    assert "crawl lock lost" in err
