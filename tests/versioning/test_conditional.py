"""Conditional recrawls against a static server that answers If-Modified-Since (Python's).

The second crawl asks every thread page with If-None-Match / If-Modified-Since: each
answers 304, nothing is parsed and nothing is written. When one comment page changes,
the third crawl sees 304 for the thread's other pages and 200 for that one, so it
fetches the thread again whole and records exactly the one edit.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import sqlalchemy as sa

from bench.sitegen import SiteSpec, generate_site
from bench.static_server import serve_static
from tests.crawler.crawling import crawl_ok as crawl
from tests.crawler.crawling import stats_of, write_config

POSTS = 4


def statuses(db_url: str, crawl_id: int) -> dict[int, int]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            'SELECT status, count(*) FROM "fetch" WHERE crawl_id = :c GROUP BY status'
        ), {"c": crawl_id}).all()
    engine.dispose()
    return {r[0]: r[1] for r in rows}


def thread_pages(db_url: str, crawl_id: int) -> int:
    """How many post and comment pages a crawl fetched."""
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        urls = conn.scalars(sa.text('SELECT url FROM "fetch" WHERE crawl_id = :c AND status = 200'),
                            {"c": crawl_id}).all()
    engine.dispose()
    return sum(1 for u in urls if re.search(r"/post-\d+/", u))


def test_unchanged_pages_answer_304_and_a_changed_one_refetches_its_thread(
    tmp_path: Path, sqlite_url: str
) -> None:
    root = tmp_path / "site"
    root.mkdir()
    with serve_static(root, prefer_nginx=False) as (base, _):
        generate_site(root, SiteSpec(posts=POSTS, comments=30, per_page=10, page_kb=8), base)
        config = write_config(tmp_path, base, extra="use_rest = false\n")
        first = crawl(config, sqlite_url)
        versions = first["counts"]["comment_version"]

        second = crawl(config, sqlite_url)
        stats = stats_of(second["crawls"][-1])
        assert stats["new_versions"] == 0 and stats["threads_unchanged"] == POSTS
        assert stats["posts_not_modified"] == POSTS
        codes = statuses(sqlite_url, second["crawls"][-1].id)
        assert codes.get(304) == thread_pages(sqlite_url, first["crawls"][0].id) > POSTS, codes

        page = next(root.rglob("post-2/comment-page-1/index.html"))
        html = page.read_text(encoding="utf-8")
        edited = re.sub(r'(<div class="comment-content"><p>)', r"\1Edited: ", html, count=1)
        page.write_text(edited, encoding="utf-8")
        later = page.stat().st_mtime + 5  # Last-Modified has whole seconds
        os.utime(page, (later, later))
        third = crawl(config, sqlite_url)
    stats = stats_of(third["crawls"][-1])
    assert stats["threads_refetched"] == 1
    assert stats["new_versions"] == 1, stats
    assert third["counts"]["comment_version"] == versions + 1
    assert stats["threads_unchanged"] == POSTS - 1
