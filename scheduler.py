"""The crawl scheduler: persistent APScheduler jobs in the archive, one crawl process per run.

`palimpsest schedule run` keeps one APScheduler job per enabled source in the archive's
`scheduler_job` table (created by migration 0002), so jobs and their next run times
survive restarts. Each run starts `palimpsest crawl --source KEY --trigger schedule` as a
process of its own, because Twisted's reactor cannot be restarted inside one process;
the crawl itself takes the crawl lock (`storage.locks`), so a scheduled crawl never
overlaps another crawl of the same source, wherever that one was started.

With a queue (`schedule run --queue`, or `[schedule] queue = true`; PostgreSQL only)
the scheduler is a producer: each run enqueues one crawl job for `palimpsest worker`
(worker.py) instead of starting the crawl itself (storage/queue.py).

Missed runs (the machine was down) are coalesced into one catch-up run if the scheduler
comes back within the source's misfire grace time; a crawl that crashed is marked
`aborted` by the next crawl of its source and is simply run again at the next slot.
"""

from __future__ import annotations

import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, inspect

from crawler.config import Config
from crawler.schedules import SourceSchedule, listed_sources, parse_cron, source_schedules
from storage.errors import CrawlLocked, PalimpsestError, SchemaOutOfDate
from storage.locks import database_lock
from storage.models import SchedulerJob
from storage.queue import DEFAULT_QUEUE, Enqueued, enqueue_crawl, open_queue, queue_app
from storage.schedule_status import (
    JOB_PREFIX,
    ScheduleRow,
    format_schedule,
    schedule_json,
    status_rows,
)

# Re-exported here (cli.py and the tests import them from this module): the crontab
# translation lives in crawler/schedules.py, the `schedule list` query and its
# renderings in storage/schedule_status.py.
__all__ = [
    "CRAWL_COMMAND_ENV",
    "JOB_PREFIX",
    "SCHEDULER_LOCK_KEY",
    "ArchiveJobStore",
    "CrawlContext",
    "ReconcileReport",
    "ScheduleRow",
    "SourceSchedule",
    "crawl_command",
    "enqueue",
    "format_schedule",
    "parse_cron",
    "reconcile",
    "run_crawl",
    "run_now",
    "run_scheduler",
    "schedule_json",
    "schedule_rows",
    "scheduled_crawl",
    "source_schedules",
]

log = logging.getLogger("palimpsest.scheduler")

# Test and deployment hook: the command that starts one crawl, before its arguments.
CRAWL_COMMAND_ENV = "PALIMPSEST_CRAWL_COMMAND"
# Source keys match [a-z0-9][a-z0-9_-]*, so this name can never be a source's.
SCHEDULER_LOCK_KEY = ":scheduler"
LOCKED_EXIT_STATUS = CrawlLocked.exit_code


# -- one crawl process ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CrawlContext:
    """What every crawl process of this scheduler is started with."""

    db_url: str
    config_path: str | None
    logs_dir: Path = Path("logs")
    queue: str | None = None  # enqueue runs in this job queue instead of crawling

    @classmethod
    def create(cls, db_url: str, config_path: str | None, logs_dir: str | Path,
               queue: str | None = None) -> CrawlContext:
        """Paths made absolute, so crawls find them whatever their working directory."""
        return cls(
            db_url=db_url,
            config_path=str(Path(config_path).resolve()) if config_path else None,
            logs_dir=Path(logs_dir).resolve(),
            queue=queue,
        )


