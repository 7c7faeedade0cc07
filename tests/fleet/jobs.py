"""Reading the queue's job rows in the fleet tests (procrastinate_jobs, by source key)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, text

from storage.queue import enqueue_crawl, open_queue


def job_rows(db_url: str) -> list[dict[str, Any]]:
    """Every crawl job: id, source, status, attempts, queue, in id order."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT id, args->>'source_key' AS source, status::text AS status, attempts,"
                " queue_name FROM procrastinate_jobs ORDER BY id"
            )).mappings().all()
    finally:
        engine.dispose()
    return [dict(row) for row in rows]


def statuses(db_url: str) -> dict[str, list[str]]:
    """Source key -> the statuses of its jobs, oldest first."""
    found: dict[str, list[str]] = {}
    for row in job_rows(db_url):
        found.setdefault(row["source"], []).append(row["status"])
    return found


def enqueue(db_url: str, *keys: str, trigger: str = "schedule", queue: str = "crawls") -> list[int | None]:
    with open_queue(db_url) as app:
        return [enqueue_crawl(app, key, trigger=trigger, queue=queue).job_id for key in keys]
