"""The queue's guarantees, each in a test, across real worker processes on one PostgreSQL.

One crawl per source at a time (procrastinate's lock per source); no pile-up of waiting
jobs (its queueing lock); a SIGKILLed worker's job retried once its heartbeat is stale,
the retry resuming with no duplicate version; a failing crawl retried with backoff a
bounded number of times, then left failed.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.engine import open_engine
from storage.models import Comment, CommentVersion, Crawl, Fetch, Post, PostState, PostVersion
from storage.schema import upgrade_database
from tests.scheduler.helpers import calls, wait_for
from tests.scheduler.site import COMMENTS, serve_blog

from .jobs import enqueue, job_rows, statuses

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# A worker that notices a dead one within seconds, not the default minute.
FAST = ("--stalled-after", "2")


def test_one_crawl_per_source_at_a_time_across_workers(
    pg_url: str, standin: Path, write_config, workers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STANDIN_SECONDS", "6")
    config = write_config({"blog-a": None, "blog-b": None})
    upgrade_database(pg_url)
    enqueue(pg_url, "blog-a")
    for name in ("w1", "w2"):
        workers(name, pg_url, config, "--concurrency", "2")
    wait_for(lambda: calls(standin, "start"), timeout=30, what="the first crawl")
    # blog-a is running, so its queueing lock is free again: a second job may wait, and
    # three idle slots could take it, but not while the first runs. blog-b is not held up.
    assert enqueue(pg_url, "blog-a", "blog-b")[0] is not None
    wait_for(lambda: statuses(pg_url) == {"blog-a": ["succeeded", "succeeded"],
                                          "blog-b": ["succeeded"]}, timeout=60, what="all jobs")
    a = [c for c in calls(standin) if c["source"] == "blog-a"]
    # Never "locked": the queue, not the crawl lock, kept the second crawl waiting.
    assert [c["event"] for c in a] == ["start", "done", "start", "done"]
    assert a[2]["time"] >= a[1]["time"]
    b_start = next(c["time"] for c in calls(standin, "start") if c["source"] == "blog-b")
    assert b_start < a[1]["time"]  # another source ran beside it


def test_no_pile_up_of_waiting_jobs_for_a_source(pg_url: str, write_config) -> None:
    upgrade_database(pg_url)
    first = enqueue(pg_url, "blog-a", "blog-a", "blog-a", "blog-b")
    assert first[0] is not None and first[1:3] == [None, None] and first[3] is not None
    assert statuses(pg_url) == {"blog-a": ["todo"], "blog-b": ["todo"]}


def test_a_failing_crawl_is_retried_with_backoff_then_left_failed(
    pg_url: str, standin: Path, write_config, workers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STANDIN_FAIL", "blog-a")
    config = write_config({"blog-a": None})
    upgrade_database(pg_url)
    enqueue(pg_url, "blog-a")
    worker = workers("w1", pg_url, config, "--max-attempts", "3", "--retry-wait", "1")
    wait_for(lambda: statuses(pg_url) == {"blog-a": ["failed"]}, timeout=60, what="failed")
    starts = [c["time"] for c in calls(standin, "start")]
    assert len(starts) == 3  # three runs in all, then no more
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    assert gaps[0] >= 1.0 and gaps[1] >= 2.0, gaps  # 1 s, then doubled
    (job,) = job_rows(pg_url)
    assert job["attempts"] == 3
    assert worker.stop() == 0
    assert "exited with status 1" in worker.output()


def count(engine, *what) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(*what)).scalar_one())


def test_a_killed_workers_job_is_retried_and_resumes_with_no_duplicate_version(
    pg_url: str, tmp_path: Path, write_config, workers
) -> None:
    posts = 8
    with serve_blog(tmp_path / "site", posts=posts, delay=0.3) as site:
        config = write_config({"blog-a": None}, site=site, crawl_delay=0,
                              source_extra="use_rest = false")
        engine = open_engine(pg_url)
        enqueue(pg_url, "blog-a")
        doomed = workers("w1", pg_url, config, *FAST)
        wait_for(lambda: count(engine, Post) >= 2, timeout=90, what="threads recorded")
        with engine.connect() as conn:
            crawl_pids = list(conn.execute(
                select(Crawl.pid).where(Crawl.status == "running")).scalars())
        doomed.kill(*crawl_pids)  # the worker and its crawl, as a power cut would
        survivor = workers("w2", pg_url, config, *FAST)
        wait_for(lambda: statuses(pg_url) == {"blog-a": ["succeeded"]}, timeout=120,
                 what="the job retried and done")
        assert survivor.stop() == 0
    (job,) = job_rows(pg_url)
    assert job["attempts"] == 2  # the killed run and the retry
    assert "its worker died; back in the queue" in survivor.output()
    with engine.connect() as conn:
        dead, retry = conn.execute(select(Crawl).order_by(Crawl.id)).all()
        assert dead.status == "aborted" and retry.status == "ok"
        done_by_dead = set(conn.execute(
            select(Post.url).join(PostState, PostState.post_id == Post.id)
            .where(PostState.last_complete_crawl_id == dead.id)
        ).scalars())
        fetched_by_retry = set(conn.execute(
            select(Fetch.url).where(Fetch.crawl_id == retry.id)).scalars())
    assert done_by_dead and not done_by_dead & fetched_by_retry  # resumed, not redone
    assert count(engine, Post) == posts
    assert count(engine, PostVersion) == posts  # one version each: nothing written twice
    assert count(engine, CommentVersion) == count(engine, Comment) == posts * COMMENTS
    assert count(engine, CommentVersion.__table__.select().where(
        CommentVersion.deleted.is_(True)).subquery()) == 0  # no deletion inferred
    engine.dispose()
