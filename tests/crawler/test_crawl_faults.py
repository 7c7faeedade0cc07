"""Faults during a crawl: logged with the URL, counted in the crawl's stats, the crawl goes
on, and nothing already archived changes (no new version, no deletion).

The faulty site is the test WordPress (REST blocked, so pages are HTML) behind the
fault-injection server of tests/faults, which answers a 404 for one post, a PDF for
another, and cuts one comment page of the long thread in half.
"""

from __future__ import annotations

import socket
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.crawler.crawling import read_archive, run_crawl, stats_of, write_config
from tests.faults.server import Fault, FaultServer


class _PdfFaultServer(FaultServer):
    """Answers a PDF (200, application/pdf) for paths matching `pdf_pattern`."""

    pdf_pattern: str | None = None

    def fetch_upstream(self, target: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
        import re

        if self.pdf_pattern and re.search(self.pdf_pattern, target):
            self.log("pdf", target, "application/pdf")
            return 200, [("Content-Type", "application/pdf")], b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
        return super().fetch_upstream(target, headers)


def _path(url: str) -> str:
    return urlsplit(url).path


def _versions(archive: dict[str, Any]) -> tuple[int, int]:
    return archive["counts"]["post_version"], archive["counts"]["comment_version"]


@pytest.mark.wordpress
@pytest.mark.slow
def test_faults_are_counted_and_change_nothing(
    wordpress_site_defaults: Any, db_url: str, tmp_path: Path
) -> None:
    site = wordpress_site_defaults
    site.block_rest(True)
    posts = {p.title.split()[0]: p for p in site.seed.on_topic_posts}
    long_thread, cecot, guantanamo = posts["Deportation"], posts["What"], posts["Guantanamo"]
    assert len(long_thread.visible_comments) > 20  # several comment pages

    with _PdfFaultServer(upstream=site.base_url) as fs:
        config = write_config(tmp_path, fs.base_url)
        first = run_crawl(config, db_url)
        assert first.returncode == 0, first.stderr[-3000:]
        before = read_archive(db_url)
        assert before["crawls"][0].status == "ok"

        cut_page = _path(long_thread.url) + "comment-page-2/"
        fs.faults = [
            Fault("status", "^" + _path(cecot.url) + "$", status=404),
            Fault("truncate", "^" + cut_page + "$", fraction=0.5),
        ]
        fs.pdf_pattern = "^" + _path(guantanamo.url) + "$"
        second = run_crawl(config, db_url)

    assert second.returncode == 0, second.stderr[-3000:]  # partial is not a failure
    after = read_archive(db_url)
    crawl = after["crawls"][1]
    stats = stats_of(crawl)
    assert crawl.status == "partial", stats
    # Each fault is counted, and named with its URL in the stats and in the log.
    assert stats["errors/http_404"] == stats["errors/not_html"] == stats["errors/truncated"] == 1
    assert stats["errors"] == 3 and stats["threads_partial"] == 1, stats  # one each, no more
    problems = "\n".join(stats["problems"])
    for url in (fs.base_url + _path(cecot.url), fs.base_url + _path(guantanamo.url), fs.base_url + cut_page):
        assert url in problems, (url, problems)
        assert url in second.stderr, url
    # The crawl went on: every other thread was recorded again.
    assert stats["posts"] == len(site.seed.on_topic_posts) - 2
    # Nothing already archived changed: no new versions, no tombstones.
    assert _versions(after) == _versions(before)
    assert stats["tombstones"] == 0 and stats["new_versions"] == 0
    assert Counter(after["comments"]) == Counter(before["comments"])  # read in no set order


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_site_fails_with_the_url(sqlite_url: str, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{_closed_port()}"
    config = write_config(tmp_path, base)
    run = run_crawl(config, sqlite_url, timeout=120)
    assert run.returncode == 1, run.stderr[-3000:]
    archive = read_archive(sqlite_url)
    (crawl,) = archive["crawls"]
    stats = stats_of(crawl)
    assert crawl.status == "failed"
    assert stats["errors"] == stats["errors/network"], stats  # no error but the network
    assert any(base in p for p in stats["problems"]), stats["problems"]
    assert base in run.stderr
    assert "failed" in run.stdout
    assert archive["counts"]["post"] == 0
    # Every attempt is on record as a fetch with its error: each refused connection (each
    # retry too) and each request skipped once the host was paused; robots.txt is not a
    # fetch of the site. (The faults' "network" entries repeat a refused request given up.)
    attempts = [f for f in stats["faults"] if f["kind"] in ("connection_refused", "host_paused")
                and not f["url"].endswith("/robots.txt")]
    assert archive["counts"]["fetch"] == len(attempts), stats["faults"]


@pytest.mark.wordpress
@pytest.mark.slow
def test_rest_comment_page_failing_makes_the_thread_partial(
    wordpress_site_defaults: Any, sqlite_url: str, tmp_path: Path
) -> None:
    """On the REST route, a comments page that keeps failing (500 after retries) leaves
    its thread partial: counted, named, and no comment of it is taken for deleted."""
    site = wordpress_site_defaults
    long_thread = next(p for p in site.seed.on_topic_posts if len(p.visible_comments) > 20)
    with FaultServer(upstream=site.base_url) as fs:
        config = write_config(tmp_path, fs.base_url)
        first = run_crawl(config, sqlite_url)
        assert first.returncode == 0, first.stderr[-3000:]
        before = read_archive(sqlite_url)
        fs.faults = [Fault("status", rf"/wp/v2/comments\?post={long_thread.id}&", status=500)]
        second = run_crawl(config, sqlite_url)
    assert second.returncode == 0, second.stderr[-3000:]
    after = read_archive(sqlite_url)
    crawl = after["crawls"][1]
    stats = stats_of(crawl)
    assert crawl.status == "partial"
    # The thread's one comments page (100 a page), given up after its retries: one error.
    assert stats["threads_partial"] == 1 and stats["errors"] == stats["errors/comment_page"] == 1
    assert any(f"post={long_thread.id}" in p for p in stats["problems"])
    assert stats["tombstones"] == 0 and stats["new_versions"] == 0
    assert _versions(after) == _versions(before)
