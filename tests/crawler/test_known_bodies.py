"""`load_known_posts` reads, for each post, the body hash of each thread page at its last
complete crawl (crawler.recrawl): what lets a byte-identical 200 count as a 304."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from crawler.recrawl import load_known_posts
from storage.archive import Archive
from storage.records import PageState
from tests.factories import BASE_TIME, SOURCE_KEY, make_comment, make_fetch, make_post, make_thread

POST_URL = "https://blog.example/?p=100"
PAGE_2 = "https://blog.example/?p=100&cpage=2"
PAGES = (PageState(url=POST_URL, fingerprint="f1"), PageState(url=PAGE_2, fingerprint="f2"))


@pytest.fixture
def crawl(archive: Archive) -> Any:
    archive.ensure_source(SOURCE_KEY, "Test blog", "https://blog.example/", "wordpress")
    return lambda: archive.start_crawl(SOURCE_KEY, "test")


def _complete(archive: Archive, crawl_id: int, *, post: Any = None, days: int = 0) -> None:
    thread = make_thread([make_comment("1")], post=post or make_post(), fingerprint="t",
                         page_states=PAGES, fetched_at=BASE_TIME + timedelta(days=days))
    archive.record(thread, crawl_id)


def test_bodies_of_the_last_complete_crawl(archive: Archive, engine: Any, crawl: Any) -> None:
    first = crawl()
    archive.record_fetches(first, [make_fetch(POST_URL, sha256="a" * 64), make_fetch(PAGE_2, sha256="b" * 64)])
    _complete(archive, first)
    known = load_known_posts(engine, SOURCE_KEY).get("100")
    assert known is not None
    assert known.same_body(POST_URL + "#comments", "a" * 64) and known.same_body(PAGE_2, "b" * 64)
    assert not known.same_body(POST_URL, "b" * 64)

    # The next complete crawl got a 304 for the post page and the same page 2 twice, once
    # with another body: neither has a body to compare with any more.
    second = crawl()
    archive.record_fetches(second, [make_fetch(POST_URL, status=304, sha256="c" * 64),
                                    make_fetch(PAGE_2, sha256="b" * 64), make_fetch(PAGE_2, sha256="d" * 64)])
    _complete(archive, second, days=1)
    known = load_known_posts(engine, SOURCE_KEY).get("100")
    assert known is not None and known.bodies == {}


def test_no_bodies_once_a_partial_crawl_wrote_a_newer_post_version(
    archive: Archive, engine: Any, crawl: Any
) -> None:
    """Page bodies A (complete), B (partial: a new post version), A again: an identical
    body no longer means an unchanged post, so nothing may be skipped."""
    first = crawl()
    archive.record_fetches(first, [make_fetch(POST_URL, sha256="a" * 64)])
    _complete(archive, first)
    partial = crawl()
    edited = replace(make_post(), title="Edited")
    archive.record(make_thread([make_comment("1")], post=edited, complete=False,
                               fetched_at=BASE_TIME + timedelta(days=1)), partial)
    known = load_known_posts(engine, SOURCE_KEY).get("100")
    assert known is not None and known.last_complete_crawl_id == first
    assert known.bodies == {}
