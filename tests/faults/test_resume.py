"""A crawl killed with SIGKILL, then started again: finished threads are not fetched again.

The first crawl runs in a child process and is killed once the archive holds a few
complete threads. The restart marks the dead crawl `aborted`, skips exactly the threads
it finished (their post pages are not requested), crawls the rest, and the archive ends
with every post and comment exactly once: nothing lost, nothing doubled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench.sitegen import SiteSpec, generate_site
from tests.crawler.crawling import REPO, read_archive, run_crawl, stats_of, write_config
from tests.faults.server import Fault, serve_faults

pytestmark = pytest.mark.slow  # real crawls in child processes

POSTS, COMMENTS = 8, 25


def finished_threads(engine: sa.Engine, crawl_id: int) -> set[str]:
    try:
        with engine.connect() as conn:
            return set(
                conn.scalars(
                    sa.text(
                        "SELECT post.url FROM post_state JOIN post ON post.id = post_state.post_id "
                        "WHERE last_complete_crawl_id = :id"
                    ),
                    {"id": crawl_id},
                )
            )
    except sa.exc.DBAPIError:
        return set()  # the schema is still being created


def test_restart_after_sigkill_resumes(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "tests.faults.fast_settings")
    root = tmp_path / "site"
    root.mkdir()
    # Slow comment pages, one request at a time: the kill lands mid-crawl.
    with serve_faults(directory=root, faults=[Fault("slow", "comment-page", delay=0.25)]) as fs:
        generate_site(
            root, SiteSpec(posts=POSTS, comments=COMMENTS, per_page=10, page_kb=4), fs.base_url
        )
        config = write_config(tmp_path, fs.base_url, extra="use_rest = false\nconcurrency = 1\n")
        env = {
            k: v for k, v in os.environ.items() if k not in ("PALIMPSEST_CONFIG", "PALIMPSEST_DB")
        }
        child = subprocess.Popen(
            [sys.executable, "-m", "cli", "crawl", "--config", str(config), "--db", db_url],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        engine = sa.create_engine(db_url)
        try:
            deadline = time.monotonic() + 90
            done: set[str] = set()
            while len(done) < 3 and time.monotonic() < deadline and child.poll() is None:
                time.sleep(0.1)
                done = finished_threads(engine, 1)
            assert child.poll() is None, "the crawl ended before it could be killed"
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
            done = finished_threads(engine, 1)  # a last thread may have landed meanwhile
        finally:
            engine.dispose()
        assert 3 <= len(done) < POSTS

        fs.faults = []
        fs.requests = []
        run = run_crawl(config, db_url)
        assert run.returncode == 0, run.stderr[-3000:]
        asked = {fs.base_url + r for r in fs.requests}

    archive = read_archive(db_url)
    first, second = archive["crawls"]
    assert first.status == "aborted"  # marked so by the restart
    stats = stats_of(second)
    assert second.status == "ok", stats
    assert stats["resumed_from"] == [first.id]
    assert stats["resume_skipped_threads"] == len(done)
    assert stats["posts"] == POSTS - len(done)
    assert not done & asked, "a finished thread was fetched again"
    # Every post and comment exactly once, each with its one version.
    assert archive["counts"]["post"] == archive["counts"]["post_version"] == POSTS
    assert archive["counts"]["comment"] == archive["counts"]["comment_version"] == POSTS * COMMENTS
    ids = Counter((c.post, c.external_id) for c in archive["comments"])
    assert len(ids) == POSTS * COMMENTS and max(ids.values()) == 1
