"""`palimpsest worker`: take crawl jobs from the queue and run each as its own crawl process.

A worker is a procrastinate worker (storage/queue.py) on the archive's PostgreSQL. Each
job starts `palimpsest crawl --source KEY` as a process of its own, exactly as the
scheduler does (`scheduler.run_crawl`: log file, crawl lock, exit status), at most
`concurrency` at a time. What the queue adds:

* a crawl that failed (exit status not 0) is retried after a backoff
  (`retry_base` × 2^attempt, at most `retry_max`) until `max_attempts` runs, then
  left `failed`, where `palimpsest queue status` shows it;
* a job whose worker died (SIGKILL, power cut) stays `doing` with a heartbeat that no
  longer moves: every worker sweeps for such jobs and puts them back in the queue once
  the heartbeat is `stalled_after` seconds old (as failed past `max_attempts`). The
  retry's crawl resumes: threads the dead crawl finished are not fetched again;
* its crawls share each host's pace with every other worker's (`crawler.shared_pace`:
  env PALIMPSEST_SHARED_PACE=1 unless set otherwise);
* SIGTERM or SIGINT: no new job is taken, each running crawl gets one SIGTERM (it
  finishes the threads in hand and ends `aborted`), and its job goes back to the queue
  at once for the next worker; the worker exits when they have all ended.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from procrastinate import App, BaseRetryStrategy, JobContext, RetryDecision
from procrastinate.exceptions import ConnectorException
from procrastinate.jobs import Job, Status
from procrastinate.worker import Worker

from scheduler import LOCKED_EXIT_STATUS, CrawlContext, _Children, run_crawl
from storage.errors import PalimpsestError
from storage.queue import CRAWL_TASK, DEFAULT_QUEUE, queue_app

__all__ = ["CrawlJobFailed", "CrawlRetry", "WorkerOptions", "run_worker"]

log = logging.getLogger("palimpsest.worker")


@dataclass(frozen=True, kw_only=True)
class WorkerOptions:
    """How one worker takes and retries jobs (the `palimpsest worker` options)."""

    queues: tuple[str, ...] = (DEFAULT_QUEUE,)
    concurrency: int = 1
    max_attempts: int = 3
    retry_base: float = 60.0
    retry_max: float = 3600.0
    stalled_after: float = 60.0  # seconds without a heartbeat: the worker is dead

    @property
    def heartbeat_every(self) -> float:
        return max(0.2, self.stalled_after / 6)

    @property
    def sweep_every(self) -> float:
        return max(0.2, self.stalled_after / 3)


class CrawlJobFailed(Exception):
    """A crawl process ended badly; the message says how and names its log file."""


class CrawlInterrupted(CrawlJobFailed):
    """The worker was stopped mid-crawl: the job goes back to the queue at once."""


class CrawlRetry(BaseRetryStrategy):
    """Retry a failed crawl with exponential backoff, `max_attempts` runs in all."""

    def __init__(self, options: WorkerOptions) -> None:
        self.options = options

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, CrawlInterrupted):
            return RetryDecision(retry_in={"seconds": 0})
        if job.attempts + 1 >= self.options.max_attempts:  # attempts: the runs before this one
            return None
        wait = min(self.options.retry_max, self.options.retry_base * 2**job.attempts)
        return RetryDecision(retry_in={"seconds": wait})


def _register_crawl_task(app: App, ctx: CrawlContext, options: WorkerOptions,
                         children: _Children) -> None:
    @app.task(name=CRAWL_TASK, pass_context=True, retry=CrawlRetry(options))
    def crawl(context: JobContext, source_key: str, trigger: str) -> None:
        job = context.job
        log.info("job %s: crawl of %r (attempt %d)", job.id, source_key, job.attempts + 1)
        status, path = run_crawl(ctx, source_key, trigger=trigger, children=children)
        if children.stopping:
            raise CrawlInterrupted(f"worker stopped during the crawl of {source_key!r} (log {path})")
        if status == LOCKED_EXIT_STATUS:
            raise CrawlJobFailed(f"another crawl of {source_key!r} held its crawl lock (log {path})")
        if status != 0:
            raise CrawlJobFailed(f"crawl of {source_key!r} exited with status {status} (log {path})")


# -- the stalled-job sweep and the worker's row -----------------------------------------


async def _sweep_stalled(app: App, options: WorkerOptions) -> int:
    """Put back the crawl jobs whose worker stopped beating; return how many were found."""
    manager = app.job_manager
    stalled = list(await manager.get_stalled_jobs(
        task_name=CRAWL_TASK, seconds_since_heartbeat=options.stalled_after
    ))
    for job in stalled:
        try:
            if job.attempts + 1 >= options.max_attempts:
                log.error("job %s (%s): its worker died on the last attempt; failed",
                          job.id, job.call_string)
                await manager.finish_job(job, status=Status.FAILED, delete_job=False)
            else:
                log.warning("job %s (%s): its worker died; back in the queue",
                            job.id, job.call_string)
                await manager.retry_job(job)
        except ConnectorException as exc:  # another worker's sweep was first
            log.info("job %s: already handled by another worker (%s)", job.id, exc)
    return len(stalled)


async def _keep_fleet_row(app: App, worker: Worker, options: WorkerOptions) -> None:
    """Record where this worker runs once procrastinate has registered it; then sweep."""
    while worker.worker_id is None:
        await asyncio.sleep(0.05)
    connector = app.connector
    await connector.execute_query_async(
        "DELETE FROM fleet_worker WHERE worker_id NOT IN (SELECT id FROM procrastinate_workers)"
    )
    await connector.execute_query_async(
        "INSERT INTO fleet_worker (worker_id, host, pid, queues, concurrency, started_at)"
        " VALUES (%(id)s, %(host)s, %(pid)s, %(queues)s, %(concurrency)s, %(started)s)",
        id=worker.worker_id, host=socket.gethostname(), pid=os.getpid(),
        queues=",".join(options.queues), concurrency=options.concurrency,
        started=datetime.now(UTC),
    )
    while True:
        await _sweep_stalled(app, options)
        await asyncio.sleep(options.sweep_every)


async def _run(app: App, ctx: CrawlContext, options: WorkerOptions) -> None:
    children = _Children()
    _register_crawl_task(app, ctx, options, children)
    loop = asyncio.get_running_loop()
    # Each running job waits on its crawl process in a thread of this pool.
    loop.set_default_executor(ThreadPoolExecutor(options.concurrency + 2, "crawl-job"))
    async with app.open_async():
        worker = Worker(
            app,
            queues=list(options.queues),
            name=f"{socket.gethostname()}:{os.getpid()}",
            concurrency=options.concurrency,
            install_signal_handlers=False,
            update_heartbeat_interval=options.heartbeat_every,
            stalled_worker_timeout=options.stalled_after,
            fetch_job_polling_interval=min(5.0, options.stalled_after),
        )

        def stop(signum: int) -> None:
            log.info("received %s: taking no new job, stopping the running crawls",
                     signal.Signals(signum).name)
            children.terminate_all()
            worker.stop()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop, sig)
        side = asyncio.create_task(_keep_fleet_row(app, worker, options), name="fleet-row")
        worker_id: int | None = None
        try:
            run = asyncio.create_task(worker.run())
            while worker.worker_id is None and not run.done():
                await asyncio.sleep(0.05)
            worker_id = worker.worker_id
            await run
        finally:
            side.cancel()
            await asyncio.gather(side, return_exceptions=True)
            if worker_id is not None:
                await app.connector.execute_query_async(
                    "DELETE FROM fleet_worker WHERE worker_id = %(id)s", id=worker_id
                )


def run_worker(ctx: CrawlContext, options: WorkerOptions) -> None:
    """Run a worker in the foreground until SIGTERM or SIGINT and its crawls have ended."""
    if options.concurrency < 1 or options.max_attempts < 1:
        raise PalimpsestError("--concurrency and --max-attempts must be at least 1")
    app = queue_app(ctx.db_url)
    # The worker's crawls keep each host's delay across all workers (crawler.shared_pace),
    # unless the environment says otherwise (a benchmark with politeness off).
    os.environ.setdefault("PALIMPSEST_SHARED_PACE", "1")
    log.info("worker on queue(s) %s, %d crawl(s) at a time", ", ".join(options.queues),
             options.concurrency)
    asyncio.run(_run(app, ctx, options))
    log.info("worker stopped")
