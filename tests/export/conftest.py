"""A small archive with history, for the export, sql --as-of, serve and report tests.

Three nights of one blog (`test-blog`) and one night of a second (`other-blog`):

- night 0: post 100 with comments 1-4 (threaded replies, an @-reply, a mention, a
  quote); post 200 with comment 10.
- night 1: comment 2 edited; comment 5 added (answers @Zorblat Quux); post 100's title
  edited.
- night 2: comment 3 gone from a complete thread (tombstone); post 200 gone entirely.

Author names are unusual on purpose, so the pseudonymization test can grep for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from storage.archive import Archive
from storage.engine import open_engine
from tests.conftest import grant_reader
from tests.factories import at, make_comment, make_post, make_quote, make_reply, make_thread, record

AUTHORS = ("Zorblat Quux", "Mirabel Fennimore", "Quillon Drax", "Ottoline Vexby", "Ada Editor")


@dataclass(frozen=True)
class SampleArchive:
    """A recorded archive and the times worth asking about."""

    url: str
    night0: datetime
    night1: datetime
    night2: datetime
    post_id: int  # archive id of post 100


def _night0() -> list[Any]:
    comments = [
        make_comment("1", "First! The CECOT story matters.", author="Zorblat Quux"),
        make_comment(
            "2",
            "@Zorblat Quux: agreed, and see the flight logs.",
            author="Mirabel Fennimore",
            parent="1",
            own_text="agreed, and see the flight logs.",
        ),
        make_comment(
            "3",
            "Quoting the post: deportation flights. Ask Quillon Drax about it, @mirabel fennimore.",
            author="Ottoline Vexby",
            quotes=(make_quote("deportation flights"),),
            replies=(
                make_reply("2", kind="mention", raw_name="mirabel fennimore", resolved_by="name"),
            ),
        ),
        make_comment(
            "4",
            "@Quillon Drax is wrong about Guantanamo; <b>see</b> the record.",
            author="Quillon Drax",
            parent="1",
            body_html='<p><a href="https://people.example/quillon-drax/">@Quillon Drax</a> wrong</p>',
            replies=(
                make_reply("1"),
                make_reply("", kind="at_reply", ordinal=1, raw_name="Quillon Drax",
                           target_kind=None, target_external_id=None, resolved_by=None),
            ),
            author_url="https://people.example/quillon-drax/",
        ),
    ]
    other = [make_comment("10", "A reply on the second post.", author="Mirabel Fennimore")]
    return [
        make_thread(comments, post=make_post("100"), fetched_at=at(0)),
        make_thread(other, post=make_post("200", title="Second post"), fetched_at=at(0)),
    ]


def _night1_comments(first: Any) -> list[Any]:
    comments = list(first.comments)
    comments[1] = make_comment(
        "2", "@Zorblat Quux: agreed (edited), and see the flight logs.",
        author="Mirabel Fennimore", parent="1",
    )
    comments.append(
        make_comment("5", "@Zorblat Quux thanks for this.", author="Ada Editor",
                     replies=(make_reply("1", kind="at_reply", raw_name="Zorblat Quux",
                                         resolved_by="name"),))
    )
    return comments


def night2_thread(night: int = 2) -> Any:
    """Post 100 as night 2 saw it (comment 3 gone); `night` moves its fetch time, for a
    recrawl of the unchanged thread."""
    first, _ = _night0()
    without_3 = [c for c in _night1_comments(first) if c.external_id != "3"]
    return make_thread(without_3, post=make_post("100", title="Post 100 (updated)"),
                       fetched_at=at(night))


def record_sample(url: str) -> SampleArchive:
    """Record the three nights into the (empty) archive at `url`."""
    engine = open_engine(url)
    archive = Archive(engine)
    archive.ensure_source("test-blog", "Test blog", "https://blog.example/", "wordpress")
    archive.ensure_source("other-blog", "Other blog", "https://other.example/", "wordpress")

    crawl = archive.start_crawl("test-blog", "test")
    first, second = _night0()
    record(archive, first, crawl)
    record(archive, second, crawl)
    archive.finish_crawl(crawl, "ok", {"threads": 2})

    crawl = archive.start_crawl("test-blog", "test")
    comments = _night1_comments(first)
    record(
        archive,
        make_thread(comments, post=make_post("100", title="Post 100 (updated)"), fetched_at=at(1)),
        crawl,
    )
    record(archive, make_thread(second.comments, post=second.post, fetched_at=at(1)), crawl)
    archive.finish_crawl(crawl, "ok", {"threads": 2})

    crawl = archive.start_crawl("test-blog", "test")
    record(archive, night2_thread(), crawl)
    archive.finish_crawl(crawl, "ok", {"threads": 1})

    crawl = archive.start_crawl("other-blog", "test")
    record(
        archive,
        make_thread([make_comment("7", "Elsewhere.", author="Quillon Drax")],
                    post=make_post("300", url="https://other.example/?p=300"),
                    source_key="other-blog", fetched_at=at(0, 3)),
        crawl,
    )
    archive.finish_crawl(crawl, "ok", {"threads": 1})

    with engine.connect() as conn:
        post_id = conn.exec_driver_sql(
            "SELECT post_id FROM current_posts WHERE external_id = '100'"
        ).scalar_one()
    grant_reader(engine)
    engine.dispose()
    return SampleArchive(url=url, night0=at(0, 1), night1=at(1, 1), night2=at(2, 1), post_id=post_id)


@pytest.fixture
def sample(db_url: str) -> Iterator[SampleArchive]:
    yield record_sample(db_url)


@pytest.fixture
def sqlite_sample(sqlite_url: str) -> Iterator[SampleArchive]:
    yield record_sample(sqlite_url)
