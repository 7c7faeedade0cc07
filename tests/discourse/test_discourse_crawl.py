"""Crawling a local Discourse forum into the archive: topics as threads, and a blog's embed.

The forum (tests/discourse/server.py) speaks Discourse's public JSON. A crawl of the
forum archives the on-topic topics with every post after #1 as a comment (chunks of 20
followed), parents from `reply_to_post_number`, quotes from `aside.quote`; a second
crawl after an edit, a deletion and a new reply records exactly those; a chunk that
fails leaves the thread partial and nothing tombstoned. A WordPress blog whose posts
embed the forum gets each post's comments from its topic, and the forum is never asked
/embed/comments (which would make it create topics).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.crawler.crawling import query, read_archive, run_crawl, stats_of, write_config
from tests.discourse.fixtures import DPost, demo_forum
from tests.discourse.server import serve_forum
from tests.parsers.pages import SITE, classic_post
from tests.services.stub import Fault, serve

pytestmark = pytest.mark.slow


def _crawl(config: Path, db_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    run = run_crawl(config, db_url)
    assert run.returncode == 0, run.stderr[-3000:]
    archive = read_archive(db_url)
    return archive, stats_of(archive["crawls"][-1])



def _comments(archive: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str | None]]:
    return {(c.post, c.external_id): (c.author, c.parent) for c in archive["comments"]}


def test_forum_crawl_then_edit_delete_and_reply(db_url: str, tmp_path: Path) -> None:
    forum = demo_forum()
    with serve_forum(forum, host="127.0.0.1") as server:
        server.faults.append(Fault(r"^/t/301\.json", 429, retry_after="1"))
        config = write_config(tmp_path, server.base_url, key="forum", extra='platform = "discourse"\n')
        first, stats = _crawl(config, db_url)
        assert first["crawls"][-1].status == "ok", stats
        assert set(first["posts"]) == {"301", "303", "304"}, "the bake sale is off topic"
        got = _comments(first)
        live = {k for k in got if k[0] == "301"}
        assert len(live) == 44 - 3, "every post after #1 but the withdrawn, hidden and small-action ones"
        assert got[("301", "3")] == ("ben", "2") and got[("301", "5")] == ("dee", "3")
        assert got[("301", "2")] == ("ana", None)
        assert stats.get("threads_partial", 0) == 0 and stats.get("count_mismatch", 0) == 0, stats
        assert sum(1 for p in server.log if p.startswith("/t/301/posts.json")) == 2, "two more chunks"
        assert sum(1 for p in server.log if p.startswith("/t/301.json")) == 2, "429, then read"
        quotes = query(db_url, "SELECT external_id, source_kind, source_external_id FROM comment_quotes")
        assert ("2", "post", "301") in quotes
        mentions = query(db_url, "SELECT external_id, kind, target_external_id FROM comment_replies "
                                 "WHERE kind <> 'threaded' AND external_id = '3'")
        assert mentions and mentions[0][2] == "2", mentions

        topic = forum.topics[301]
        by_number = {p.number: p for p in topic.posts}
        by_number[5].cooked, by_number[5].version = "<p>Five, edited.</p>", 2
        by_number[5].updated_at = "2026-11-05T00:00:00.000Z"
        by_number[6].deleted_at = "2026-11-05T01:00:00.000Z"
        by_number[8].user_deleted = True  # withdrawn by its author: Discourse says so
        topic.posts.append(DPost(3046, 46, "gus", "<p>Late reply.</p>", "2026-11-05T02:00:00.000Z", reply_to=3))
        second, stats = _crawl(config, db_url)
    assert second["crawls"][-1].status == "ok", stats
    assert second["counts"]["post_version"] == first["counts"]["post_version"], "no post changed"
    assert second["counts"]["comment_version"] == first["counts"]["comment_version"] + 4
    changes = query(db_url, "SELECT post_external_id, external_id, version, deleted, removed_as, edited, "
                            "edited_at FROM comment_history "
                            f"WHERE crawl_id = {second['crawls'][-1].id} ORDER BY external_id")
    # 6: gone from the anonymous stream (inferred, no word); 8: withdrawn, in Discourse's
    # word; 5: version 2 is an edit, with no time (updated_at is no edit time).
    assert [(p, c, v, bool(d), w, bool(e), t) for p, c, v, d, w, e, t in changes] == [
        ("301", "46", 1, False, None, False, None), ("301", "5", 2, False, None, True, None),
        ("301", "6", 2, True, None, False, None), ("301", "8", 2, True, "user_deleted", False, None)]
    assert _comments(second)[("301", "46")] == ("gus", "3")


def test_a_chunk_that_fails_leaves_the_topic_partial_and_infers_no_deletion(db_url: str, tmp_path: Path) -> None:
    forum = demo_forum()
    with serve_forum(forum, host="127.0.0.1") as server:
        config = write_config(tmp_path, server.base_url, key="forum", extra='platform = "discourse"\n')
        first, _ = _crawl(config, db_url)
        forum.topics[301].posts = [p for p in forum.topics[301].posts if p.number != 2]
        server.faults.append(Fault(r"^/t/301/posts\.json\?.*post_ids%5B%5D=3041\b", 500, times=10))
        second, stats = _crawl(config, db_url)
    assert stats["threads_partial"] == 1, stats
    assert set(_comments(second)) == set(_comments(first)), "nothing tombstoned from a partial thread"


def _blog_post(base: str, forum: str, topic: int | None, slug: str) -> bytes:
    embed = f"topicId: {topic}" if topic is not None else f"discourseEmbedUrl: '{base}/2025/01/{slug}/'"
    page = classic_post("", pagination="", count_title="").replace(SITE, base)
    page = page.replace(f"{base}/2025/01/deportation-flights/comment-page-2/", f"{base}/2025/01/{slug}/")
    page = page.replace("postid-42", f"postid-{40 + len(slug)}").replace("post-42", f"post-{40 + len(slug)}")
    script = (f"<div id='discourse-comments'></div><script>DiscourseEmbed = {{ discourseUrl: '{forum}',\n"
              f"  {embed} }};</script>")
    return page.replace("</body>", script + "</body>").encode()


def test_a_blog_embedding_discourse_gets_its_comments_from_the_topic(tmp_path: Path) -> None:
    forum = demo_forum()
    db = f"sqlite:///{tmp_path / 'a.db'}"
    pages: dict[str, bytes] = {}

    def blog(target: str) -> tuple[int, Any, str | None]:
        body = pages.get(target.split("?")[0])
        return (200, body, "text/html; charset=UTF-8") if body else (404, b"not found", "text/html")

    with serve(blog) as site:
        base = site.base_url.rstrip("/")
        named, unnamed = f"{base}/2025/01/deportation-flights/", f"{base}/2025/01/cecot-flights/"
        with serve_forum(forum, embeds={unnamed: 301}) as fs:
            pages["/2025/01/deportation-flights/"] = _blog_post(base, fs.base_url, 304, "deportation-flights")
            pages["/2025/01/cecot-flights/"] = _blog_post(base, fs.base_url, None, "cecot-flights")
            pages["/"] = (f'<html><body><article class="post type-post"><h2 class="entry-title"><a href="{named}">a'
                          f'</a></h2></article><article class="post type-post"><h2 class="entry-title">'
                          f'<a href="{unnamed}">b</a></h2></article></body></html>').encode()
            config = write_config(tmp_path, base, extra=f'use_rest = false\ndiscourse_url = "{fs.base_url}"\n')
            archive, stats = _crawl(config, db)
            forum_log = list(fs.log)
    assert not [p for p in forum_log if p.startswith("/embed/comments")], "never /embed/comments"
    assert any(p.startswith("/t/304.json") for p in forum_log)
    assert any(p.startswith("/embed/count") for p in forum_log), "the page without topicId: counted only"
    by_post: dict[str, set[tuple[str, str, str | None]]] = {}
    for c in archive["comments"]:
        by_post.setdefault(c.post, set()).add((c.external_id, c.author, c.parent))
    assert list(by_post.values()) == [{("2", "ana", None), ("3", "ben", "2")}], by_post
    problems = [r[0] for r in query(db, "SELECT problem FROM thread_problem")]
    assert any("names no topicId" in p and "/embed/count" in p for p in problems), problems
    assert stats["threads_partial"] == 1, stats
