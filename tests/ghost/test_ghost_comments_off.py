"""Ghost posts whose page has no comments script are archived, with an empty thread that says why.

A real Ghost 5 (tests/ghost/harness.py), seeded as in test_ghost_crawl, plus a
members-only on-topic post: Ghost writes no comments-ui script for an anonymous reader,
and its content helper's call to action instead of the text. Then comments are switched
off for the whole site (`comments_enabled = off`, a restart) and a public post added:
its page has neither the comments script nor the comment-counts script. Each such post
is archived (its id from the Content API), with no comment rows, complete, and the
crawl's summary names it with the reason; a post whose comments the archive read
before is partial instead, and keeps them (no deletion inferred).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.parsers.ghost_post import COMMENTS_OFF, MEMBERS_ONLY
from tests.crawler.crawling import REPO, query, read_archive, run_crawl, stats_of, write_config
from tests.ghost.harness import GhostSite
from tests.ghost.seed import POSTS, SeedPost, ghost_id

pytestmark = [pytest.mark.ghost, pytest.mark.slow]

MEMBERS_POST = SeedPost(ghost_id("64c0"), "deportation-hearings-members", "Deportation hearings, for members",
                        "<p>What the deportation hearings showed.</p>", ("Deportation Policy",),
                        datetime(2025, 3, 4, 9, tzinfo=UTC), True)
LATE_POST = SeedPost(ghost_id("64c0"), "deportation-appeals", "Deportation appeals after comments went off",
                     "<p>The appeals court heard the deportation cases.</p>", ("Deportation Policy",),
                     datetime(2025, 3, 5, 9, tzinfo=UTC), True)



def _crawl(config: Path, db: str) -> tuple[dict[str, Any], str]:
    run = run_crawl(config, db)
    assert run.returncode == 0, run.stderr[-3000:]
    return read_archive(db), run.stdout


def _comments_of(db: str, post_id: str) -> int:
    return len(query(db, "SELECT c.id FROM comment c JOIN post p ON p.id = c.post_id "
                         f"WHERE p.external_id = '{post_id}'"))


def _complete(db: str, post_id: str) -> bool:
    rows = query(db, "SELECT s.last_complete_crawl_id, s.last_checked_at, s.last_complete_at FROM post_state s "
                     f"JOIN post p ON p.id = s.post_id WHERE p.external_id = '{post_id}'")
    return bool(rows) and rows[0].last_complete_crawl_id is not None and rows[0].last_checked_at == rows[0].last_complete_at


def test_posts_without_a_comments_script_are_archived_with_a_thread_that_says_why(
    ghost_site: GhostSite, tmp_path: Path,
) -> None:
    ghost_site.add_post(MEMBERS_POST, visibility="members")
    ghost_site.restart()
    config = write_config(tmp_path, ghost_site.base_url, key="ghostblog", extra='platform = "ghost"\n')
    db = f"sqlite:///{tmp_path / 'archive.db'}"

    first, out = _crawl(config, db)
    assert first["crawls"][-1].status == "ok", stats_of(first["crawls"][-1])
    assert MEMBERS_POST.id in first["posts"], "archived under its Ghost id"
    assert first["posts"][MEMBERS_POST.id].title == MEMBERS_POST.title
    assert _comments_of(db, MEMBERS_POST.id) == 0
    assert _complete(db, MEMBERS_POST.id), "an empty thread, complete"
    assert "1 posts archived with no comments to read" in out, out
    assert f"comments closed: {MEMBERS_ONLY}" in out, out
    cecot = POSTS["cecot"].id
    assert _comments_of(db, cecot) > 0  # the open posts are read as before
    inspected = subprocess.run([sys.executable, "-m", "cli", "inspect", f"{ghost_site.base_url}/{MEMBERS_POST.slug}/"],
                               cwd=REPO, check=False, capture_output=True, text=True, timeout=60)
    assert "site: Ghost 5.130, comments closed" in inspected.stdout, inspected
    assert MEMBERS_POST.id in inspected.stdout and "problems: none" in inspected.stdout, inspected.stdout

    again, _ = _crawl(config, db)  # unchanged: nothing written
    assert again["counts"] == {**first["counts"], "fetch": again["counts"]["fetch"]}
    assert stats_of(again["crawls"][-1])["threads_unchanged"] == 3

    ghost_site.add_post(LATE_POST)
    ghost_site.set_setting("comments_enabled", "off")
    ghost_site.restart()
    off, out = _crawl(config, db)
    assert LATE_POST.id in off["posts"] and _comments_of(db, LATE_POST.id) == 0
    assert _complete(db, LATE_POST.id)
    assert f"comments closed: {COMMENTS_OFF}" in out, out
    # The comments the archive read while they were shown are hidden now, not deleted.
    assert off["counts"]["comment_version"] == first["counts"]["comment_version"]
    assert not query(db, "SELECT id FROM comment_version WHERE deleted"), "no deletion inferred"
    assert not _complete(db, cecot)
    problems = [p.problem for p in query(db, "SELECT problem FROM thread_problem")]
    assert any("read this post's comments before" in p for p in problems), problems
    assert off["crawls"][-1].status == "partial"
