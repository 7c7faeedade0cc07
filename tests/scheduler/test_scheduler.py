"""The scheduler with a stand-in crawl: firing, persistence, reconciling, misfires, overlap, run-now.

The stand-in (standin_crawl.py) takes the real crawl lock and records each call, so these
tests are about the scheduler; test_real_crawl.py runs `palimpsest crawl` itself.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from scheduler import CrawlContext, run_now
from storage.engine import open_engine
from storage.errors import CrawlLocked
from storage.locks import crawl_lock

from .helpers import calls, next_run_times, scheduler_running, set_next_run_time, wait_for

EVERY_SECOND = "* * * * * *"


def logs_saying(tmp_path: Path, text: str) -> list[Path]:
    """The per-crawl log files of blog-a that contain `text`."""
    return [
        p for p in sorted((tmp_path / "logs" / "blog-a").glob("*.log")) if text in p.read_text()
    ]


NIGHTLY = "0 3 * * *"


@pytest.fixture
def ctx(sqlite_url: str, tmp_path: Path) -> CrawlContext:
    return CrawlContext.create(sqlite_url, str(tmp_path / "palimpsest.toml"), tmp_path / "logs")


def test_a_scheduled_crawl_runs_in_its_own_process_with_trigger_schedule(
    ctx: CrawlContext,
    archive: Engine,
    write_config: Callable[..., Path],
    standin: Path,
    tmp_path: Path,
) -> None:
    config = write_config({"blog-a": EVERY_SECOND})
    with scheduler_running(ctx, config, archive) as running:
        first = wait_for(lambda: calls(standin, "done"), what="a scheduled crawl")[0]
        wait_for(lambda: logs_saying(tmp_path, "exit status 0"), what="the crawl to exit")
        running.stop()
    assert first["source"] == "blog-a"
    assert first["trigger"] == "schedule"
    assert first["config"] == str(config)
    assert all(
        p.name.endswith(".log") and "-schedule-" in p.name for p in logs_saying(tmp_path, "")
    )


def test_restart_keeps_the_job_store_and_its_next_run_time(
    ctx: CrawlContext, archive: Engine, write_config: Callable[..., Path], standin: Path
) -> None:
    config = write_config({"blog-a": NIGHTLY, "blog-b": NIGHTLY})
    with scheduler_running(ctx, config, archive) as running:
        assert sorted(running.stop().added) == ["blog-a", "blog-b"]
    # An odd stored time: a reconcile that re-created the job would lose it.
    odd = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1, seconds=17)
    set_next_run_time(archive, "blog-a", odd)
    with scheduler_running(ctx, config, archive) as running:
        report = running.stop()
    assert sorted(report.unchanged) == ["blog-a", "blog-b"]
    assert not (report.added or report.changed or report.removed)
    assert next_run_times(archive)["blog-a"] == odd
    assert calls(standin) == []


def test_the_config_is_reconciled_added_changed_removed(
    ctx: CrawlContext, archive: Engine, write_config: Callable[..., Path], standin: Path
) -> None:
    config = write_config({"stays": NIGHTLY, "changes": NIGHTLY, "goes": NIGHTLY})
    with scheduler_running(ctx, config, archive) as running:
        running.stop()
    before = next_run_times(archive)
    config = write_config({"stays": NIGHTLY, "changes": "30 5 * * *", "comes": NIGHTLY})
    with scheduler_running(ctx, config, archive) as running:
        report = running.stop()
    assert (report.added, report.changed, report.removed, report.unchanged) == (
        ["comes"],
        ["changes"],
        ["goes"],
        ["stays"],
    )
    after = next_run_times(archive)
    assert set(after) == {"stays", "changes", "comes"}
    assert after["stays"] == before["stays"]
    changed = after["changes"]
    assert changed is not None and (changed.hour, changed.minute) == (5, 30)


def test_a_misfire_after_downtime_gives_exactly_one_catch_up_run(
    ctx: CrawlContext, archive: Engine, write_config: Callable[..., Path], standin: Path
) -> None:
    config = write_config({"blog-a": NIGHTLY}, grace=3 * 86400)
    with scheduler_running(ctx, config, archive) as running:
        running.stop()
    # Down for three nights: three missed 03:00 slots, all within the grace time.
    set_next_run_time(archive, "blog-a", datetime.now(UTC) - timedelta(days=3))
    with scheduler_running(ctx, config, archive) as running:
        wait_for(lambda: calls(standin, "done"), what="the catch-up run")
        time.sleep(2)  # time for any further (wrong) catch-up run to show up
        running.stop()
    assert [c["trigger"] for c in calls(standin, "start")] == ["schedule"]
    upcoming = next_run_times(archive)["blog-a"]
    assert upcoming is not None and upcoming > datetime.now(UTC)


def test_a_misfire_beyond_the_grace_time_is_skipped_until_the_next_slot(
    ctx: CrawlContext, archive: Engine, write_config: Callable[..., Path], standin: Path
) -> None:
    # The slot two hours before now was missed by far more than the 60 s grace.
    hour = (datetime.now(UTC) - timedelta(hours=2)).hour
    config = write_config({"blog-a": f"0 {hour} * * *"}, grace=60)
    with scheduler_running(ctx, config, archive) as running:
        running.stop()
    set_next_run_time(archive, "blog-a", datetime.now(UTC) - timedelta(days=2))
    with scheduler_running(ctx, config, archive) as running:
        wait_for(
            lambda: (
                (next_run_times(archive)["blog-a"] or datetime.min.replace(tzinfo=UTC))
                > datetime.now(UTC)
            ),
            what="the job to move to its next slot",
        )
        running.stop()
    assert calls(standin) == []


def test_a_second_scheduler_on_the_same_archive_is_refused(
    ctx: CrawlContext,
    archive: Engine,
    sqlite_url: str,
    write_config: Callable[..., Path],
    standin: Path,
) -> None:
    config = write_config({"blog-a": NIGHTLY})
    with scheduler_running(ctx, config, archive) as first:
        other = open_engine(sqlite_url)
        with (
            pytest.raises(CrawlLocked, match="scheduler of this archive is already running"),
            scheduler_running(ctx, config, other) as second,
        ):
            second.stop()
        other.dispose()
        first.stop()


def test_a_scheduled_crawl_does_not_overlap_a_running_manual_crawl(
    ctx: CrawlContext,
    archive: Engine,
    write_config: Callable[..., Path],
    standin: Path,
    tmp_path: Path,
) -> None:
    config = write_config({"blog-a": EVERY_SECOND})
    # A manual crawl in progress holds the lock while the scheduler fires.
    with crawl_lock(archive, "blog-a"), scheduler_running(ctx, config, archive) as running:
        refused = wait_for(
            lambda: logs_saying(tmp_path, "exit status 3"), what="a refused scheduled crawl"
        )
        running.stop()
    assert calls(standin, "start") == []
    assert "a crawl of source 'blog-a' is already running" in refused[0].read_text()


def test_run_now_respects_the_lock_and_otherwise_crawls(
    ctx: CrawlContext, archive: Engine, write_config: Callable[..., Path], standin: Path
) -> None:
    write_config({"blog-a": NIGHTLY})
    with crawl_lock(archive, "blog-a"), pytest.raises(CrawlLocked) as info:
        run_now(ctx, "blog-a")
    assert "'blog-a' is already running" in str(info.value)
    assert "log:" in str(info.value)
    log_path = run_now(ctx, "blog-a")
    assert log_path.is_file()
    assert [c["trigger"] for c in calls(standin, "done")] == ["manual"]


def test_sigterm_to_run_now_is_passed_on_to_the_crawl(
    sqlite_url: str,
    archive: Engine,
    write_config: Callable[..., Path],
    standin: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The crawl has a session of its own; without forwarding it would outlive run-now.
    monkeypatch.setenv("STANDIN_SECONDS", "60")
    config = write_config({"blog-a": NIGHTLY})
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli",
            "schedule",
            "run-now",
            "blog-a",
            "--config",
            str(config),
            "--db",
            sqlite_url,
            "--logs-dir",
            str(tmp_path / "logs"),
        ],
        cwd=tmp_path,
    )
    try:
        wait_for(lambda: calls(standin, "start"), what="the crawl to start")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        proc.kill()
    assert [c["event"] for c in calls(standin)] == ["start", "terminated"]
