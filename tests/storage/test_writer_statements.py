"""The writer's statements where their shape matters: many authors, edges of versions
written at one time (SQLite and PostgreSQL); the fast UTC text is format_utc's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from storage.archive import Archive
from storage.models import UTCDateTime, format_utc
from storage.timestamps import utc_text
from tests.factories import (
    at,
    make_comment,
    make_quote,
    make_reply,
    make_thread,
    record,
)


def rows(engine: sa.Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def test_many_authors_in_one_thread(archive: Archive, engine: sa.Engine, crawl: Any) -> None:
    n = 35
    # Names whose stored key differs from the record's (NUL), and one author twice.
    names = [f"Person {i}" for i in range(n)] + ["Nul\x00Name", "Person 0"]
    comments = [make_comment(str(i + 1), author=name) for i, name in enumerate(names)]
    record(archive, make_thread(comments), crawl())
    found = rows(
        engine,
        "SELECT cv.author_raw, a.display_name, a.key FROM comment_version cv "
        "JOIN author a ON a.id = cv.author_id ORDER BY cv.id",
    )
    assert len(found) == len(names)
    for raw, display, key in found:
        assert raw == display
        assert key == " ".join(raw.split()).casefold()
    assert rows(engine, "SELECT count(*) FROM author WHERE key LIKE 'person%'") == [(n,)]


def test_edges_go_to_the_versions_written_now(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    first = [
        make_comment("1", parent=None, quotes=(make_quote("first quote"),)),
        make_comment("2", parent="1"),
    ]
    record(archive, make_thread(first, fetched_at=at(1)), crawl())
    # The same time again (a second snapshot of one crawl): comment 1 changed, 2 not.
    again = [
        make_comment("1", "Changed.", quotes=(make_quote("second quote"),)),
        make_comment("2", parent="1", replies=(make_reply("1"),)),
    ]
    result = record(archive, make_thread(again, fetched_at=at(1)), crawl())
    assert (result.new_comment_versions, result.unchanged_comments) == (1, 1)
    quotes = rows(
        engine,
        "SELECT c.external_id, cv.version, q.quoted_text FROM quote q "
        "JOIN comment_version cv ON cv.id = q.comment_version_id "
        "JOIN comment c ON c.id = cv.comment_id ORDER BY cv.version",
    )
    assert quotes == [("1", 1, "first quote"), ("1", 2, "second quote")]
    replies = rows(
        engine,
        "SELECT c.external_id, cv.version, r.target_external_id FROM reply r "
        "JOIN comment_version cv ON cv.id = r.comment_version_id "
        "JOIN comment c ON c.id = cv.comment_id",
    )
    assert replies == [("2", 1, "1")]


class Moment(datetime):
    """A datetime subclass: not the fast path's plain datetime."""


zones = st.sampled_from(
    [None, UTC, timezone(timedelta(0)), timezone(timedelta(hours=5, minutes=30)),
     ZoneInfo("UTC"), ZoneInfo("America/New_York"), ZoneInfo("Europe/Madrid")]
)  # fmt: skip
times = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=zones
) | st.datetimes(timezones=st.just(UTC)).map(
    lambda d: Moment.fromisoformat(d.isoformat())
)


@settings(max_examples=500, deadline=None)
@given(times)
def test_utc_text_is_format_utc(value: datetime) -> None:
    assert utc_text(value) == format_utc(value)


@settings(max_examples=300, deadline=None)
@given(st.none() | times | st.dates() | st.text(max_size=5))
def test_sqlite_bind_is_format_utc(value: Any) -> None:
    dialect = sqlite.dialect()
    bind = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert bind is not None

    def reference(v: Any) -> Any:
        if v is None:
            return None
        if not isinstance(v, datetime):
            raise TypeError("not a datetime")
        return format_utc(v)

    def outcome(process: Any) -> Any:
        try:
            return process(value)
        except TypeError:
            return TypeError

    assert outcome(bind) == outcome(reference)
    if isinstance(value, date) and not isinstance(value, datetime):
        assert outcome(bind) is TypeError  # refused, as a date is not a time
