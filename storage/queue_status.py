"""What `palimpsest queue status` shows: the crawl jobs per source, and the workers alive.

A read-only query over procrastinate's tables (migration 0008) and `fleet_worker`, and
its two renderings (text and JSON). Per source: jobs waiting (and which of them are
retries, not before when), running (on which worker host, since when, which attempt),
and failed since the source's last successful job. `queued_sources` gives `palimpsest
schedule list` the sources with a job waiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text

from storage.queue import CRAWL_TASK

__all__ = [
    "ALIVE_SECONDS",
    "JobState",
    "QueueStatus",
    "SourceJobs",
    "WorkerState",
    "format_queue_status",
    "queue_json",
    "queue_status",
    "queued_sources",
]

# A worker whose heartbeat is older than this is shown as silent (presumed dead).
ALIVE_SECONDS = 60.0

_JOBS = text(
    "SELECT j.id, j.args->>'source_key' AS source, j.status::text AS status, j.attempts,"
    " j.queue_name, j.scheduled_at,"
    " (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id"
    "  AND e.type = 'started') AS started_at,"
    " (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id) AS changed_at,"
    " w.host, w.pid"
    " FROM procrastinate_jobs j LEFT JOIN fleet_worker w ON w.worker_id = j.worker_id"
    " WHERE j.task_name = :task ORDER BY j.id"
)

_WORKERS = text(
    "SELECT p.id, p.last_heartbeat, w.host, w.pid, w.queues, w.concurrency, w.started_at,"
    " extract(epoch FROM now() - p.last_heartbeat)::float8 AS silent_for"
    " FROM procrastinate_workers p LEFT JOIN fleet_worker w ON w.worker_id = p.id"
    " ORDER BY p.id"
)


@dataclass(frozen=True, kw_only=True)
class JobState:
    """One crawl job as the status shows it."""

    id: int
    source: str
    status: str  # todo | doing | succeeded | failed | cancelled | aborted
    attempts: int  # runs finished (a running job's current run is attempts + 1)
    queue: str
    not_before: datetime | None  # a waiting job: when it may start
    started_at: datetime | None  # the latest run's start
    changed_at: datetime | None  # the latest event
    host: str | None  # a running job: its worker's host and pid
    pid: int | None

    def describe(self) -> str:
        if self.status == "doing":
            where = f"{self.host} pid {self.pid}" if self.host else "a worker of unknown host"
            return f"job {self.id} running on {where} since {_stamp(self.started_at)}" \
                   f" (attempt {self.attempts + 1})"
        if self.status == "todo":
            what = f"retry {self.attempts + 1}" if self.attempts else "waiting"
            return f"job {self.id} {what}, not before {_stamp(self.not_before)}"
        return f"job {self.id} {self.status} after {self.attempts} attempt(s)" \
               f" at {_stamp(self.changed_at)}"


@dataclass(kw_only=True)
class SourceJobs:
    """A source's jobs: the ones that matter now, and its last success."""

    source: str
    waiting: list[JobState] = field(default_factory=list)
    running: list[JobState] = field(default_factory=list)
    failed: list[JobState] = field(default_factory=list)  # since the last success
    last_succeeded: JobState | None = None


@dataclass(frozen=True, kw_only=True)
class WorkerState:
    """A worker procrastinate knows of, with where it runs."""

    id: int
    host: str | None
    pid: int | None
    queues: str | None
    concurrency: int | None
    started_at: datetime | None
    last_heartbeat: datetime
    silent_for: float

    @property
    def alive(self) -> bool:
        return self.silent_for <= ALIVE_SECONDS


@dataclass(frozen=True, kw_only=True)
class QueueStatus:
    sources: list[SourceJobs]
    workers: list[WorkerState]


