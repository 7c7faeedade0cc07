"""Any text survives a write and a read unchanged (Hypothesis), on both databases."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.archive import Archive
from storage.models import Comment, CommentVersion, Post, PostVersion, Quote
from tests.factories import SOURCE_KEY, make_comment, make_post, make_quote, make_thread, record

# Every code point but NUL (PostgreSQL text cannot hold it; see docs/schema.md) and
# lone surrogates (not encodable text): control characters, RTL marks, emoji included.
any_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"))
any_time = st.datetimes(
    min_value=datetime(1000, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.just(UTC)
)
ids = itertools.count(1)


@pytest.fixture
def crawl_id(archive: Archive) -> int:
    archive.ensure_source(SOURCE_KEY, "Test blog", "https://blog.example/", "wordpress")
    return archive.start_crawl(SOURCE_KEY, "test")


def read_back(archive: Archive, post_external_id: str) -> tuple[Any, Any, list[str]]:
    """The post's and its comment's first version, and the comment's quotes."""
    post_t, comment_t = Post.__table__, Comment.__table__
    pv, cv, q = PostVersion.__table__.c, CommentVersion.__table__.c, Quote.__table__.c
    with archive.engine.connect() as conn:
        post_id = conn.execute(
            sa.select(post_t.c.id).where(post_t.c.external_id == post_external_id)
        ).scalar_one()
        post = conn.execute(
            sa.select(
                pv.title, pv.body_text, pv.body_html, pv.author_raw, pv.tags, pv.published_at
            ).where(pv.post_id == post_id)
        ).one()
        comment = conn.execute(
            sa.select(
                cv.id,
                cv.author_raw,
                cv.body_text,
                cv.own_text,
                cv.body_html,
                cv.published_at,
                cv.author_url,
            )
            .join(comment_t, comment_t.c.id == cv.comment_id)
            .where(comment_t.c.post_id == post_id)
        ).one()
        quotes = (
            conn.execute(sa.select(q.quoted_text).where(q.comment_version_id == comment.id))
            .scalars()
            .all()
        )
    return post, comment, list(quotes)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    title=any_text,
    body=any_text,
    author=any_text,
    url=st.none() | any_text,
    tag=any_text,
    quoted=any_text,
    when=any_time,
)
def test_any_text_round_trips(
    archive: Archive,
    crawl_id: int,
    title: str,
    body: str,
    author: str,
    url: str | None,
    tag: str,
    quoted: str,
    when: datetime,
) -> None:
    post_id = f"p{next(ids)}"
    post = make_post(
        post_id,
        title=title,
        body_text=body,
        body_html=body,
        author_raw=author,
        tags=(tag,),
        published_at=when,
    )
    comment = make_comment(
        "1",
        body,
        author=author,
        author_key=author,
        author_url=url,
        own_text=body,
        body_html=body,
        published_at=when,
        quotes=(make_quote(quoted),),
    )
    record(archive, make_thread([comment], post=post), crawl_id)
    p, c, quotes = read_back(archive, post_id)
    assert (p.title, p.body_text, p.body_html, p.author_raw, p.published_at) == (
        title,
        body,
        body,
        author,
        when,
    )
    assert (p.tags if isinstance(p.tags, list) else None) == [tag]
    assert (c.author_raw, c.body_text, c.own_text, c.body_html, c.author_url, c.published_at) == (
        author,
        body,
        body,
        body,
        url,
        when,
    )
    assert quotes == [quoted]


def test_one_megabyte_bodies_round_trip(archive: Archive, crawl_id: int) -> None:
    big = ("Ünïcödé ✓ \u202e\x01\x1f\r\n" * 60_000)[:1_048_576]
    html = f"<p>{big}</p>"
    record(
        archive,
        make_thread(
            [make_comment("1", big, body_html=html, own_text=big)],
            post=make_post("big", body_text=big, body_html=html),
        ),
        crawl_id,
    )
    p, c, _ = read_back(archive, "big")
    assert p.body_text == big and p.body_html == html
    assert c.body_text == big and c.own_text == big and c.body_html == html
