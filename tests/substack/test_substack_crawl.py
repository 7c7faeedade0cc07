"""Crawling a local Substack into the archive: first crawl, a changed thread, a failing one.

The server (tests/substack/server.py) speaks Substack's public /api/v1 endpoints. The
first crawl archives the on-topic posts and every readable comment with its parent,
author, time and @-reply edge; a deleted or flagged comment is no record. A second crawl
after an edit, a deletion and a new reply records exactly those; a crawl whose comment
tree fails records the thread as partial and infers no deletion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.crawler.crawling import query, read_archive, run_crawl, stats_of, write_config
from tests.services.stub import Fault
from tests.substack.fixtures import SComment, SPost, demo_site
from tests.substack.server import serve_substack

pytestmark = pytest.mark.slow


def _config(tmp_path: Path, base: str) -> Path:
    return write_config(tmp_path, base, key="letter", extra='platform = "substack"\n')


def _crawl(config: Path, db_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    run = run_crawl(config, db_url)
    assert run.returncode == 0, run.stderr[-3000:]
    archive = read_archive(db_url)
    return archive, stats_of(archive["crawls"][-1])



def _comments(archive: dict[str, Any]) -> dict[str, tuple[str, str, str | None]]:
    return {c.external_id: (c.post, c.author, c.parent) for c in archive["comments"]}


def test_crawl_then_edit_delete_and_reply(db_url: str, tmp_path: Path) -> None:
    site = demo_site()
    with serve_substack(site) as server:
        # A 429 with Retry-After on the first comment tree: waited for, then read.
        server.faults.append(Fault(r"/api/v1/post/101/comments", 429, retry_after="1"))
        config = _config(tmp_path, server.base_url)
        first, stats = _crawl(config, db_url)
        assert first["crawls"][-1].status == "ok", stats
        assert set(first["posts"]) == {"101", "102"}, "the off-topic post is not archived"
        assert first["posts"]["101"].author_name == "Dana Writer"
        assert _comments(first) == {
            "501": ("101", "Ana Ruiz", None), "502": ("101", "Ben Cole", "501"),
            "503": ("101", "Ana Ruiz", "502"), "505": ("101", "Cy Dee", "504"),
            "601": ("102", "Dee Eff", None),
        }
        times = {c.external_id: c.published_at.isoformat() for c in first["comments"]}
        assert times["502"] == "2026-11-01T11:30:00+00:00"
        assert stats.get("count_mismatch", 0) == 0 and stats.get("threads_partial", 0) == 0, stats
        assert sum(1 for p in server.log if "/api/v1/post/101/comments" in p) == 2, "429, then read"
        at = query(db_url, "SELECT external_id, target_external_id, resolved_by FROM comment_replies "
                           "WHERE kind = 'at_reply'")
        assert [tuple(r) for r in at] == [("502", "501", "name")]

        # Between the crawls: 503 edited, 501 deleted (its place kept), a new reply to 505.
        ana, ben = site.posts[101].comments[0], site.posts[101].comments[0].children[0]
        ben.children[0].body, ben.children[0].edited_at = "It did not, as the docket shows.", "2026-11-02T09:00:00Z"
        ana.body, ana.name, ana.deleted = None, None, True
        site.posts[101].comments[1].children[0].children.append(
            SComment(507, "Flo Gray", "@Cy Dee agreed.", "2026-11-02T10:00:00.000Z", user_id=12, handle="flo"))
        versions_before = first["counts"]["comment_version"]
        second, stats = _crawl(config, db_url)
    assert second["crawls"][-1].status == "ok", stats
    assert set(_comments(second)) == {"502", "503", "505", "507", "601"}
    changes = query(db_url, "SELECT external_id, version, deleted, removed_as, edited, edited_at "
                            f"FROM comment_history WHERE crawl_id = {second['crawls'][-1].id} ORDER BY external_id")
    assert [(c, v, bool(d), w, bool(e)) for c, v, d, w, e, _ in changes] == [
        ("501", 2, True, "deleted", False), ("503", 2, False, None, True), ("507", 1, False, None, False)]
    assert str(changes[1][5]).replace(" ", "T").startswith("2026-11-02T09:00:00")  # Substack's edited_at
    assert changes[0][5] is None and changes[2][5] is None
    assert second["counts"]["comment_version"] == versions_before + 3
    assert second["counts"]["post_version"] == first["counts"]["post_version"], "no post changed"
    assert _comments(second)["507"] == ("101", "Flo Gray", "505")


def test_a_tree_that_fails_leaves_the_thread_partial_and_infers_no_deletion(db_url: str, tmp_path: Path) -> None:
    site = demo_site()
    with serve_substack(site) as server:
        config = _config(tmp_path, server.base_url)
        first, _ = _crawl(config, db_url)
        site.posts[101].comments.pop(0)  # 501 and its replies gone, but the crawl cannot tell
        server.faults.append(Fault(r"/api/v1/post/101/comments", 500, times=10))
        second, stats = _crawl(config, db_url)
    assert stats["threads_partial"] == 1, stats
    assert set(_comments(second)) == set(_comments(first)), "nothing tombstoned"
    problems = query(db_url, "SELECT problem FROM thread_problem")
    assert any("/api/v1/post/101/comments" in r.problem for r in problems), problems


def test_a_subscriber_only_thread_is_partial_never_empty(db_url: str, tmp_path: Path) -> None:
    site = demo_site()
    site.posts[101].audience = "only_paid"
    # The count is the real one; a reader without a subscription gets an empty tree.
    site.posts[101].count, site.posts[101].comments = 6, []
    with serve_substack(site) as server:
        _, stats = _crawl(_config(tmp_path, server.base_url), db_url)
    assert stats["threads_partial"] >= 1, stats
    problems = [r.problem for r in query(db_url, "SELECT problem FROM thread_problem")]
    assert any("subscriber-only" in p for p in problems), problems


def test_the_archive_is_paged_to_its_end(tmp_path: Path) -> None:
    site = demo_site()
    for n in range(50):  # newer than the demo's posts: the on-topic ones are on page 2
        site.posts[200 + n] = SPost(200 + n, f"note-{n}", f"Note {n}", f"2026-12-{1 + n % 28:02d}T08:00:00.000Z",
                                    "<p>Housekeeping.</p>")
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with serve_substack(site) as server:
        archive, stats = _crawl(_config(tmp_path, server.base_url), db)
    assert any("offset=50&limit=50" in p for p in server.log), server.log[:5]
    assert set(archive["posts"]) == {"101", "102"}, "the on-topic posts of the second page"
    assert stats["posts_off_topic"] == 51, stats


def test_a_scheduled_recrawl_skips_posts_the_revisit_policy_says_are_not_due(tmp_path: Path) -> None:
    site = demo_site()
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with serve_substack(site) as server:
        config = _config(tmp_path, server.base_url)
        for _ in range(2):
            run = run_crawl(config, db, "--trigger", "schedule")
            assert run.returncode == 0, run.stderr[-3000:]
    # Both on-topic posts are weeks old: checked once, not due again the same day.
    assert sum(1 for p in server.log if p.startswith("/api/v1/posts/cecot-flights")) == 1, server.log
    assert sum(1 for p in server.log if p.startswith("/api/v1/archive")) == 2
