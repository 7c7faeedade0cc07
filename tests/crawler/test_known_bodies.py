"""`Archive.known_posts` reads, for each post, the body hash of each thread page at its last
complete crawl (post_state.pages, crawler.recrawl): what lets a byte-identical 200 count
as a 304."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from crawler.recrawl import KnownPosts
from storage.archive import Archive
from storage.records import PageState
from tests.factories import BASE_TIME, SOURCE_KEY, make_comment, make_post, make_thread, record

POST_URL = "https://blog.example/?p=100"
PAGE_2 = "https://blog.example/?p=100&cpage=2"
PAGES = (PageState(url=POST_URL, fingerprint="f1", sha256="a" * 64),
         PageState(url=PAGE_2, fingerprint="f2", sha256="b" * 64))


def _complete(archive: Archive, crawl_id: int, *, post: Any = None, days: int = 0,
              pages: tuple[PageState, ...] = PAGES) -> None:
    thread = make_thread([make_comment("1")], post=post or make_post(),
                         fetched_at=BASE_TIME + timedelta(days=days))
    record(archive, thread, crawl_id, fingerprint="t", pages=pages)


def test_bodies_of_the_last_complete_crawl(archive: Archive, engine: Any, crawl: Any) -> None:
    _complete(archive, crawl())
    known = KnownPosts.from_list(archive.known_posts(SOURCE_KEY)).get("100")
    assert known is not None
    assert known.same_body(POST_URL + "#comments", "a" * 64) and known.same_body(PAGE_2, "b" * 64)
    assert not known.same_body(POST_URL, "b" * 64)

    # The next complete crawl kept the post page's hash (a 304 carries it forward) and
    # knew none for page 2: only the post page has a body to compare with.
    _complete(archive, crawl(), days=1, pages=(PAGES[0], replace(PAGES[1], sha256=None)))
    known = KnownPosts.from_list(archive.known_posts(SOURCE_KEY)).get("100")
    assert known is not None and known.bodies == {"https://blog.example/?p=100": "a" * 64}


def test_no_bodies_once_a_partial_crawl_wrote_a_newer_post_version(
    archive: Archive, engine: Any, crawl: Any
) -> None:
    """Page bodies A (complete), B (partial: a new post version), A again: an identical
    body no longer means an unchanged post, so nothing may be skipped."""
    first = crawl()
    _complete(archive, first)
    partial = crawl()
    edited = replace(make_post(), title="Edited")
    record(archive, make_thread([make_comment("1")], post=edited, complete=False,
                               fetched_at=BASE_TIME + timedelta(days=1)), partial)
    known = KnownPosts.from_list(archive.known_posts(SOURCE_KEY)).get("100")
    assert known is not None and known.last_complete_crawl_id == first
    assert known.bodies == {}
