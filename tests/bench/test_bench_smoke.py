"""Smoke test of `make bench`: the benchmark runs end to end on a tiny site (not timed)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench import run
from bench.sitegen import SiteSpec, generate_site, read_urls
from bench.stages import thread_pages

pytestmark = pytest.mark.slow


def test_sitegen_writes_the_crawl_url_list(tmp_path: Path) -> None:
    pages = generate_site(tmp_path, SiteSpec(posts=3, comments=60, page_kb=20), "http://127.0.0.1:9")
    urls = read_urls(tmp_path)
    threads = thread_pages(tmp_path, "http://127.0.0.1:9", posts=3)
    # 60 comments, 50 threads per comment page: one or two pages per post, each listed once.
    assert len(threads) == 3 and pages == sum(len(t) for t in threads)
    assert {len(t) for t in threads} <= {1, 2} and max(len(t) for t in threads) == 2
    assert len(set(urls)) == len(urls)
    assert "http://127.0.0.1:9/wp-sitemap.xml" in urls


def test_quick_bench_prints_the_table_and_writes_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> None:
    out = tmp_path / "results.json"
    # As `make bench` runs it: its own temporary directory, nginx when installed; its
    # PostgreSQL stages on a database of their own (the shared one may hold any revision).
    postgres = request.getfixturevalue("pg_url") if os.environ.get("PALIMPSEST_TEST_POSTGRES_URL") else ""
    assert run.main(["--quick", "--out", str(out), "--postgres", postgres]) == 0
    report = json.loads(out.read_text())
    stages = report["stages"]
    assert stages["recrawl_sqlite"]["extra"]["version_rows_written"] == 0
    # The crawl captured every generated comment, so the speeds measure the real work:
    # one version of each of the 6 posts and of each of their 60 comments.
    assert stages["crawl_sqlite"]["extra"]["comments"] == 6 * 60
    assert stages["crawl_sqlite"]["extra"]["version_rows_written"] == 6 + 6 * 60
    # The write stages record the first 3 posts' threads (--quick: parse_posts = 3).
    assert stages["write_archive"]["extra"]["comment_versions"] == stages["write_raw_sqlite"]["extra"]["comment_versions"] == 3 * 60
    for stage in stages.values():
        assert stage["pages"] > 0 and stage["wall_s"] > 0 and stage["peak_rss_mb"] > 0
    assert set(report["ratios"]) >= {"first_crawl_vs_fetch_only", "recrawl_vs_fetch_only",
                                     "parse_speedup_vs_trafilatura_cpu", "archive_writes_vs_raw_sqlite"}
    printed = capsys.readouterr().out
    assert "fetch-only Scrapy (limit)" in printed and "version rows written" in printed
