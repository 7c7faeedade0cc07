"""Crawling a real Ghost 5 (tests/ghost/harness.py) into the archive, then changing it.

The first crawl archives exactly the on-topic posts and every published comment, with
Ghost's ids, member names (and uuids), UTC times, parents (`in_reply_to_id`, or the
top-level comment a reply is grouped under) and @-reply edges; a hidden top-level
comment with a reply (a tombstone) and a deleted one are not comments. An unchanged
site writes nothing. An edit, a deletion and a new reply are then recorded as exactly
three comment versions. A crawl through a proxy that fails one API page records a
partial thread and infers no deletion from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.crawler.crawling import crawl_ok, query, read_archive, run_crawl, stats_of, write_config
from tests.faults.server import Fault, FaultServer
from tests.ghost.harness import AUTHOR, GhostSite
from tests.ghost.seed import MEMBERS, POSTS, SeedComment

pytestmark = [pytest.mark.ghost, pytest.mark.slow]


def _config(tmp_path: Path, base_url: str) -> Path:
    return write_config(tmp_path, base_url, key="ghostblog", extra='platform = "ghost"\n')


def _text(html: str) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _visible(site: GhostSite) -> dict[str, SeedComment]:
    on_topic = {p.id for p in POSTS.values() if p.on_topic}
    return {c.id: c for c in site.comments.values() if c.status == "published" and c.post in on_topic}


def _assert_matches(archive: dict[str, Any], site: GhostSite) -> None:
    assert set(archive["posts"]) == {p.id for p in POSTS.values() if p.on_topic}
    for post in POSTS.values():
        if post.on_topic:
            row = archive["posts"][post.id]
            assert (row.title, row.author_name) == (post.title, AUTHOR)
    got = {c.external_id: c for c in archive["comments"]}
    expected = _visible(site)
    assert set(got) == set(expected), "every published comment of an on-topic post, no other"
    for cid, seeded in expected.items():
        c = got[cid]
        assert c.post == seeded.post, cid
        assert c.author == seeded.member.name, cid
        assert c.published_at == seeded.created, cid
        assert c.parent == (seeded.in_reply_to or seeded.parent), cid
        assert _text(c.text) == _text(seeded.html), cid



def test_crawl_recrawl_and_changes(ghost_site: GhostSite, tmp_path: Path) -> None:
    config, db = _config(tmp_path, ghost_site.base_url), f"sqlite:///{tmp_path / 'archive.db'}"
    first = crawl_ok(config, db)
    _assert_matches(first, ghost_site)
    assert "Ghost native" in (stats_of(first["crawls"][-1]).get("site") or "")

    # Members are authors with their uuid; the @-reply names the comment it answers.
    authors = {r.display_name: r.external_id for r in query(db, "SELECT display_name, external_id FROM author")}
    assert authors[MEMBERS["ana"].name] == MEMBERS["ana"].uuid
    at_reply = next(c for c in ghost_site.comments.values() if c.html.startswith("<p>@Ben Ortiz"))
    edges = query(db, "SELECT r.kind, r.raw_name, r.target_external_id FROM reply r JOIN comment_version v "
                      "ON v.id = r.comment_version_id JOIN comment c ON c.id = v.comment_id "
                      f"WHERE c.external_id = '{at_reply.id}'")
    assert ("at_reply", "Ben Ortiz", at_reply.in_reply_to) in [tuple(e) for e in edges]
    hidden = next(c for c in ghost_site.comments.values() if c.status == "hidden")
    assert hidden.id not in {c.external_id for c in first["comments"]}, "a tombstone is no comment"
    # Edited before the first crawl: the text first archived is already an edited one.
    seeded = {r.external_id: (r.edited, r.edited_at) for r in query(
        db, "SELECT external_id, edited, edited_at FROM current_comments")}
    was_edited = next(c for c in _visible(ghost_site).values() if c.edited is not None)
    assert bool(seeded[was_edited.id][0]) and str(seeded[was_edited.id][1]).startswith(
        was_edited.edited.strftime("%Y-%m-%dT%H:%M:%S"))
    assert sum(bool(e) for e, _ in seeded.values()) == 1, "the others: edited = false"

    # Unchanged: nothing written.
    again = crawl_ok(config, db)
    assert again["counts"] == {**first["counts"], "fetch": again["counts"]["fetch"]}

    # An edit, a deletion, a new reply: exactly three comment versions.
    top = [c for c in _visible(ghost_site).values() if c.parent is None and c.post == POSTS["cecot"].id]
    edited = ghost_site.edit_comment(top[0].id, "<p>Who signed off on these flights, and when?</p>")
    # A top-level comment with replies: Ghost now shows it as a tombstone (html null).
    gone = ghost_site.set_status(top[-1].id, "deleted")
    new = ghost_site.add_reply(top[1].id, top[1].id, MEMBERS["dev"], "<p>Agreed, the hearing is the case.</p>")
    changed = crawl_ok(config, db)
    _assert_matches(changed, ghost_site)
    crawl_id = changed["crawls"][-1].id
    versions = query(db, "SELECT c.external_id, v.deleted, v.removed_as, v.edited, v.edited_at "
                         "FROM comment_version v JOIN comment c "
                         f"ON c.id = v.comment_id WHERE v.crawl_id = {crawl_id}")
    assert sorted((r.external_id, bool(r.deleted), r.removed_as, bool(r.edited)) for r in versions) == sorted(
        [(edited.id, False, None, True), (gone.id, True, "deleted", False), (new.id, False, None, False)])
    stamp = next(r.edited_at for r in versions if r.external_id == edited.id)
    assert edited.edited is not None and str(stamp).startswith(edited.edited.strftime("%Y-%m-%dT%H:%M:%S"))
    assert changed["counts"]["post_version"] == first["counts"]["post_version"]

    # A moderator hides a comment that has a reply (Ghost shows its tombstone), then un-hides it.
    ghost_site.set_status(top[1].id, "hidden")
    crawl_ok(config, db)
    ghost_site.set_status(top[1].id, "published")
    crawl_ok(config, db)
    history = query(db, "SELECT deleted, removed_as FROM comment_history "
                        f"WHERE external_id = '{top[1].id}' ORDER BY version")
    assert [(bool(r.deleted), r.removed_as) for r in history][-2:] == [(True, "hidden"), (False, None)]


def test_failed_api_page_makes_a_partial_thread(ghost_site: GhostSite, tmp_path: Path) -> None:
    # The replies page of the comment with more replies than Ghost embeds fails.
    many = next(c for c in ghost_site.comments.values()
                if sum(1 for r in ghost_site.comments.values() if r.parent == c.id and r.status == "published") > 3)
    fault = Fault("status", rf"/members/api/comments/{many.id}/replies/", status=500)
    with FaultServer(upstream=ghost_site.base_url) as proxy:
        config, db = _config(tmp_path, proxy.base_url), f"sqlite:///{tmp_path / 'archive.db'}"
        # Deleted while another page of its thread fails: a reply nobody answers, which
        # Ghost then leaves out (nothing to infer from a partial thread), and a top-level
        # comment with replies, whose tombstone Ghost shows (a statement: recorded from a
        # partial thread too).
        visible = [c for c in _visible(ghost_site).values() if c.post == POSTS["cecot"].id]
        victim = next(c for c in visible if c.parent is not None and c.parent != many.id
                      and not any(o.in_reply_to == c.id for o in visible))
        stated = next(c for c in visible if c.parent is None and c.id not in (many.id, victim.parent))
        if not any(o.parent == stated.id for o in visible):
            ghost_site.add_reply(stated.id, stated.id, MEMBERS["ben"], "<p>A reply to keep its place.</p>")
        before = crawl_ok(config, db)
        ghost_site.set_status(victim.id, "deleted")
        ghost_site.set_status(stated.id, "deleted")
        proxy.faults.append(fault)
        run = run_crawl(config, db)
    assert run.returncode == 0, run.stderr[-3000:]
    after = read_archive(db)
    assert after["crawls"][-1].status == "partial"
    assert [i.kind for i in proxy.injections] and all(i.kind == "status" for i in proxy.injections)
    assert victim.id in {c.external_id for c in after["comments"]}, "no deletion inferred"
    assert stated.id not in {c.external_id for c in after["comments"]}
    tombstone = query(db, "SELECT deleted, removed_as FROM comment_history "
                          f"WHERE external_id = '{stated.id}' ORDER BY version DESC")[0]
    assert (bool(tombstone.deleted), tombstone.removed_as) == (True, "deleted")
    assert after["counts"]["comment_version"] == before["counts"]["comment_version"] + 1
    problems = query(db, "SELECT problem FROM thread_problem")
    assert any(f"{many.id}/replies/" in p.problem for p in problems)


def test_inspect_says_comments_are_ghost_native_and_reads_them(ghost_site: GhostSite) -> None:
    from click.testing import CliRunner

    from cli import main

    post = POSTS["cecot"]
    result = CliRunner().invoke(main, ["inspect", f"{ghost_site.base_url}/{post.slug}/", "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.output)
    assert (data["platform"], data["comment_system"]) == ("ghost", "Ghost native")
    assert data["post"]["external_id"] == post.id
    shown = {c.id for c in _visible(ghost_site).values() if c.post == post.id}
    assert {c["external_id"] for c in data["comments"]} == shown
    text = CliRunner().invoke(main, ["inspect", f"{ghost_site.base_url}/{post.slug}/"]).output
    assert "site: Ghost 5.130, comments: Ghost native" in text
