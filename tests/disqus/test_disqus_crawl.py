"""End to end: a WordPress-like blog whose posts embed Disqus, crawled into an archive.

The blog (127.0.0.1) and Disqus (127.0.0.2) are the local servers of tests/disqus/server.py.
With `comments = "disqus"` the thread comes from Disqus (the embed page, or listPosts with
the source's key: pagination, a 429 with Retry-After, a cursor that stops early); without
it, the crawl says the comments are in Disqus and records no thread of 0 comments.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.crawler.crawling import REPO, TOPIC, as_utc, read_archive, run_crawl, stats_of
from tests.disqus.server import API_KEY, BlogPost, DisqusState, serve_blog, serve_disqus
from tests.disqus.threads import DisqusThread, disqus_post

POST = BlogPost(101, "2025/01/10/deportation-flights", "Deportation flights resume",
                "<p>The flights to CECOT resumed this week.</p>", "2025-01-10T09:00:00+00:00")
# As Disqus writes a mention: the name without '@' (tests/disqus/README.md).
MENTION = ('<a data-dsq-mention="anaruiz:disqus" href="https://disqus.com/by/anaruiz/" '
           'rel="nofollow noopener">Ana Ruiz</a>')


def _posts() -> list[dict[str, Any]]:
    return [
        disqus_post("501", name="Ana Ruiz", username="anaruiz", created="2025-01-10T10:00:00",
                    message="<p>The deportation flights are a policy failure.</p>"),
        disqus_post("502", name="Guest Bob", anonymous=True, parent="501", depth=1,
                    created="2025-01-10T10:05:00", message=f"<p>{MENTION} I disagree with you.</p>"),
        disqus_post("503", name="Carla Diaz", username="carlad", created="2025-01-10T11:00:00",
                    message="<blockquote>The deportation flights are a policy failure.</blockquote>"
                            "<p>Agreed, and costly.</p>"),
        disqus_post("504", name="Spam Bot", username="spammer", created="2025-01-10T11:30:00",
                    message="<p>Buy now</p>", spam=True),
        disqus_post("505", name="Dan Wu", username="danwu", created="2025-01-10T12:00:00",
                    message="<p>Edited once already.</p>", edited=True),
    ]


@dataclass
class World:
    blog: str
    disqus: str
    state: DisqusState
    thread: DisqusThread
    tmp: Path

    @property
    def db(self) -> str:
        return f"sqlite:///{self.tmp / 'a.db'}"

    def config(self, extra: str) -> Path:
        path = self.tmp / "sources.toml"
        path.write_text(TOPIC + "\n[crawl]\ndelay_seconds = 0\nconcurrency_per_host = 4\n"
                        f'\n[[sources]]\nkey = "dqblog"\nname = "Disqus blog"\nurl = "{self.blog}/"\n'
                        f"use_rest = false\n{extra}", encoding="utf-8")
        return path

    def allowed(self, *, key: bool) -> Path:
        extra = f'comments = "disqus"\ndisqus_base = "{self.disqus}"\n'
        return self.config(extra + (f'disqus_api_key = "{API_KEY}"\n' if key else ""))


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    state = DisqusState()
    with serve_blog([POST]) as blog, serve_disqus(state) as dq:
        thread = DisqusThread(thread_id="7001", forum="testforum",
                              identifier=f"101 {blog}/?p=101", link=f"{blog}/{POST.slug}/",
                              posts=_posts())
        state.threads.append(thread)
        yield World(blog, dq, state, thread, tmp_path)


def test_a_rest_api_blog_takes_its_posts_from_the_api_and_its_comments_from_disqus(tmp_path: Path) -> None:
    state = DisqusState()
    with serve_blog([POST], rest=True) as blog, serve_disqus(state) as dq:
        state.threads.append(DisqusThread(thread_id="7001", forum="testforum",
                                          identifier=f"101 {blog}/?p=101", link=f"{blog}/{POST.slug}/",
                                          posts=_posts()))
        world = World(blog, dq, state, state.threads[0], tmp_path)
        config = world.allowed(key=False)
        config.write_text(config.read_text().replace("use_rest = false\n", ""))
        archive = _crawl(world, config)
    assert _last_crawl(archive)["route"] == "pretty"
    assert set(archive["posts"]) == {"101"}
    assert {c.external_id for c in archive["comments"]} == {"501", "502", "503", "505"}
    assert not _last_crawl(archive).get("errors"), _last_crawl(archive).get("problems")


def _crawl(world: World, config: Path) -> dict[str, Any]:
    run = run_crawl(config, world.db)
    assert run.returncode == 0, run.stdout + run.stderr
    archive = read_archive(world.db)
    archive["stdout"] = run.stdout
    return archive


def _current(world: World) -> dict[str, Any]:
    engine = sa.create_engine(world.db)
    with engine.connect() as conn:
        rows = {r.external_id: r for r in conn.execute(sa.text(
            "SELECT c.external_id, v.author_raw, v.published_at, v.threaded_parent_external_id, "
            "v.body_text, v.own_text, v.deleted, v.version, a.external_id AS author_ext, "
            "v.removed_as, v.edited, v.edited_at "
            "FROM comment c JOIN comment_version v ON v.comment_id = c.id AND v.valid_to IS NULL "
            "LEFT JOIN author a ON a.id = v.author_id"))}
        edges = {(r.external_id, r.kind, r.target_external_id) for r in conn.execute(sa.text(
            "SELECT c.external_id, r.kind, r.target_external_id FROM reply r "
            "JOIN comment_version v ON v.id = r.comment_version_id AND v.valid_to IS NULL "
            "JOIN comment c ON c.id = v.comment_id WHERE r.valid_to IS NULL"))}
        quotes = {(r.external_id, r.source_kind, r.source_external_id) for r in conn.execute(sa.text(
            "SELECT c.external_id, q.source_kind, q.source_external_id FROM quote q "
            "JOIN comment_version v ON v.id = q.comment_version_id AND v.valid_to IS NULL "
            "JOIN comment c ON c.id = v.comment_id WHERE q.valid_to IS NULL"))}
    engine.dispose()
    return {"rows": rows, "edges": edges, "quotes": quotes}


def _last_crawl(archive: dict[str, Any]) -> dict[str, Any]:
    return stats_of(archive["crawls"][-1])


def test_embed_page_thread_is_archived_with_parents_authors_times_and_edges(world: World) -> None:
    _crawl(world, world.allowed(key=False))
    got = _current(world)
    rows = got["rows"]
    assert set(rows) == {"501", "502", "503", "505"}  # the spam post is never a comment
    assert rows["502"].author_raw == "Guest Bob" and rows["502"].author_ext is None
    assert rows["501"].author_ext == "anaruiz" and rows["503"].author_ext == "carlad"
    assert rows["502"].threaded_parent_external_id == "501"
    assert rows["501"].threaded_parent_external_id is None
    assert as_utc(rows["501"].published_at) == datetime(2025, 1, 10, 10, 0, tzinfo=UTC)
    assert rows["502"].own_text == "I disagree with you."
    assert ("502", "threaded", "501") in got["edges"]
    assert ("502", "at_reply", "501") in got["edges"]
    assert ("503", "comment", "501") in got["quotes"]
    stats = _last_crawl(read_archive(world.db))
    assert not stats.get("errors"), stats.get("problems")
    assert any(p.startswith("/embed/comments/?base=default&f=testforum&t_u=") for p in world.state.requests)


def test_embed_page_that_holds_only_part_of_the_thread_is_partial(world: World) -> None:
    world.state.embed_page = 2
    archive = _crawl(world, world.allowed(key=False))
    problems = _last_crawl(archive)["problems"]
    assert any("set disqus_api_key to read the rest" in p for p in problems), problems
    assert {c.external_id for c in archive["comments"]} == {"501", "502"}


def test_api_pages_429_and_a_second_crawl_record_exactly_the_changes(world: World) -> None:
    world.state.embed_page = 2  # with a key the embed page is not used at all
    world.state.api_page = 2
    world.state.throttle_once = 1
    _crawl(world, world.allowed(key=True))
    first = _current(world)
    assert set(first["rows"]) == {"501", "502", "503", "505"}
    # isEdited before the first crawl: the text archived is already an edited one.
    assert [bool(first["rows"][i].edited) for i in ("501", "505")] == [False, True]
    assert all(r.edited_at is None and r.removed_as is None for r in first["rows"].values())
    api = [(t, p) for t, p in zip(world.state.arrivals, world.state.requests, strict=True)
           if p.startswith("/api/3.0/threads/listPosts.json")]
    assert len(api) == 4, api  # the 429, then three pages of two
    assert api[1][0] - api[0][0] >= 0.9  # Retry-After: 1 was honoured
    assert not any(p.startswith("/embed/") for p in world.state.requests)

    posts = world.thread.posts
    posts[0]["message"] = "<p>The deportation flights are a costly policy failure.</p>"
    posts[0]["isEdited"] = True
    posts[2]["isDeleted"], posts[2]["message"] = True, ""
    posts.append(disqus_post("506", name="Ana Ruiz", username="anaruiz", parent="502", depth=2,
                             created="2025-01-11T08:00:00", message="<p>Fair enough.</p>"))
    _crawl(world, world.allowed(key=True))
    second = _current(world)
    rows = second["rows"]
    assert rows["501"].version == 2 and "costly" in rows["501"].body_text
    assert rows["503"].deleted and rows["503"].version == 2 and rows["503"].removed_as == "deleted"
    assert bool(rows["501"].edited) and rows["501"].edited_at is None  # Disqus gives no edit time
    assert rows["506"].version == 1 and rows["506"].threaded_parent_external_id == "502"
    assert rows["502"].version == 1 and rows["505"].version == 1  # nothing else changed
    assert ("506", "threaded", "502") in second["edges"]
    assert ("506", "at_reply", "502") not in second["edges"]  # no @ in it: threaded only

    versions = read_archive(world.db)["counts"]["comment_version"]
    third = _crawl(world, world.allowed(key=True))  # nothing changed: nothing recorded
    assert third["counts"]["comment_version"] == versions
    assert _last_crawl(third).get("threads_unchanged") == 1

    posts[4]["isSpam"] = True  # 505, on the last page, marked spam by a moderator
    _crawl(world, world.allowed(key=True))
    # The first page and the total are unchanged: they vouch for the later pages, which
    # are not read, so the mark waits for the next full read (docs/disqus.md, Recrawls).
    assert _current(world)["rows"]["505"].version == 1
    posts.append(disqus_post("507", name="Ana Ruiz", username="anaruiz", parent=None, depth=0,
                             created="2025-01-12T08:00:00", message="<p>Still here.</p>"))
    _crawl(world, world.allowed(key=True))  # a new post changes the total: read whole
    spam = _current(world)["rows"]["505"]
    assert (bool(spam.deleted), spam.removed_as, spam.version) == (True, "spam", 2)


def test_a_cursor_that_fails_mid_thread_records_a_partial_thread_and_no_deletion(world: World) -> None:
    world.state.api_page = 2
    _crawl(world, world.allowed(key=True))
    world.state.fail_cursor = "2:0:0"
    world.thread.posts[0]["message"] = "<p>Changed while the crawl broke.</p>"
    archive = _crawl(world, world.allowed(key=True))
    rows = _current(world)["rows"]
    assert not any(r.deleted for r in rows.values())  # 503 and 505 sit on the lost pages
    assert set(rows) == {"501", "502", "503", "505"}
    assert rows["501"].version == 2  # what was read is kept
    problems = _last_crawl(archive)["problems"]
    assert any("cursor=2%3A0%3A0" in p for p in problems), problems


def test_an_empty_page_that_still_says_has_next_is_a_partial_thread(world: World) -> None:
    world.state.api_page = 2
    _crawl(world, world.allowed(key=True))
    world.state.empty_cursor = "2:0:0"
    # A changed first page, so the thread is read past it (unchanged, it vouches for the rest).
    world.thread.posts[0]["message"] = "<p>Changed while the cursor broke.</p>"
    archive = _crawl(world, world.allowed(key=True))
    rows = _current(world)["rows"]
    assert not any(r.deleted for r in rows.values())
    problems = _last_crawl(archive)["problems"]
    assert any("Disqus says more posts follow" in p for p in problems), problems


def test_without_disqus_allowed_the_summary_and_inspect_say_the_comments_are_in_disqus(world: World) -> None:
    archive = _crawl(world, world.config(""))
    assert "comments are loaded by Disqus (forum 'testforum'): not in the HTML" in archive["stdout"]
    assert archive["comments"] == []
    assert not any(p.startswith("/embed/") for p in world.state.requests)
    engine = sa.create_engine(world.db)
    with engine.connect() as conn:
        complete = conn.execute(sa.text("SELECT last_complete_crawl_id FROM post_state")).scalars().all()
    engine.dispose()
    assert complete == [None]  # partial: not a thread of 0 comments
    assert _last_crawl(archive)["threads_partial"] == 1
    url = f"{world.blog}/{POST.slug}/"
    done = subprocess.run([sys.executable, "-m", "cli", "inspect", url], cwd=REPO, check=False,
                          capture_output=True, text=True, timeout=60)
    assert "comments are loaded by Disqus (forum 'testforum'): not in the HTML" in done.stdout, done


def test_inspect_with_the_source_reads_the_disqus_thread(world: World) -> None:
    url = f"{world.blog}/{POST.slug}/"
    done = subprocess.run([sys.executable, "-m", "cli", "inspect", url, "--config",
                           str(world.allowed(key=False)), "--source", "dqblog"], cwd=REPO, check=False,
                          capture_output=True, text=True, timeout=60)
    out = done.stdout
    assert "comments from: Disqus, 1 page" in out, done
    assert "comments read: 4 (Disqus says 4)" in out
    assert "#502 Guest Bob" in out and "reply to 501" in out
    assert "problems: none" in out
