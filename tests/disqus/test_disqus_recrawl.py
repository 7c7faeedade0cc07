"""Recrawls of a Disqus blog: an unchanged thread costs its first Disqus page, no more.

With the source's key a thread's first listPosts page states `cursor.total` beside its
posts, so when it fingerprints as at the last complete crawl it vouches for the later
pages, which are not asked (crawler.thread_fetch). The local Disqus (tests/disqus/server.py)
logs every request: the tests count them. Its threads here have three listPosts pages of
two posts (501 502 | 503 504-spam | 505).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tests.crawler.crawling import read_archive
from tests.disqus.server import DisqusState, serve_blog, serve_disqus
from tests.disqus.test_disqus_crawl import POST, World, _crawl, _current, _last_crawl, _posts
from tests.disqus.threads import DisqusThread, disqus_post

LIST_POSTS = "/api/3.0/threads/listPosts.json"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """The blog and Disqus of test_disqus_crawl, with the same thread."""
    state = DisqusState()
    with serve_blog([POST]) as blog, serve_disqus(state) as dq:
        thread = DisqusThread(thread_id="7001", forum="testforum", identifier=f"101 {blog}/?p=101",
                              link=f"{blog}/{POST.slug}/", posts=_posts())
        state.threads.append(thread)
        yield World(blog, dq, state, thread, tmp_path)


def _asked(world: World) -> Counter[str]:
    """The Disqus requests of the last crawl, by path and cursor ("" for a first page),
    but for robots.txt (asked once a crawl)."""
    asked: Counter[str] = Counter()
    for path in world.state.requests:
        parts = urlsplit(path)
        if parts.path == "/robots.txt":
            continue
        cursor = parse_qs(parts.query).get("cursor", [""])[0]
        asked[f"{parts.path} {cursor}".rstrip()] += 1
    return asked


def _second_crawl(world: World, *, key: bool = True) -> dict[str, Any]:
    world.state.requests.clear()
    return _crawl(world, world.allowed(key=key))


def _complete_crawl_ids(world: World) -> list[int | None]:
    engine = sa.create_engine(world.db)
    with engine.connect() as conn:
        ids = conn.execute(sa.text("SELECT last_complete_crawl_id FROM post_state")).scalars().all()
    engine.dispose()
    return list(ids)


def test_an_unchanged_thread_costs_one_listposts_request_and_writes_nothing(world: World) -> None:
    world.state.api_page = 2
    first = _crawl(world, world.allowed(key=True))
    assert _asked(world)[f"{LIST_POSTS} 2:0:0"] == 1  # the first crawl read all three pages
    second = _second_crawl(world)
    assert _asked(world) == Counter({LIST_POSTS: 1}), world.state.requests
    assert second["counts"]["comment_version"] == first["counts"]["comment_version"]
    assert second["counts"]["post_version"] == first["counts"]["post_version"]
    stats = _last_crawl(second)
    assert stats["threads_unchanged"] == 1 and stats["threads_vouched"] == 1
    assert stats["pages_vouched"] == 2
    assert not stats.get("errors"), stats.get("problems")
    # The vouched pages' states are carried forward: a third crawl is as cheap.
    _second_crawl(world)
    assert _asked(world) == Counter({LIST_POSTS: 1})
    assert _complete_crawl_ids(world) == [3]


def _full_read_days_ago(world: World, days: int) -> list[Any]:
    """Move the thread's last full read back `days` days; the last full reads as stored."""
    engine = sa.create_engine(world.db)
    with engine.begin() as conn:
        before = conn.execute(sa.text("SELECT last_full_at FROM post_state")).scalars().all()
        for value in before:
            conn.execute(sa.text("UPDATE post_state SET last_full_at = :t"),
                         {"t": _as_time(value) - timedelta(days=days)})
    engine.dispose()
    return list(before)


