"""The error contract: an exception in a parser or in the writer is never dropped silently.

A real crawl process, with a failing parser on one comment page and a failing writer on
one thread (tests/crawler/failing_parts.py): the crawl ends `partial` with each
exception's type, message and URL in its stats; the thread whose page failed is recorded
partial, so none of its comments is taken for deleted; the other threads are whole.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from bench.run import _CONFIG
from bench.sitegen import SiteSpec, generate_site
from bench.static_server import free_port, serve_static
from tests.crawler.crawling import REPO, read_archive, run_crawl, stats_of


def _crawl_with_faults(config: Path, db: str, *, page: str, post: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PALIMPSEST_CONFIG", "PALIMPSEST_DB")}
    env |= {"PALIMPSEST_TEST_FAIL_PAGE": page, "PALIMPSEST_TEST_FAIL_POST": post}
    code = "import tests.crawler.failing_parts, cli; cli.main()"
    return subprocess.run(
        [sys.executable, "-c", code, "crawl", "--config", str(config), "--db", db],
        cwd=REPO, env=env, check=False, capture_output=True, text=True, timeout=300,
    )


def _live_comments(db: str) -> int:
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM current_comments")).scalar_one())
    finally:
        engine.dispose()


def test_a_failing_parser_and_writer_make_the_crawl_partial_and_lose_nothing(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    site = tmp_path / "site"
    generate_site(site, SiteSpec(posts=3, comments=60, per_page=20, page_kb=10), base)
    config = tmp_path / "bench.toml"
    config.write_text(_CONFIG.format(key="bench", base=base), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with serve_static(site, port=port, prefer_nginx=False, validators=False):
        assert run_crawl(config, db).returncode == 0
        assert _live_comments(db) == 180
        # Page 2 of post 1 changes, so this crawl reads it (an unchanged page is not read).
        page_2 = site / "2025/02/post-1/comment-page-2/index.html"
        page_2.write_text(page_2.read_text(encoding="utf-8").replace("</ol>", "</ol>\n", 1),
                          encoding="utf-8")
        run = _crawl_with_faults(config, db, page="/post-1/comment-page-2/", post="/post-2/")
        assert run.returncode == 0, run.stderr[-2000:]
    crawl = read_archive(db)["crawls"][-1]
    stats = stats_of(crawl)
    assert crawl.status == "partial"
    found = {(e["type"], e["url"].removeprefix(base)) for e in stats["exceptions"]}
    assert ("IndexError", "/2025/02/post-1/comment-page-2/") in found
    assert ("RuntimeError", "/2025/03/post-2/") in found
    assert all(e["message"].startswith("injected ") for e in stats["exceptions"])
    assert stats["errors/writer"] == 2  # the whole thread, then again as partial
    assert stats["threads_partial"] == 2  # post 1 (its page failed) and post 2 (not written)
    # Nothing inferred deleted from the partial thread, nothing lost from the others.
    assert stats["tombstones"] == 0
    assert _live_comments(db) == 180
