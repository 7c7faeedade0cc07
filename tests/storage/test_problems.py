"""A thread's problems are stored with it, and the thread_problems view shows them."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from storage.archive import Archive
from storage.models import UTCDateTime
from tests.factories import SOURCE_KEY, at, make_comment, make_post, make_thread, record


@pytest.fixture
def crawl(archive: Archive) -> Any:
    archive.ensure_source(SOURCE_KEY, "Test blog", "https://blog.example/", "wordpress")
    return lambda: archive.start_crawl(SOURCE_KEY, "test")


def problems(engine: sa.Engine) -> list[tuple[Any, ...]]:
    query = sa.text(
        "SELECT source_key, post_external_id, url, crawl_id, crawl_started_at, problem"
        " FROM thread_problems ORDER BY crawl_id, post_external_id, ordinal"
    ).columns(crawl_started_at=UTCDateTime())
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def test_problems_are_stored_per_crawl_and_thread(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    first, second = crawl(), crawl()
    broken = ("https://blog.example/?p=100&cpage=2: HTTP 503",
              "https://blog.example/?p=100: captured 1 comments, the site says 2")  # fmt: skip
    record(archive, make_thread([make_comment("1")], complete=False, problems=broken), first)
    record(archive, make_thread(post=make_post("101")), first)  # no problems: no rows
    nul = ("https://blog.example/?p=100: a \x00 in the page",)
    record(archive, make_thread([make_comment("1")], complete=False, problems=nul,
                                fetched_at=at(1)), second)  # fmt: skip
    url = "https://blog.example/?p=100"
    found = problems(engine)
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in found] == [
        (SOURCE_KEY, "100", url, first, broken[0]),
        (SOURCE_KEY, "100", url, first, broken[1]),
        (SOURCE_KEY, "100", url, second, "https://blog.example/?p=100: a \ufffd in the page"),
    ]
    assert all(r[4] is not None for r in found)
    # The same thread recorded again by one crawl: its problems are the last write's.
    again = ("https://blog.example/?p=100&cpage=2: timeout",)
    record(archive, make_thread([make_comment("1")], complete=False, problems=again,
                                fetched_at=at(1)), second)  # fmt: skip
    assert [r[5] for r in problems(engine) if r[3] == second] == [again[0]]
