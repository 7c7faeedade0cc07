"""What `palimpsest schedule list` shows: each source's next run, last run and its outcome.

A read-only query over the scheduler's job table, the crawl rows and the crawl locks,
and its two renderings (a text table and JSON). It is given the configured sources as
plain values, so it knows nothing of the config file, the crawler or APScheduler.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from storage.locks import lock_holder
from storage.models import Crawl, SchedulerJob, Source
from storage.queue_status import queued_sources

__all__ = [
    "JOB_PREFIX",
    "ListedSource",
    "ScheduleRow",
    "format_schedule",
    "schedule_json",
    "status_rows",
]

# A source's job in `scheduler_job` has the id JOB_PREFIX + its key.
JOB_PREFIX = "crawl:"


@dataclass(frozen=True, kw_only=True)
class ListedSource:
    """A configured source as `schedule list` shows it: its effective cron and time zone."""

    key: str
    cron: str
    timezone: str
    enabled: bool


@dataclass(frozen=True, kw_only=True)
class ScheduleRow:
    """One source in `palimpsest schedule list`."""

    key: str
    cron: str
    timezone: str
    enabled: bool
    next_run: datetime | None  # None: not in the job store (scheduler not run since added)
    last_started: datetime | None
    last_finished: datetime | None
    last_status: str | None
    last_trigger: str | None
    last_error: str | None
    last_ok: datetime | None
    running: str | None  # who holds the crawl lock now, if anyone
    queued: str | None = None  # a crawl job waiting in the queue (storage/queue_status.py)


def status_rows(engine: Engine, sources: Sequence[ListedSource]) -> list[ScheduleRow]:
    """Every given source with its next run, last run and the last run's outcome."""
    # Read before the connection below: on SQLite every transaction takes the write lock.
    holders = {source.key: lock_holder(engine, source.key) for source in sources}
    queued = queued_sources(engine)
    with engine.connect() as conn:
        next_runs: dict[str, float | None] = {
            job.id.removeprefix(JOB_PREFIX): job.next_run_time
            for job in conn.execute(select(SchedulerJob.id, SchedulerJob.next_run_time))
        }
        rows = []
        for source in sources:
            last = conn.execute(
                select(
                    Crawl.started_at, Crawl.finished_at, Crawl.status, Crawl.trigger, Crawl.error
                )
                .join(Source, Source.id == Crawl.source_id)
                .where(Source.key == source.key)
                .order_by(Crawl.started_at.desc(), Crawl.id.desc())
                .limit(1)
            ).first()
            last_ok = conn.execute(
                select(func.max(Crawl.started_at))
                .join(Source, Source.id == Crawl.source_id)
                .where(Source.key == source.key, Crawl.status == "ok")
            ).scalar()
            stamp = next_runs.get(source.key)
            holder = holders[source.key]
            rows.append(
                ScheduleRow(
                    key=source.key,
                    cron=source.cron,
                    timezone=source.timezone,
                    enabled=source.enabled,
                    next_run=None if stamp is None else datetime.fromtimestamp(stamp, UTC),
                    last_started=last.started_at if last else None,
                    last_finished=last.finished_at if last else None,
                    last_status=last.status if last else None,
                    last_trigger=last.trigger if last else None,
                    last_error=last.error if last else None,
                    last_ok=last_ok,
                    running=holder.describe() if holder else None,
                    queued=queued[source.key].describe() if source.key in queued else None,
                )
            )
    return rows


def _when(value: datetime | None, zone: str) -> str:
    if value is None:
        return "-"
    return value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


def _status(row: ScheduleRow) -> str:
    if row.running:
        return f"running ({row.running})"
    if row.queued:
        return f"queued ({row.queued})"
    if row.last_status == "running":
        # The lock is free, so no process is behind this row: the crawl died. The next
        # crawl of the source marks it aborted.
        return "died (still 'running', no crawl holds the lock)"
    return row.last_status or "never run"


def format_schedule(rows: Sequence[ScheduleRow]) -> str:
    """The text table of `palimpsest schedule list`, times in each source's time zone."""
    header = ("SOURCE", "SCHEDULE", "NEXT RUN", "LAST RUN", "STATUS", "LAST OK")
    table = [header]
    notes: list[list[str]] = []
    for row in rows:
        if not row.enabled:
            next_run = "disabled"
        elif row.next_run is None:
            next_run = "not scheduled yet"
        else:
            next_run = _when(row.next_run, row.timezone)
        last = _when(row.last_started, row.timezone)
        if row.last_trigger and row.last_trigger != "schedule":
            last += f" ({row.last_trigger})"
        table.append(
            (
                row.key,
                f"{row.cron} {row.timezone}",
                next_run,
                last,
                _status(row),
                _when(row.last_ok, row.timezone),
            )
        )
        lines = []
        if row.last_error and row.last_status != "ok":
            lines.append("last error: " + row.last_error.strip().splitlines()[0][:300])
        notes.append(lines)
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(table[0], widths)).rstrip()]
    for line, extra in zip(table[1:], notes):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
        out.extend("    " + note for note in extra)
    if any(row.enabled and row.next_run is None for row in rows):
        out.append("")
        out.append(
            "'not scheduled yet': start `palimpsest schedule run` to schedule these sources."
        )
    return "\n".join(out)


def schedule_json(rows: Sequence[ScheduleRow]) -> list[dict[str, Any]]:
    """`schedule list --json`: one object per source, times as ISO 8601 UTC."""

    def iso(value: datetime | None) -> str | None:
        return None if value is None else value.astimezone(UTC).isoformat()

    return [
        {
            "source": row.key,
            "cron": row.cron,
            "timezone": row.timezone,
            "enabled": row.enabled,
            "next_run": iso(row.next_run),
            "last_run": iso(row.last_started),
            "last_finished": iso(row.last_finished),
            "last_status": row.last_status,
            "last_trigger": row.last_trigger,
            "last_error": row.last_error,
            "last_ok": iso(row.last_ok),
            "running": row.running,
            "queued": row.queued,
        }
        for row in rows
    ]
