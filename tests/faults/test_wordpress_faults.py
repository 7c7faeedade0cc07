"""The real test WordPress through faults and through its own WARC capture.

Recoverable faults (5xx and 429 on REST pages, slow answers) and mislabelled encodings on
HTML pages (cp1252 served as UTF-8, no charset, a BOM against ISO-8859-1) must change
nothing: the archive matches the seed exactly, non-ASCII names and text included, and
every injection is in the crawl's fault log with its URL. And a crawl captured to WARC,
reparsed (REST and HTML routes), writes zero new versions.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.crawler.crawling import REPO, read_archive, run_crawl, stats_of, write_config
from tests.crawler.test_wordpress_crawl import assert_matches_seed, crawl_ok
from tests.faults.conftest import FAULT_REPORT
from tests.faults.server import Fault, FaultServer, serve_faults

pytestmark = [pytest.mark.wordpress, pytest.mark.slow]


def logged(fs: FaultServer, stats: dict[str, Any]) -> list[str]:
    """Injections missing from the crawl's fault log (by URL); also reported."""
    faults = stats.get("faults", [])
    missing = []
    for injection in fs.injections:
        outcomes = sorted(
            {f"{f['kind']}: {f['outcome']}" for f in faults if f["url"] == injection.url}
        )
        FAULT_REPORT.append(
            f"  [wordpress] {injection.kind:<14} {injection.url.split('/', 3)[-1][:60]}"
        )
        FAULT_REPORT.append(f"      -> {'; '.join(outcomes) or 'NOT COUNTED'}")
        if not outcomes:
            missing.append(injection.url)
    return missing


def test_rest_route_through_transient_faults(
    wordpress_site_defaults: Any, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "tests.faults.fast_settings")
    site = wordpress_site_defaults
    plan = [
        Fault("retry_after", r"/wp-json/wp/v2/posts", status=429, retry_after=1, times=1),
        Fault("status", r"/wp-json/wp/v2/comments", status=502, times=2),
        Fault("slow", r"/wp-json/wp/v2/comments", delay=1.5, times=1),
    ]
    with serve_faults(upstream=site.base_url, faults=plan) as fs:
        archive = crawl_ok(write_config(tmp_path, fs.base_url), sqlite_url)
    assert_matches_seed(archive, site.seed)
    assert {i.kind for i in fs.injections} == {"retry_after", "status", "slow"}
    assert not logged(fs, stats_of(archive["crawls"][-1]))


def test_html_route_with_mislabelled_encodings(
    wordpress_site_defaults: Any, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "tests.faults.fast_settings")
    site = wordpress_site_defaults
    site.block_rest(True)
    plan = [
        Fault("bom", r"/comment-page-1/"),
        Fault("no_charset", r"/comment-page-2/"),
        Fault("wrong_charset", r"^/\d{4}/\d{2}/(\d{2}/)?[^/]+/$"),  # post pages
    ]
    with serve_faults(upstream=site.base_url, faults=plan) as fs:
        archive = crawl_ok(write_config(tmp_path, fs.base_url), sqlite_url)
    assert_matches_seed(archive, site.seed)
    assert {"wrong_charset", "bom"} <= {i.kind for i in fs.injections}
    assert not logged(fs, stats_of(archive["crawls"][-1]))


@pytest.mark.parametrize("rest", [True, False], ids=["rest", "html"])
def test_reparse_of_a_real_wordpress_crawl_writes_nothing(
    wordpress_site_defaults: Any, sqlite_url: str, tmp_path: Path, rest: bool
) -> None:
    site = wordpress_site_defaults
    site.block_rest(not rest)
    config = write_config(tmp_path, site.base_url)
    warc = tmp_path / "warc"
    run = run_crawl(config, sqlite_url, "--warc", str(warc))
    assert run.returncode == 0, run.stderr[-3000:]
    before = read_archive(sqlite_url)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli",
            "reparse",
            "--crawl",
            "1",
            "--config",
            str(config),
            "--db",
            sqlite_url,
            "--warc",
            str(warc),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    after = read_archive(sqlite_url)
    crawl, reparse = after["crawls"]
    assert reparse.trigger == "reparse" and reparse.status == crawl.status == "ok"
    assert stats_of(reparse)["new_versions"] == 0
    assert stats_of(reparse)["posts"] == stats_of(crawl)["posts"] == len(site.seed.on_topic_posts)
    assert after["counts"] == {**before["counts"], "fetch": after["counts"]["fetch"]}
