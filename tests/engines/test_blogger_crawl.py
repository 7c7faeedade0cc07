"""End to end: crawls of a Blogger-like blog on 127.0.0.1 (its feeds) into an archive.

Posts and threads from the feeds; a recrawl after an edit, a deletion (contentRemoved)
and a new reply records exactly those; a comment feed page that fails leaves a partial
thread and no deletion.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.crawler.crawling import read_archive, run_crawl, stats_of, write_config
from tests.engines.archive_rows import edges, history
from tests.engines.blogger_site import BComment
from tests.engines.fixtures import blogger_site, many_comments, when
from tests.engines.server import serve


def _crawl(tmp_path: Path, site, db: str):  # type: ignore[no-untyped-def]
    run = run_crawl(write_config(tmp_path, site.base, extra='platform = "blogger"\n'), db)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def test_blogger_crawl_recrawl_and_deletion(tmp_path: Path) -> None:
    site = blogger_site()
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with serve(site) as asked:
        _crawl(tmp_path, site, db)
        archive = read_archive(db)
        assert set(archive["posts"]) == {"5550001"}  # the garden post is off topic
        post = archive["posts"]["5550001"]
        assert (post.title, post.author_name) == ("Deportation flights to CECOT", "Maria Editor")
        got = sorted((c.external_id, c.author, c.parent, c.published_at, c.text) for c in archive["comments"])
        assert got == [
            ("9000001", "Ann", None, datetime(2025, 1, 3, 15, 12, tzinfo=UTC), "Deportation without a hearing?"),
            ("9000002", "Bob", "9000001", datetime(2025, 1, 3, 16, tzinfo=UTC), "@Ann there was a hearing."),
            ("9000003", "Anonymous", None, datetime(2025, 1, 3, 17, tzinfo=UTC), "CECOT is a prison."),
            ("9000004", "Cy", "9000002", datetime(2025, 1, 3, 18, tzinfo=UTC), "Replying to Bob."),
        ]
        assert ("9000002", "threaded", "9000001") in edges(db)
        assert ("9000004", "threaded", "9000002") in edges(db)
        assert any(a.startswith("/feeds/5550001/comments/default?") for a in asked)
        stats = stats_of(archive["crawls"][-1])
        assert stats.get("threads_partial", 0) == 0

        # An edit, a deletion and a new reply: exactly those three new versions.
        post_ = site.post("5550001")
        post_.comments[0].html = "Deportation without any hearing?"
        post_.comments[1].removed = True
        post_.comments.append(BComment("9000005", "Dee", when(5, 9), "I agree with Cy.", parent="9000004"))
        before = history(db)
        _crawl(tmp_path, site, db)
    after = history(db)
    assert sorted(set(after) - set(before)) == [
        ("9000001", False, "Deportation without any hearing?"),
        ("9000002", True, "@Ann there was a hearing."),
        ("9000005", False, "I agree with Cy."),
    ]
    assert len(after) == len(before) + 3
    current = {c.external_id: c for c in read_archive(db)["comments"]}
    assert set(current) == {"9000001", "9000003", "9000004", "9000005"}
    assert current["9000005"].parent == "9000004"


def test_a_failed_comment_page_leaves_a_partial_thread(tmp_path: Path) -> None:
    site = blogger_site()
    many_comments(site, 60)  # 64 comments: two feed pages of 50
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with serve(site):
        _crawl(tmp_path, site, db)
        assert len(read_archive(db)["comments"]) == 64
        site.post("5550001").comments[0].removed = True  # on page 1
        del site.post("5550001").comments[-1]  # on page 2, which fails
        site.failing.append(r"/comments/default\?.*start-index=51")
        before = history(db)
        run = _crawl(tmp_path, site, db)
    archive = read_archive(db)
    stats = stats_of(archive["crawls"][-1])
    assert stats["threads_partial"] == 1, run.stdout
    # partial: no deletion is inferred, not even of the removed comment's absence
    assert [h for h in history(db) if h not in before and h[1]] == []
    assert len(archive["comments"]) == 64


def test_without_feeds_the_post_pages_are_read(tmp_path: Path) -> None:
    site = blogger_site()
    site.feeds = False
    site.post("5550001").comments[2].removed = True
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with serve(site) as asked:
        _crawl(tmp_path, site, db)
    archive = read_archive(db)
    assert "/2025/01/deportation-flights.html" in asked
    assert set(archive["posts"]) == {"5550001"}  # the id the page shows, as the feed's
    got = sorted((c.external_id, c.author, c.parent, c.text) for c in archive["comments"])
    assert got == [
        ("9000001", "Ann", None, "Deportation without a hearing?"),
        ("9000002", "Bob", "9000001", "@Ann there was a hearing."),
        ("9000004", "Cy", "9000002", "Replying to Bob."),
    ]  # 9000003 shows "removed by the author": no record
    times = {c.external_id: c.published_at for c in archive["comments"]}
    assert times["9000001"] == datetime(2025, 1, 3, 15, 12, tzinfo=UTC)  # from ?showComment=
    assert stats_of(archive["crawls"][-1]).get("threads_partial", 0) == 0
