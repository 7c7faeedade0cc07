"""`crawl.heartbeat_at` is the liveness of a running crawl: it moves while the crawl runs,
not only at its start and end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.sitegen import SiteSpec, generate_site
from tests.crawler.crawling import REPO, write_config
from tests.faults.server import Fault, serve_faults


def _as_utc(value: object) -> datetime:
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(when, datetime)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def test_a_running_crawl_renews_its_heartbeat(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    db = f"sqlite:///{tmp_path / 'a.db'}"
    # Slow comment pages, one request at a time: a crawl of a few seconds.
    with serve_faults(directory=root, faults=[Fault("slow", r"/comment-page-", delay=0.4)]) as fs:
        generate_site(root, SiteSpec(posts=2, comments=30, per_page=10, page_kb=4), fs.base_url)
        config = write_config(tmp_path, fs.base_url, extra="use_rest = false\nconcurrency = 1\n")
        env = {k: v for k, v in os.environ.items() if k not in ("PALIMPSEST_CONFIG", "PALIMPSEST_DB")}
        env["SCRAPY_SETTINGS_MODULE"] = "tests.scheduler.fast_lock_settings"  # beats every 0.2 s
        child = subprocess.Popen(
            [sys.executable, "-m", "cli", "crawl", "--config", str(config), "--db", db],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        seen: set[datetime] = set()
        engine = sa.create_engine(db)
        try:
            deadline = time.monotonic() + 120
            while child.poll() is None and time.monotonic() < deadline:
                try:
                    with engine.connect() as conn:
                        row = conn.execute(sa.text(
                            "SELECT started_at, heartbeat_at FROM crawl WHERE status = 'running'"
                        )).first()
                except sa.exc.OperationalError:
                    row = None  # the archive is being created
                if row is not None and _as_utc(row.heartbeat_at) > _as_utc(row.started_at):
                    seen.add(_as_utc(row.heartbeat_at))
                time.sleep(0.1)
        finally:
            engine.dispose()
            _, err = child.communicate(timeout=60)
    assert child.returncode == 0, err[-2000:]
    assert len(seen) >= 2  # at least two beats seen while the crawl was running
