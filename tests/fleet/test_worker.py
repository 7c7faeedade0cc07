"""`palimpsest worker`: the queue's schema comes from migration 0008; each job is a crawl process.

On PostgreSQL the migration creates procrastinate's tables (and none on SQLite); a worker
runs every job as its own crawl process, N at a time; SIGTERM lets the running crawl
stop cleanly and puts its job back in the queue.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect

from storage.engine import connect, head_revisions
from storage.schema import check_database, downgrade_database, upgrade_database
from tests.scheduler.helpers import calls, wait_for

from .conftest import REPO
from .jobs import enqueue, job_rows, statuses

pytestmark = pytest.mark.postgres

QUEUE_TABLES = {"procrastinate_jobs", "procrastinate_workers", "procrastinate_events",
                "procrastinate_periodic_defers"}
FLEET_TABLES = {"host_pace", "fleet_worker"}


def tables(url: str) -> set[str]:
    engine = connect(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migration_0008_creates_the_queue_on_postgresql_and_nothing_on_sqlite(
    pg_url: str, sqlite_url: str
) -> None:
    upgrade_database(pg_url)
    upgrade_database(sqlite_url)
    assert QUEUE_TABLES | FLEET_TABLES <= tables(pg_url)
    assert not {t for t in tables(sqlite_url) if t.startswith("procrastinate")}
    assert not FLEET_TABLES & tables(sqlite_url)
    # procrastinate's tables are not the archive's models: no drift on either database.
    head = ", ".join(sorted(head_revisions()))
    assert check_database(pg_url).endswith(f"revision {head}, no drift")
    assert check_database(sqlite_url).endswith(f"revision {head}, no drift")
    downgrade_database(pg_url, "0007")
    assert not (QUEUE_TABLES | FLEET_TABLES) & tables(pg_url)
    upgrade_database(pg_url)
    assert QUEUE_TABLES <= tables(pg_url)


def test_a_worker_runs_each_job_as_a_crawl_process_n_at_a_time(
    pg_url: str, standin: Path, write_config, workers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STANDIN_SECONDS", "2")
    config = write_config({"blog-a": None, "blog-b": None, "blog-c": None})
    upgrade_database(pg_url)
    enqueue(pg_url, "blog-a", "blog-b", "blog-c")
    worker = workers("w1", pg_url, config, "--concurrency", "2")
    done = {k: ["succeeded"] for k in ("blog-a", "blog-b", "blog-c")}
    wait_for(lambda: statuses(pg_url) == done, timeout=60, what="three jobs done")
    assert worker.stop() == 0, worker.output()
    starts = calls(standin, "start")
    assert sorted(c["source"] for c in starts) == ["blog-a", "blog-b", "blog-c"]
    assert len({c["pid"] for c in starts}) == 3  # a process per job
    assert {c["trigger"] for c in starts} == {"schedule"}
    # Two at a time: the third started after one of the first two was done.
    first_done = min(c["time"] for c in calls(standin, "done"))
    assert sorted(c["time"] for c in starts)[1] < first_done < sorted(c["time"] for c in starts)[2]


def test_sigterm_lets_the_running_crawl_stop_cleanly_and_requeues_its_job(
    pg_url: str, standin: Path, write_config, workers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STANDIN_SECONDS", "60")
    config = write_config({"blog-a": None})
    upgrade_database(pg_url)
    enqueue(pg_url, "blog-a")
    worker = workers("w1", pg_url, config)
    wait_for(lambda: calls(standin, "start"), timeout=30, what="the crawl to start")
    assert worker.stop(timeout=30) == 0, worker.output()
    assert [c["event"] for c in calls(standin)] == ["start", "terminated"]
    (job,) = job_rows(pg_url)
    # Back in the queue for the next worker, the interrupted run counted.
    assert (job["status"], job["attempts"]) == ("todo", 1), worker.output()
    assert "worker stopped during the crawl of 'blog-a'" in worker.output()


def test_a_worker_on_sqlite_is_refused_with_a_clear_message(sqlite_url: str, write_config) -> None:
    config = write_config({"blog-a": None})
    result = subprocess.run(
        [sys.executable, "-m", "cli", "worker", "--db", sqlite_url, "--config", str(config)],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "the job queue needs a PostgreSQL archive" in result.stderr
    assert sqlite_url in result.stderr
