"""A revert after a partial crawl is not missed.

A complete crawl sees comments A (its fingerprint and validators stored); a partial
crawl (one comment page failed) writes versions B of what it saw; then the site goes
back to A. The next crawl's fingerprint, 304s and page bodies all match what the
complete crawl saw, so unless the partial crawl made them forgotten, the thread would
be skipped as unchanged and B would stay current though the site shows A.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bench.sitegen import SiteSpec, generate_site
from bench.static_server import serve_static
from crawler.recrawl import KnownPosts
from storage.archive import Archive
from storage.records import PageState
from tests.crawler.crawling import read_archive, run_crawl, stats_of, write_config
from tests.factories import BASE_TIME, SOURCE_KEY, make_comment, make_thread, record

POST_URL = "https://blog.example/?p=100"
PAGE_2 = "https://blog.example/?p=100&cpage=2"
PAGES = (
    PageState(url=POST_URL, fingerprint="f1", etag='"e1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT",
              sha256="a" * 64),
    PageState(url=PAGE_2, fingerprint="f2", etag='"e2"', sha256="b" * 64),
)


def _record_a_then_partial(archive: Archive, crawl: Any, partial_comments: list[Any]) -> None:
    first = crawl()
    record(archive, make_thread([make_comment("1"), make_comment("2")]), first,
           fingerprint="fA", pages=PAGES)
    record(archive, make_thread(partial_comments, complete=False,
                                fetched_at=BASE_TIME + timedelta(days=1)), crawl(), fingerprint="fB")


@pytest.mark.parametrize("partial", ["edited", "new comment"])
def test_a_partial_crawl_that_wrote_versions_leaves_nothing_to_skip(
    archive: Archive, engine: Any, crawl: Any, partial: str
) -> None:
    seen = ([replace(make_comment("1"), body_text="B", own_text="B", body_html="<p>B</p>")]
            if partial == "edited" else [make_comment("1"), make_comment("3")])
    _record_a_then_partial(archive, crawl, seen)
    known = KnownPosts.from_list(archive.known_posts(SOURCE_KEY))
    post = known.get("100")
    assert post is not None and post.complete_before
    assert not known.may_skip("100") and not known.unchanged("100", "fA")
    assert post.pages == () and post.page(POST_URL) is None  # no validators: no 304
    assert post.bodies == {} and not post.same_body(POST_URL, "a" * 64)


def test_a_partial_crawl_that_changed_nothing_keeps_the_skip(
    archive: Archive, engine: Any, crawl: Any
) -> None:
    _record_a_then_partial(archive, crawl, [make_comment("1")])
    known = KnownPosts.from_list(archive.known_posts(SOURCE_KEY))
    post = known.get("100")
    assert post is not None and known.unchanged("100", "fA")
    assert post.pages == PAGES and post.same_body(POST_URL, "a" * 64)


def _current_texts(db_url: str) -> list[str]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        texts = conn.scalars(sa.text(
            "SELECT body_text FROM comment_version WHERE valid_to IS NULL AND NOT deleted"
        )).all()
    engine.dispose()
    return list(texts)


def test_site_back_to_what_the_last_complete_crawl_saw_is_recorded(
    tmp_path: Path, sqlite_url: str
) -> None:
    """End to end, on a static site answering If-Modified-Since: the revert's pages all
    answer 304 against the complete crawl's validators, yet the thread is parsed again."""
    root = tmp_path / "site"
    root.mkdir()
    with serve_static(root, prefer_nginx=False) as (base, _):
        generate_site(root, SiteSpec(posts=2, comments=30, per_page=10, page_kb=8), base)
        config = write_config(tmp_path, base, extra="use_rest = false\n")
        run = run_crawl(config, sqlite_url)
        assert run.returncode == 0, run.stderr[-3000:]
        assert read_archive(sqlite_url)["crawls"][-1].status == "ok"

        edited_page = next(root.rglob("post-2/comment-page-1/index.html"))
        failing_page = next(root.rglob("post-2/comment-page-2/index.html"))
        originals = {p: (p.read_bytes(), p.stat().st_mtime) for p in (edited_page, failing_page)}
        html = edited_page.read_text(encoding="utf-8")
        edited_page.write_text(re.sub(r'(<div class="comment-content"><p>)', r"\1Edited: ", html, count=1),
                               encoding="utf-8")
        later = originals[edited_page][1] + 5  # Last-Modified has whole seconds
        os.utime(edited_page, (later, later))
        failing_page.unlink()
        run = run_crawl(config, sqlite_url)
        assert run.returncode == 0, run.stderr[-3000:]
        stats = stats_of(read_archive(sqlite_url)["crawls"][-1])
        assert stats["threads_partial"] == 1 and stats["new_versions"] == 1, stats
        assert any(t.startswith("Edited: ") for t in _current_texts(sqlite_url))

        for page, (body, mtime) in originals.items():  # the site is back as it was
            page.write_bytes(body)
            os.utime(page, (mtime, mtime))
        run = run_crawl(config, sqlite_url)
        assert run.returncode == 0, run.stderr[-3000:]
    stats = stats_of(read_archive(sqlite_url)["crawls"][-1])
    assert stats["new_versions"] == 1, stats
    assert not any(t.startswith("Edited: ") for t in _current_texts(sqlite_url))
