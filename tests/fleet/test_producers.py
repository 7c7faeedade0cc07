"""The producers: `schedule run --queue` (or `[schedule] queue = true`), `crawl --queue`,
`schedule run-now --queue` put crawl jobs in the queue and start no crawl themselves.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from storage.schema import upgrade_database
from tests.scheduler.helpers import calls, wait_for

from .conftest import REPO
from .jobs import job_rows

pytestmark = pytest.mark.postgres


def palimpsest(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=False, **kwargs)


def test_crawl_queue_enqueues_one_job_per_source_and_crawls_nothing(
    pg_url: str, standin: Path, write_config
) -> None:
    config = write_config({"blog-a": None, "blog-b": None})
    result = palimpsest("crawl", "--queue", "--db", pg_url, "--config", str(config),
                        "--source", "blog-a", "--source", "blog-b")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "crawl of 'blog-a' enqueued as job 1", "crawl of 'blog-b' enqueued as job 2"]
    assert [(r["source"], r["status"], r["queue_name"]) for r in job_rows(pg_url)] == [
        ("blog-a", "todo", "crawls"), ("blog-b", "todo", "crawls")]
    assert calls(standin) == []


def test_run_now_queue_enqueues_in_the_named_queue(pg_url: str, standin: Path, write_config) -> None:
    config = write_config({"blog-a": None})
    result = palimpsest("schedule", "run-now", "blog-a", "--queue", "--queue-name", "night",
                        "--db", pg_url, "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "crawl of 'blog-a' enqueued as job 1"
    assert [(r["source"], r["queue_name"]) for r in job_rows(pg_url)] == [("blog-a", "night")]
    assert calls(standin) == []


@pytest.mark.parametrize("how", ["--queue", "[schedule] queue = true"])
def test_the_scheduler_as_a_producer_enqueues_each_run(
    pg_url: str, standin: Path, write_config, tmp_path: Path, how: str
) -> None:
    config = write_config({"blog-a": "*/2 * * * * *", "blog-b": "*/2 * * * * *"})
    args = ["schedule", "run", "--db", pg_url, "--config", str(config),
            "--logs-dir", str(tmp_path / "logs")]
    if how == "--queue":
        args.append("--queue")
    else:
        text = config.read_text().replace("[schedule]\n", "[schedule]\nqueue = true\n")
        config.write_text(text)
    upgrade_database(pg_url)
    log = tmp_path / "scheduler.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "cli", *args], cwd=REPO, stdout=out,
                                stderr=subprocess.STDOUT, env=os.environ.copy())
    try:
        wait_for(lambda: {r["source"] for r in job_rows(pg_url)} == {"blog-a", "blog-b"},
                 timeout=30, what="a job per source")
        # The next runs come 2 s later, while the first jobs still wait.
        wait_for(lambda: log.read_text().count("already waiting in the queue") >= 2,
                 timeout=30, what="the next runs")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0, log.read_text()
    # Later runs while the first jobs wait add none: one waiting job per source.
    assert sorted(r["source"] for r in job_rows(pg_url)) == ["blog-a", "blog-b"]
    assert calls(standin) == []


def test_enqueueing_on_sqlite_is_refused_with_a_clear_message(sqlite_url: str, write_config) -> None:
    config = write_config({"blog-a": None})
    for args in (["crawl", "--queue", "--source", "blog-a"], ["schedule", "run", "--queue"]):
        result = palimpsest(*args, "--db", sqlite_url, "--config", str(config))
        assert result.returncode == 2, (args, result.stderr)
        assert "the job queue needs a PostgreSQL archive" in result.stderr
