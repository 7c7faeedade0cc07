"""End to end: crawls of Drupal-like sites (7 and 10 markup) on 127.0.0.1 into an archive.

Every comment page (`?page=N`) followed, replies' parents from `div.indented`; a
recrawl after an edit, a deleted comment and a new reply records exactly those; a
comment page answering 500 leaves a partial thread and no deletion.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.crawler.crawling import read_archive, run_crawl, stats_of, write_config
from tests.engines.archive_rows import edges, history
from tests.engines.drupal_site import DComment
from tests.engines.fixtures import drupal_site, when
from tests.engines.server import serve


def _crawl(tmp_path: Path, site, db: str):  # type: ignore[no-untyped-def]
    run = run_crawl(write_config(tmp_path, site.base, extra='platform = "drupal"\n'), db)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


@pytest.mark.parametrize("version", [7, 10])
def test_drupal_crawl_recrawl_and_deletion(tmp_path: Path, version: int) -> None:
    site = drupal_site(version)
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with serve(site) as asked:
        _crawl(tmp_path, site, db)
        archive = read_archive(db)
        assert set(archive["posts"]) == {"41"}
        assert archive["posts"]["41"].title == "Deportations under the Alien Enemies Act"
        got = sorted((c.external_id, c.author, c.parent, c.text) for c in archive["comments"])
        assert got == [
            ("101", "Ann", None, "Deportation without a hearing?"),
            ("102", "Bob", "101", "@Ann there was a hearing."),
            ("103", "Cy", "102", "Replying to Bob."),
            ("104", "Dee", None, "Bukele welcomed them."),
            ("105", "Eve", "104", "Not for long."),
        ]
        times = {c.external_id: c.published_at for c in archive["comments"]}
        # Drupal 7's RDF stamps carry the offset; Olivero prints the site's local time only.
        expected = datetime(2025, 1, 3, 18, tzinfo=UTC) if version == 7 else None
        assert times["101"] == expected
        assert ("102", "threaded", "101") in edges(db)
        assert any("page=1" in a for a in asked)
        assert stats_of(archive["crawls"][-1]).get("threads_partial", 0) == 0

        node = site.node("41")
        node.comments[0].html = "Deportation without any hearing?"
        del node.comments[4]  # Eve's reply, gone from page 2
        node.comments.append(DComment("106", "Fay", when(5, 9), "Welcomed, then jailed.", parent="104"))
        before = history(db)
        _crawl(tmp_path, site, db)
    after = history(db)
    assert sorted(set(after) - set(before)) == [
        ("101", False, "Deportation without any hearing?"),
        ("105", True, "Not for long."),
        ("106", False, "Welcomed, then jailed."),
    ]
    current = {c.external_id: c for c in read_archive(db)["comments"]}
    assert current["106"].parent == "104"


def test_a_failed_comment_page_leaves_a_partial_thread(tmp_path: Path) -> None:
    site = drupal_site(10)
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with serve(site):
        _crawl(tmp_path, site, db)
        node = site.node("41")
        del node.comments[4]
        site.failing.append(r"page=1")
        before = history(db)
        _crawl(tmp_path, site, db)
    archive = read_archive(db)
    assert stats_of(archive["crawls"][-1])["threads_partial"] == 1
    assert [h for h in history(db) if h not in before] == []
    assert len(archive["comments"]) == 5