def _stamp(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _has_queue(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql" and inspect(conn).has_table("procrastinate_jobs")


def _jobs(conn: Connection) -> list[JobState]:
    return [
        JobState(id=r["id"], source=r["source"], status=r["status"], attempts=r["attempts"], queue=r["queue_name"],
                 not_before=r["scheduled_at"], started_at=r["started_at"],
                 changed_at=r["changed_at"], host=r["host"], pid=r["pid"])
        for r in conn.execute(_JOBS, {"task": CRAWL_TASK}).mappings()
    ]


def queue_status(engine: Engine) -> QueueStatus:
    """The crawl jobs by source (in key order) and every worker procrastinate knows of."""
    with engine.connect() as conn:
        if not _has_queue(conn):
            return QueueStatus(sources=[], workers=[])
        sources: dict[str, SourceJobs] = {}
        for job in _jobs(conn):
            entry = sources.setdefault(job.source, SourceJobs(source=job.source))
            if job.status == "todo":
                entry.waiting.append(job)
            elif job.status == "doing":
                entry.running.append(job)
            elif job.status == "succeeded":
                entry.last_succeeded, entry.failed = job, []  # jobs come in id order
            elif job.status == "failed":
                entry.failed.append(job)
        workers = [
            WorkerState(id=r["id"], host=r["host"], pid=r["pid"], queues=r["queues"],
                        concurrency=r["concurrency"], started_at=r["started_at"],
                        last_heartbeat=r["last_heartbeat"], silent_for=r["silent_for"])
            for r in conn.execute(_WORKERS).mappings()
        ]
    return QueueStatus(sources=[sources[k] for k in sorted(sources)], workers=workers)


def queued_sources(engine: Engine) -> dict[str, JobState]:
    """Source key -> its waiting crawl job, for `schedule list` (none on SQLite)."""
    return {s.source: s.waiting[0] for s in queue_status(engine).sources if s.waiting}


def format_queue_status(status: QueueStatus) -> str:
    """The text of `palimpsest queue status`."""
    header = ("SOURCE", "WAITING", "RUNNING", "FAILED", "LAST SUCCEEDED")
    table = [header]
    notes: list[list[str]] = []
    for s in status.sources:
        last = s.last_succeeded
        table.append((s.source, str(len(s.waiting)), str(len(s.running)), str(len(s.failed)),
                      _stamp(last.changed_at) if last else "-"))
        notes.append([job.describe() for job in (*s.running, *s.waiting, *s.failed)])
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    out = ["  ".join(c.ljust(w) for c, w in zip(table[0], widths, strict=True)).rstrip()]
    for line, extra in zip(table[1:], notes, strict=True):
        out.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        out.extend("    " + note for note in extra)
    if len(table) == 1:
        out = ["no crawl jobs in the queue"]
    out.append("")
    alive = [w for w in status.workers if w.alive]
    out.append(f"workers alive: {len(alive)}")
    for w in status.workers:
        where = f"{w.host} pid {w.pid}" if w.host else f"worker {w.id}"
        state = "alive" if w.alive else f"silent for {w.silent_for:.0f}s"
        queues = f", queues {w.queues}, {w.concurrency} at a time" if w.queues else ""
        out.append(f"    {where}{queues}: {state}, since {_stamp(w.started_at)}")
    return "\n".join(out)


def _job_json(job: JobState) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return None if value is None else value.astimezone(UTC).isoformat()

    return {"job": job.id, "status": job.status, "attempts": job.attempts, "queue": job.queue,
            "not_before": iso(job.not_before), "started_at": iso(job.started_at),
            "changed_at": iso(job.changed_at), "worker_host": job.host, "worker_pid": job.pid}


def queue_json(status: QueueStatus) -> dict[str, Sequence[dict[str, Any]]]:
    """`queue status --json`: the same, times as ISO 8601 UTC."""
    return {
        "sources": [
            {"source": s.source, "waiting": [_job_json(j) for j in s.waiting],
             "running": [_job_json(j) for j in s.running],
             "failed": [_job_json(j) for j in s.failed],
             "last_succeeded": _job_json(s.last_succeeded) if s.last_succeeded else None}
            for s in status.sources
        ],
        "workers": [
            {"id": w.id, "host": w.host, "pid": w.pid, "queues": w.queues,
             "concurrency": w.concurrency, "alive": w.alive,
             "started_at": w.started_at.isoformat() if w.started_at else None,
             "last_heartbeat": w.last_heartbeat.isoformat()}
            for w in status.workers
        ],
    }