class _Children:
    """The running crawl processes, so that shutdown can ask each to stop exactly once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()
        self.stopping = False

    def start(self, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes] | None:
        with self._lock:
            if self.stopping:
                return None
            # A session of its own: Ctrl-C in a terminal reaches only the scheduler, which
            # then sends one SIGTERM. A second signal would make Scrapy stop uncleanly.
            proc = subprocess.Popen(list(argv), start_new_session=True, **kwargs)
            self._running.add(proc)
            return proc

    def done(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._running.discard(proc)

    def terminate_all(self) -> int:
        with self._lock:
            self.stopping = True
            procs = list(self._running)
        for proc in procs:
            if proc.poll() is None:
                log.info("asking crawl process %d to stop (SIGTERM)", proc.pid)
                proc.send_signal(signal.SIGTERM)
        return len(procs)


@contextmanager
def _on_signals(action: Callable[[], object]) -> Iterator[None]:
    """SIGTERM and SIGINT call `action` (only the main thread may install handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        log.info("received %s: stopping after the running crawls", signal.Signals(signum).name)
        action()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def crawl_command(ctx: CrawlContext, source_key: str, trigger: str) -> list[str]:
    """The argv of one crawl: `palimpsest crawl --source KEY --trigger T [--config P]`.

    The database URL goes through the environment (PALIMPSEST_DB), not argv, so a
    password in it does not show in `ps`.
    """
    base = os.environ.get(CRAWL_COMMAND_ENV)
    argv = shlex.split(base) if base else [sys.executable, "-m", "cli"]
    argv += ["crawl", "--source", source_key, "--trigger", trigger]
    if ctx.config_path:
        argv += ["--config", ctx.config_path]
    return argv


def _log_path(ctx: CrawlContext, source_key: str, trigger: str, now: datetime) -> Path:
    return (
        ctx.logs_dir / source_key / f"{now.strftime('%Y%m%dT%H%M%SZ')}-{trigger}-{os.getpid()}.log"
    )


def run_crawl(
    ctx: CrawlContext, source_key: str, *, trigger: str, children: _Children | None = None
) -> tuple[int, Path]:
    """Run one crawl process to its end; return its exit status and its log file.

    Status 3 means another crawl of the source held the lock and nothing was done.
    `children` is the scheduler's registry of running crawls (for shutdown).
    """
    children = children or _Children()
    started = datetime.now(UTC)
    path = _log_path(ctx, source_key, trigger, started)
    path.parent.mkdir(parents=True, exist_ok=True)
    argv = crawl_command(ctx, source_key, trigger)
    env = {**os.environ, "PALIMPSEST_DB": ctx.db_url}
    with path.open("ab") as out:
        out.write(f"# {started.isoformat()} {shlex.join(argv)}\n".encode())
        out.flush()
        proc = children.start(argv, stdout=out, stderr=subprocess.STDOUT, env=env)
        if proc is None:
            out.write(b"# not started: the scheduler is shutting down\n")
            return -1, path
        try:
            status = proc.wait()
        finally:
            children.done(proc)
        out.write(f"# {datetime.now(UTC).isoformat()} exit status {status}\n".encode())
    if status == LOCKED_EXIT_STATUS:
        log.warning(
            "crawl of %r skipped: another crawl of it is running (see %s)", source_key, path
        )
    elif status != 0:
        log.error("crawl of %r ended with status %d (see %s)", source_key, status, path)
    else:
        log.info("crawl of %r finished (log %s)", source_key, path)
    return status, path


def run_now(ctx: CrawlContext, source_key: str) -> Path:
    """`schedule run-now`: one crawl process now (trigger 'manual'); return its log file.

    Raises CrawlLocked when another crawl of the source holds the lock, and
    PalimpsestError when the crawl fails; both name the log file.
    """
    children = _Children()
    # The crawl runs in a session of its own, so Ctrl-C or SIGTERM reach only this
    # process: pass them on as the one SIGTERM that makes the crawl stop cleanly.
    with _on_signals(children.terminate_all):
        status, path = run_crawl(ctx, source_key, trigger="manual", children=children)
    if status == LOCKED_EXIT_STATUS:
        raise CrawlLocked(f"{_last_error_line(path) or 'the crawl lock is held'} (log: {path})")
    if status != 0:
        reason = _last_error_line(path) or f"exit status {status}"
        raise PalimpsestError(f"crawl of {source_key!r} failed: {reason} (log: {path})")
    return path


def _last_error_line(path: Path) -> str | None:
    """The crawl's own one-line error (`palimpsest: error: ...`), if it printed one."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for line in reversed(lines):
        if line.startswith("palimpsest: error: "):
            return line.removeprefix("palimpsest: error: ")
    return None


# The running scheduler's context and crawl processes. Jobs are stored by reference to
# `scheduled_crawl` with only the source key as argument, so they find these here.
_active: tuple[CrawlContext, _Children] | None = None


def scheduled_crawl(source_key: str) -> None:
    """The job function (stored by reference): one scheduled crawl of `source_key`."""
    if _active is None:  # only `run_scheduler` runs jobs, and it sets this first
        raise RuntimeError("scheduled_crawl called outside run_scheduler")
    ctx, children = _active
    if ctx.queue is not None:
        log.info("%s", enqueue(ctx, source_key, trigger="schedule").describe())
        return
    run_crawl(ctx, source_key, trigger="schedule", children=children)


def enqueue(ctx: CrawlContext, source_key: str, *, trigger: str) -> Enqueued:
    """One crawl job for the workers, in `ctx.queue` (default: the crawls queue)."""
    with open_queue(ctx.db_url) as app:
        return enqueue_crawl(app, source_key, trigger=trigger, queue=ctx.queue or DEFAULT_QUEUE)


# -- the job store and reconciliation -------------------------------------------------


class ArchiveJobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy job store on the archive's `scheduler_job` table.

    Unlike the stock store it never creates its table (migrations own the schema) and
    never disposes of the engine it was given.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine=engine, tablename=SchedulerJob.__tablename__)

    def start(self, scheduler: Any, alias: str) -> None:
        BaseJobStore.start(self, scheduler, alias)
        if not inspect(self.engine).has_table(SchedulerJob.__tablename__):
            raise SchemaOutOfDate(
                f"{self.engine.url.render_as_string(hide_password=True)}: table "
                f"{SchedulerJob.__tablename__!r} is missing: run `palimpsest db upgrade`"
            )

    def shutdown(self) -> None:
        pass


@dataclass
class ReconcileReport:
    """What `reconcile` did to the job store, by source key."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _same(job: Any, item: SourceSchedule, trigger: CronTrigger) -> bool:
    # Triggers have no equality; their repr lists fields, time zone and jitter.
    return (
        repr(job.trigger) == repr(trigger)
        and job.misfire_grace_time == item.misfire_grace_seconds
        and job.coalesce is True
        and job.max_instances == 1
        and job.kwargs == {"source_key": item.key}
    )


def reconcile(
    scheduler: BackgroundScheduler, schedules: Sequence[SourceSchedule]
) -> ReconcileReport:
    """Make the job store match the config: add, change and remove jobs.

    An unchanged job is left alone, keeping its stored next run time: that is what lets
    a run missed during downtime be caught up after a restart.
    """
    report = ReconcileReport()
    existing = {job.id: job for job in scheduler.get_jobs() if job.id.startswith(JOB_PREFIX)}
    wanted = {item.job_id: item for item in schedules}
    for job_id, job in existing.items():
        if job_id not in wanted:
            scheduler.remove_job(job_id)
            report.removed.append(job_id.removeprefix(JOB_PREFIX))
    for job_id, item in wanted.items():
        trigger = item.trigger()
        job = existing.get(job_id)
        options: dict[str, Any] = {
            "misfire_grace_time": item.misfire_grace_seconds,
            "coalesce": True,  # several missed runs make one catch-up run
            "max_instances": 1,
            "kwargs": {"source_key": item.key},
            "name": f"crawl {item.key}",
        }
        if job is None:
            scheduler.add_job(f"{__name__}:scheduled_crawl", trigger, id=job_id, **options)
            report.added.append(item.key)
        elif not _same(job, item, trigger):
            scheduler.modify_job(job_id, func=f"{__name__}:scheduled_crawl", **options)
            scheduler.reschedule_job(job_id, trigger=trigger)
            report.changed.append(item.key)
        else:
            report.unchanged.append(item.key)
    return report


def _on_missed(event: JobEvent) -> None:
    log.warning(
        "missed the %s run of %s: the scheduler was down for longer than the misfire grace time",
        event.scheduled_run_time,
        event.job_id,
    )


def run_scheduler(
    ctx: CrawlContext,
    config: Config,
    engine: Engine,
    *,
    stop: threading.Event | None = None,
) -> ReconcileReport:
    """Run the scheduler until SIGTERM/SIGINT (or `stop` is set); return the reconcile report.

    Holds a lock so that one archive has one scheduler; a second one raises CrawlLocked.
    On stop no new crawl starts, each running crawl gets one SIGTERM (Scrapy then
    finishes the threads in hand and the crawl ends `aborted` or complete), and this
    returns when they have all exited.
    """
    global _active
    schedules = source_schedules(config)
    if ctx.queue is not None:
        queue_app(ctx.db_url)  # a producer needs PostgreSQL: say so now, not at the first run
    stop = stop or threading.Event()
    with database_lock(engine, SCHEDULER_LOCK_KEY, what="the scheduler of this archive"):
        # A background scheduler with the main thread waiting on `stop`, rather than
        # BlockingScheduler: reconciling needs a started (paused) scheduler, and
        # shutdown must signal the crawl processes before waiting for their jobs.
        scheduler = BackgroundScheduler(
            timezone=UTC,
            jobstores={"default": ArchiveJobStore(engine)},
            # A thread per source (each only waits on its crawl process): a source due at
            # the same time as many others must not queue past its misfire grace time.
            executors={"default": ThreadPoolExecutor(max(1, len(schedules)))},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        scheduler.add_listener(_on_missed, EVENT_JOB_MISSED)
        children = _Children()
        _active = (ctx, children)
        with _on_signals(stop.set):
            scheduler.start(paused=True)
            try:
                report = reconcile(scheduler, schedules)
                log.info(
                    "scheduler started: %d source(s); added %s, changed %s, removed %s",
                    len(schedules),
                    report.added or "none",
                    report.changed or "none",
                    report.removed or "none",
                )
                for job in scheduler.get_jobs():
                    log.info("%s: next run %s", job.id, job.next_run_time)
                scheduler.resume()
                stop.wait()
            finally:
                scheduler.pause()
                running = children.terminate_all()
                if running:
                    log.info("waiting for %d crawl process(es) to finish", running)
                scheduler.shutdown(wait=True)
                _active = None
    log.info("scheduler stopped")
    return report


# -- what `schedule list` shows -------------------------------------------------------


def schedule_rows(config: Config, engine: Engine) -> list[ScheduleRow]:
    """Every configured source with its next run, last run and the last run's outcome."""
    return status_rows(engine, listed_sources(config))
