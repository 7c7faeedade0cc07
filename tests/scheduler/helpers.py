"""Helpers of the scheduler tests: a scheduler in a thread, the job store, waiting."""

from __future__ import annotations

import json
import pickle
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

from crawler.config import load_config
from scheduler import JOB_PREFIX, SCHEDULER_LOCK_KEY, CrawlContext, ReconcileReport, run_scheduler
from storage.locks import lock_holder
from storage.models import SchedulerJob


def wait_for(condition: Callable[[], Any], timeout: float = 20, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def calls(record: Path, event: str | None = None) -> list[dict[str, Any]]:
    """The stand-in crawl's record, optionally only one kind of event."""
    if not record.exists():
        return []
    entries = [json.loads(line) for line in record.read_text().splitlines() if line.strip()]
    return [e for e in entries if event is None or e["event"] == event]


class RunningScheduler:
    """A `run_scheduler` in a thread; `stop()` returns its reconcile report."""

    def __init__(self, ctx: CrawlContext, config_path: Path, engine: Engine) -> None:
        self.engine = engine
        self._stop = threading.Event()
        self._result: dict[str, Any] = {}
        config = load_config(config_path)

        def target() -> None:
            try:
                self._result["report"] = run_scheduler(ctx, config, engine, stop=self._stop)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread by stop()
                self._result["error"] = exc

        self._thread = threading.Thread(target=target, name="test-scheduler")
        self._thread.start()
        wait_for(
            lambda: "error" in self._result or lock_holder(engine, SCHEDULER_LOCK_KEY),
            what="the scheduler to start",
        )
        # Reconciled once every configured job is in the store (or the start failed).
        wait_for(lambda: "error" in self._result or self._reconciled(config), what="reconcile")

    def _reconciled(self, config: Any) -> bool:
        stored = set(next_run_times(self.engine))
        return {s.key for s in config.enabled_sources} <= stored

    def stop(self) -> ReconcileReport:
        self._stop.set()
        self._thread.join(60)
        assert not self._thread.is_alive(), "scheduler did not stop"
        if "error" in self._result:
            raise self._result["error"]
        report: ReconcileReport = self._result["report"]
        return report


@contextmanager
def scheduler_running(
    ctx: CrawlContext, config_path: Path, engine: Engine
) -> Iterator[RunningScheduler]:
    running = RunningScheduler(ctx, config_path, engine)
    try:
        yield running
    finally:
        running._stop.set()
        running._thread.join(60)


def next_run_times(engine: Engine) -> dict[str, datetime | None]:
    """The job store: source key -> stored next run time (UTC)."""
    with engine.connect() as conn:
        rows = conn.execute(select(SchedulerJob.id, SchedulerJob.next_run_time)).all()
    return {
        job_id.removeprefix(JOB_PREFIX): None if t is None else datetime.fromtimestamp(t, UTC)
        for job_id, t in rows
    }


def set_next_run_time(engine: Engine, source_key: str, when: datetime) -> None:
    """Rewrite a stored job's next run time, as if the scheduler had been down since `when`.

    APScheduler keeps the time twice: in the indexed column (which job is due) and in the
    pickled state (the job itself); both are changed.
    """
    job_id = JOB_PREFIX + source_key
    with engine.begin() as conn:
        blob = conn.execute(
            select(SchedulerJob.job_state).where(SchedulerJob.id == job_id)
        ).scalar_one()
        state = pickle.loads(blob)
        state["next_run_time"] = when
        conn.execute(
            update(SchedulerJob)
            .where(SchedulerJob.id == job_id)
            .values(job_state=pickle.dumps(state), next_run_time=when.timestamp())
        )
