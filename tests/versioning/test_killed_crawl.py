"""A crawl killed with SIGKILL mid-thread: each thread is fully recorded or untouched.

Comment pages are slow, so the kill lands while threads are half fetched. Right after
the kill, before anything else runs, every post in the archive has all its comments
and its `post_state` names the killed crawl as its last complete one; every other post
has nothing at all (one transaction per thread). The next start marks the crawl row
`aborted` (tests/faults/test_resume.py checks what the restart then fetches).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench.sitegen import SiteSpec, generate_site
from tests.crawler.crawling import REPO, read_archive, run_crawl, write_config
from tests.faults.server import Fault, serve_faults

POSTS, COMMENTS = 6, 25


def per_post(engine: sa.Engine) -> dict[str, tuple[int, int | None]]:
    """{post url: (comment versions, last complete crawl)} as the archive holds them now."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT p.url, count(cv.id), ps.last_complete_crawl_id FROM post p "
                "LEFT JOIN post_state ps ON ps.post_id = p.id "
                "LEFT JOIN comment c ON c.post_id = p.id "
                "LEFT JOIN comment_version cv ON cv.comment_id = c.id "
                "GROUP BY p.url, ps.last_complete_crawl_id"
            )).all()
    except sa.exc.DBAPIError:
        return {}  # the schema is still being created
    return {r[0]: (r[1], r[2]) for r in rows}


def test_sigkill_leaves_threads_whole_or_untouched(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "tests.faults.fast_settings")
    root = tmp_path / "site"
    root.mkdir()
    with serve_faults(directory=root, faults=[Fault("slow", "comment-page", delay=0.3)]) as fs:
        generate_site(
            root, SiteSpec(posts=POSTS, comments=COMMENTS, per_page=10, page_kb=4), fs.base_url
        )
        config = write_config(tmp_path, fs.base_url, extra="use_rest = false\nconcurrency = 1\n")
        env = {k: v for k, v in os.environ.items() if k not in ("PALIMPSEST_CONFIG", "PALIMPSEST_DB")}
        child = subprocess.Popen(
            [sys.executable, "-m", "cli", "crawl", "--config", str(config), "--db", sqlite_url],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        engine = sa.create_engine(sqlite_url)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and child.poll() is None and len(per_post(engine)) < 2:
                time.sleep(0.05)
            assert child.poll() is None, "the crawl ended before it could be killed"
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
            state = per_post(engine)
            with engine.connect() as conn:
                status = conn.execute(sa.text("SELECT status FROM crawl")).scalar_one()
        finally:
            engine.dispose()
        assert 1 <= len(state) < POSTS, state
        assert all(v == (COMMENTS, 1) for v in state.values()), state
        assert status == "running"  # nobody has looked yet

        fs.faults = []
        assert run_crawl(config, sqlite_url).returncode == 0
    crawls = read_archive(sqlite_url)["crawls"]
    assert [c.status for c in crawls] == ["aborted", "ok"]
