"""End to end: a scheduler and two workers crawl 20 blogs into one PostgreSQL, one worker
SIGKILLed mid-crawl, and the archive equals, row for row in the views, the one a plain
`palimpsest crawl` of the same blogs makes.

The blogs are generated sites on loopback hosts 127.0.0.2 ... 127.0.0.17, the last four
sharing the hosts of the first four (two blogs on one server); every server logs when
each request arrived, and across all workers no two requests to one host are closer
than the configured delay.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy import func, select, text

from storage.engine import open_engine
from storage.models import Comment, CommentVersion, Crawl, Post, PostVersion

from .archive_rows import view_rows
from .conftest import REPO
from .jobs import job_rows
from .sites import gaps_by_host, serve_blogs, write_sources

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SOURCES = 20
POSTS = 3
DELAY = 0.2
HOSTS = {f"blog-{i:02d}": f"127.0.0.{2 + (i if i < 16 else i - 16)}" for i in range(SOURCES)}
FAST = ("--concurrency", "2", "--stalled-after", "2")


def once_soon(seconds: int) -> str:
    """A six-field cron firing once, `seconds` from now: time for the scheduler to start
    (a slot already past when it reconciles is tomorrow's)."""
    t = datetime.now(UTC) + timedelta(seconds=seconds)
    return f"{t.second} {t.minute} {t.hour} * * *"


def running_on(db_url: str, worker_pid: int, *, half_done: bool = False) -> list[int]:
    """The jobs running on that worker; `half_done`: only those whose crawl stored a thread."""
    engine = open_engine(db_url)
    progress = (
        " AND EXISTS (SELECT 1 FROM crawl c JOIN source s ON s.id = c.source_id"
        "  JOIN post_version v ON v.crawl_id = c.id"
        "  WHERE s.key = j.args->>'source_key' AND c.status = 'running')"
    ) if half_done else ""
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(
                "SELECT j.id FROM procrastinate_jobs j"
                " JOIN fleet_worker w ON w.worker_id = j.worker_id AND w.pid = :pid"
                f" WHERE j.status = 'doing'{progress} ORDER BY j.id"),
                {"pid": worker_pid}).scalars())
    finally:
        engine.dispose()


def kill_with_crawls(pid: int) -> None:
    """SIGKILL a worker and every crawl process it started, as a power cut would."""
    crawls = psutil.Process(pid).children(recursive=True)
    os.kill(pid, signal.SIGKILL)
    for child in crawls:
        child.kill()


def poll(condition: Callable[[], Any], *, every: float, timeout: float, what: str) -> Any:
    """wait_for at a slower beat: the servers whose clocks the test reads run in this
    process, and a busy poll would delay their threads and so skew their logs."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)
    return value


def count(engine, *what) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(*what)).scalar_one())


def test_a_fleet_with_a_worker_killed_archives_what_one_plain_crawl_does(
    pg_url: str, reference_pg_url: str, tmp_path: Path, workers
) -> None:
    with serve_blogs(tmp_path / "sites", HOSTS, posts=POSTS) as servers:
        urls = {key: server.base_url for key, server in servers.items()}
        config = write_sources(tmp_path / "p.toml", urls, delay=DELAY, cron=once_soon(25))
        open_engine(pg_url).dispose()
        doomed = workers("w1", pg_url, config, *FAST)
        survivor = workers("w2", pg_url, config, *FAST)
        log = (tmp_path / "scheduler.log").open("wb")
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "cli", "schedule", "run", "--queue", "--db", pg_url,
             "--config", str(config), "--logs-dir", str(tmp_path / "logs")],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        try:
            try:
                poll(lambda: running_on(pg_url, doomed.proc.pid, half_done=True), every=0.2,
                     timeout=240, what="a crawl of w1 half done")
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n{job_rows(pg_url)}\n{doomed.output()[-3000:]}") from None
            kill_with_crawls(doomed.proc.pid)
            # Read after the kill: a dead worker takes no more jobs.
            killed = running_on(pg_url, doomed.proc.pid)
            poll(lambda: [r["status"] for r in job_rows(pg_url)] == ["succeeded"] * SOURCES,
                 every=1.0, timeout=400, what="every job done")
        finally:
            scheduler.send_signal(signal.SIGTERM)
            assert scheduler.wait(30) == 0
            log.close()
        assert survivor.stop() == 0, survivor.output()
        fleet_gaps = gaps_by_host(servers)

        env = {**os.environ, "PALIMPSEST_SHARED_PACE": "0"}
        env.pop("PALIMPSEST_CRAWL_COMMAND", None)
        plain = subprocess.run([sys.executable, "-m", "cli", "crawl", "--db", reference_pg_url,
                                "--config", str(config)], cwd=REPO, env=env, text=True,
                               capture_output=True, timeout=600, check=False)
        assert plain.returncode == 0, plain.stdout + plain.stderr

    # The same archive, row for row in every view.
    fleet, reference = view_rows(pg_url), view_rows(reference_pg_url)
    assert sum(fleet["current_comments"].values()) == SOURCES * POSTS * 6
    assert fleet == reference

    # The killed jobs were retried once and done; their dead crawls are marked aborted.
    jobs = {row["id"]: row for row in job_rows(pg_url)}
    assert killed and all(jobs[j]["attempts"] == 2 for j in killed)
    assert sum(row["attempts"] for row in jobs.values()) == SOURCES + len(killed)
    engine = open_engine(pg_url)
    with engine.connect() as conn:
        outcomes = [r.status for r in conn.execute(select(Crawl.status))]
    # A killed job whose crawl had not yet started has no crawl row to abort.
    assert outcomes.count("ok") == SOURCES and 1 <= outcomes.count("aborted") <= len(killed)
    assert len(outcomes) == SOURCES + outcomes.count("aborted")
    # No duplicate version, no deletion inferred.
    assert count(engine, PostVersion) == count(engine, Post) == SOURCES * POSTS
    assert count(engine, CommentVersion) == count(engine, Comment) == SOURCES * POSTS * 6
    with engine.connect() as conn:
        deleted = conn.execute(select(func.count()).where(CommentVersion.deleted.is_(True)))
        assert deleted.scalar_one() == 0
    engine.dispose()

    # Politeness across workers: per host, from the servers' own logs.
    assert set(fleet_gaps) == set(HOSTS.values())
    shortest = {host: min(gaps) for host, gaps in fleet_gaps.items()}
    assert all(gap >= DELAY for gap in shortest.values()), shortest
