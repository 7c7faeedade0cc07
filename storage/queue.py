"""The crawl job queue: procrastinate on the archive's own PostgreSQL (migration 0008).

One job is one crawl of one source. Every job of a source carries two procrastinate
locks named after it:

* `lock`: jobs with the same lock run one at a time, across all workers and machines
  (on top of the crawl lock, `storage.locks`, which every crawl process takes anyway);
* `queueing_lock`: at most one job of the source waits in the queue, so a scheduler
  that enqueues each night while crawls lag behind does not pile jobs up.

The producers (`palimpsest schedule run --queue`, `crawl --queue`, `schedule run-now
--queue`) call `enqueue_crawl`; `palimpsest worker` (worker.py) runs the jobs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued

from storage.engine import display_url, normalize_url
from storage.errors import ConfigError

__all__ = [
    "CRAWL_TASK",
    "DEFAULT_QUEUE",
    "Enqueued",
    "enqueue_crawl",
    "job_lock",
    "open_queue",
    "queue_app",
]

# The task's name as stored in procrastinate_jobs.task_name (worker.py registers it).
CRAWL_TASK = "palimpsest.crawl"
DEFAULT_QUEUE = "crawls"


def job_lock(source_key: str) -> str:
    """The procrastinate lock (and queueing lock) of a source's crawl jobs."""
    return f"crawl:{source_key}"


def queue_app(db_url: str) -> App:
    """A procrastinate App on the archive at `db_url`, not yet opened.

    The queue lives in PostgreSQL only: an SQLite URL is a ConfigError naming it.
    """
    url = normalize_url(db_url)
    if url.get_backend_name() != "postgresql":
        raise ConfigError(
            f"the job queue needs a PostgreSQL archive (--db postgresql://...); "
            f"{display_url(url)!r} is {url.get_backend_name()}"
        )
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return App(connector=PsycopgConnector(conninfo=conninfo))


@contextmanager
def open_queue(db_url: str) -> Iterator[App]:
    """The queue's App, opened for synchronous use (enqueue, status)."""
    app = queue_app(db_url)
    with app.open():
        yield app


@dataclass(frozen=True, kw_only=True)
class Enqueued:
    """What `enqueue_crawl` did: a new job, or none because one is already waiting."""

    source: str
    job_id: int | None  # None: the source already had a job waiting (queueing lock)

    def describe(self) -> str:
        if self.job_id is None:
            return f"crawl of {self.source!r} already waiting in the queue; not enqueued again"
        return f"crawl of {self.source!r} enqueued as job {self.job_id}"


def enqueue_crawl(app: App, source_key: str, *, trigger: str, queue: str = DEFAULT_QUEUE) -> Enqueued:
    """Put one crawl of `source_key` in `queue`, unless one is already waiting there."""
    lock = job_lock(source_key)
    task = app.configure_task(CRAWL_TASK, queue=queue, lock=lock, queueing_lock=lock)
    try:
        job_id = task.defer(source_key=source_key, trigger=trigger)
    except AlreadyEnqueued:
        return Enqueued(source=source_key, job_id=None)
    return Enqueued(source=source_key, job_id=job_id)
