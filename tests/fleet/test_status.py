"""`palimpsest queue status [--json]` and `schedule list` on a queue with work in every state."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from storage.schema import upgrade_database
from tests.scheduler.helpers import calls, wait_for

from .jobs import enqueue, statuses
from .test_producers import palimpsest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_status_shows_waiting_running_failed_per_source_and_the_workers(
    pg_url: str, standin: Path, write_config, workers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STANDIN_SECONDS", "60")
    monkeypatch.setenv("STANDIN_FAIL", "blog-c")
    config = write_config({"blog-a": None, "blog-b": None, "blog-c": None})
    upgrade_database(pg_url)
    enqueue(pg_url, "blog-c")
    worker = workers("w1", pg_url, config, "--max-attempts", "1")
    wait_for(lambda: statuses(pg_url) == {"blog-c": ["failed"]}, timeout=60, what="blog-c failed")
    enqueue(pg_url, "blog-a", "blog-b")
    wait_for(lambda: any(c["source"] == "blog-a" for c in calls(standin, "start")), timeout=60,
             what="blog-a running")

    result = palimpsest("queue", "status", "--json", "--db", pg_url)
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    by_source = {s["source"]: s for s in status["sources"]}
    assert sorted(by_source) == ["blog-a", "blog-b", "blog-c"]
    (running,) = by_source["blog-a"]["running"]
    assert (running["worker_host"], running["worker_pid"]) == (socket.gethostname(),
                                                               worker.proc.pid)
    assert running["started_at"] is not None and running["attempts"] == 0
    assert [j["status"] for j in by_source["blog-b"]["waiting"]] == ["todo"]
    assert by_source["blog-b"]["running"] == [] and by_source["blog-b"]["failed"] == []
    assert [(j["status"], j["attempts"]) for j in by_source["blog-c"]["failed"]] == [("failed", 1)]
    (alive,) = status["workers"]
    assert (alive["pid"], alive["alive"], alive["concurrency"]) == (worker.proc.pid, True, 1)

    text = palimpsest("queue", "status", "--db", pg_url).stdout
    assert f"running on {socket.gethostname()} pid {worker.proc.pid} since " in text
    assert "failed after 1 attempt(s)" in text
    assert "workers alive: 1" in text

    listing = palimpsest("schedule", "list", "--db", pg_url, "--config", str(config))
    line = next(l for l in listing.stdout.splitlines() if l.startswith("blog-b"))
    assert "queued (job 3 waiting, not before " in line
    running_line = next(l for l in listing.stdout.splitlines() if l.startswith("blog-a"))
    assert "running (pid " in running_line
    assert worker.stop() == 0


def test_status_on_sqlite_is_refused_with_a_clear_message(sqlite_url: str) -> None:
    result = palimpsest("queue", "status", "--db", sqlite_url)
    assert result.returncode == 2
    assert "the job queue needs a PostgreSQL archive" in result.stderr