def _as_time(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def test_a_week_after_the_last_full_read_the_thread_is_read_whole(world: World) -> None:
    # What the first page cannot show (a moderator's spam mark on the last page) is
    # recorded by the full read that comes at most FULL_READ_EVERY after the last one.
    world.state.api_page = 2
    _crawl(world, world.allowed(key=True))
    world.thread.posts[4]["isSpam"] = True  # 505, on the third page
    _second_crawl(world)  # the last full read is fresh: the first page vouches
    assert _asked(world) == Counter({LIST_POSTS: 1})
    assert _current(world)["rows"]["505"].version == 1
    stored = _full_read_days_ago(world, 6)  # six days: still fresh
    assert stored[0] is not None, "the vouched crawl keeps the last full read, it does not clear it"
    _second_crawl(world)
    assert _asked(world) == Counter({LIST_POSTS: 1})
    _full_read_days_ago(world, 2)  # eight days in all: due
    _second_crawl(world)
    assert _asked(world)[f"{LIST_POSTS} 4:0:0"] == 1, world.state.requests  # every page fetched
    spam = _current(world)["rows"]["505"]
    assert (bool(spam.deleted), spam.removed_as, spam.version) == (True, "spam", 2)
    _second_crawl(world)  # the full read just now is fresh again: one request
    assert _asked(world) == Counter({LIST_POSTS: 1})


def test_without_a_key_an_unchanged_thread_costs_its_embed_page(world: World) -> None:
    first = _crawl(world, world.allowed(key=False))
    second = _second_crawl(world, key=False)
    assert _asked(world) == Counter({"/embed/comments/": 1})
    assert second["counts"]["comment_version"] == first["counts"]["comment_version"]
    assert _last_crawl(second)["threads_unchanged"] == 1


def _reply(posts: list[dict[str, Any]]) -> None:
    posts.append(disqus_post("506", name="Ana Ruiz", username="anaruiz", parent="505", depth=1,
                             created="2025-01-11T08:00:00", message="<p>Late reply.</p>"))


def _edit(posts: list[dict[str, Any]]) -> None:
    posts[0]["message"], posts[0]["isEdited"] = "<p>The flights are a costly failure.</p>", True


def _delete_dropped(posts: list[dict[str, Any]]) -> None:
    del posts[4]  # 505 had no replies: Disqus lists it no more (the total drops)


def _delete_placeholder(posts: list[dict[str, Any]]) -> None:
    posts[0]["isDeleted"], posts[0]["message"] = True, ""  # 501 keeps its place for 502


@pytest.mark.parametrize(("change", "expected"), [
    (_reply, {"506": (1, False)}),
    (_edit, {"501": (2, False)}),
    (_delete_dropped, {"505": (2, True)}),
    (_delete_placeholder, {"501": (2, True)}),
], ids=["new-reply-on-the-last-page", "edit", "deletion", "deletion-kept-as-placeholder"])
def test_a_change_makes_the_recrawl_read_the_thread_and_record_exactly_it(
    world: World, change: Callable[[list[dict[str, Any]]], None], expected: dict[str, tuple[int, bool]],
) -> None:
    world.state.api_page = 2
    first = _crawl(world, world.allowed(key=True))
    before = _current(world)["rows"]
    change(world.thread.posts)
    second = _second_crawl(world)
    asked = _asked(world)
    assert asked[LIST_POSTS] == 1 and asked[f"{LIST_POSTS} 2:0:0"] == 1, asked  # read past page 1
    rows = _current(world)["rows"]
    for cid, row in rows.items():
        version, deleted = expected.get(cid, (before[cid].version if cid in before else 1, False))
        assert (row.version, bool(row.deleted)) == (version, deleted), cid
    assert set(rows) == set(before) | set(expected)
    added = second["counts"]["comment_version"] - first["counts"]["comment_version"]
    assert added == len(expected)
    stats = _last_crawl(second)
    assert not stats.get("threads_vouched") and not stats.get("errors"), stats.get("problems")


def test_a_changed_count_with_a_failed_later_page_stays_partial_and_infers_no_deletion(world: World) -> None:
    world.state.api_page = 2
    _crawl(world, world.allowed(key=True))
    _reply(world.thread.posts)
    world.state.fail_cursor = "2:0:0"  # 503 and 504 are on the lost page
    second = _second_crawl(world)
    rows = _current(world)["rows"]
    assert not any(r.deleted for r in rows.values())
    assert {"501", "502", "503", "505"} <= set(rows)
    stats = _last_crawl(second)
    assert stats["threads_partial"] == 1 and not stats.get("threads_vouched")
    assert any("cursor=2%3A0%3A0" in p for p in stats["problems"]), stats["problems"]
    assert _complete_crawl_ids(world) == [1]  # the last complete crawl is still the first


def test_after_a_partial_check_the_thread_is_read_whole(world: World) -> None:
    world.state.api_page = 2
    _crawl(world, world.allowed(key=True))
    world.state.fail_cursor = ""  # the first page fails: partial, nothing written
    second = _second_crawl(world)
    assert _last_crawl(second)["threads_partial"] == 1
    world.state.fail_cursor = None
    # An edit on the last page: the first page cannot show it, a whole read does.
    world.thread.posts[4]["message"], world.thread.posts[4]["isEdited"] = "<p>Edited again.</p>", True
    third = _second_crawl(world)
    assert _asked(world)[f"{LIST_POSTS} 4:0:0"] == 1, _asked(world)
    assert _current(world)["rows"]["505"].version == 2
    stats = _last_crawl(third)
    assert not stats.get("threads_vouched") and not stats.get("errors"), stats.get("problems")
    assert read_archive(world.db)["counts"]["comment_version"] == 5
