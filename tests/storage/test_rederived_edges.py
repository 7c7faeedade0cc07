"""Edges derived anew (a quote attributed to another source, an @-name that now resolves)
are recorded on the edge rows, never as a new version of the unchanged comment."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from storage.archive import Archive
from storage.export.asof import snapshot_connection
from tests.factories import at, make_comment, make_quote, make_reply, make_thread, record


def rows(engine: sa.Engine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params)]


def _quoting(source: str, *, resolved: bool) -> Any:
    at_reply = make_reply("1", kind="at_reply", raw_name="Ana") if resolved else make_reply(
        "", kind="at_reply", raw_name="Ana", target_kind=None, target_external_id=None,
        resolved_by=None,
    )  # fmt: skip
    return make_comment(
        "3", "@Ana: yes. the rule of law", author="Cy",
        replies=(at_reply,),
        quotes=(make_quote("the rule of law", source_kind="comment", source_external_id=source),),
    )  # fmt: skip


def _thread(day: int, source: str, *, resolved: bool = True, complete: bool = True) -> Any:
    comments = [make_comment("1", author="Ana"), make_comment("2", author="Ben"),
                _quoting(source, resolved=resolved)]  # fmt: skip
    return make_thread(comments, fetched_at=at(day), complete=complete)


def test_a_quote_attributed_anew_is_no_version(archive: Archive, engine: sa.Engine, crawl: Any) -> None:
    first = record(archive, _thread(0, "1"), crawl())
    assert first.new_comment_versions == 3
    again = record(archive, _thread(1, "2", resolved=False), crawl())
    assert (again.new_comment_versions, again.rederived_comments) == (0, 1)
    back = record(archive, _thread(2, "1"), crawl())
    assert (back.new_comment_versions, back.rederived_comments) == (0, 1)

    assert rows(engine, "SELECT version FROM comment_history WHERE external_id = '3'") == [(1,)]
    assert rows(engine, "SELECT kind FROM changes WHERE comment_external_id = '3'") == [("added",)]
    # Every derivation is on record, the current one valid from the last crawl.
    assert sorted(rows(engine, "SELECT source_external_id, valid_to IS NULL FROM quote")) == [
        ("1", 0), ("1", 1), ("2", 0)
    ]
    assert rows(engine, "SELECT source_external_id FROM comment_quotes") == [("1",)]
    assert rows(engine, "SELECT target_external_id FROM comment_replies WHERE kind = 'at_reply'") == [("1",)]
    assert rows(engine, "SELECT count(*) FROM reply WHERE valid_to IS NOT NULL") == [(2,)]


def test_the_archive_as_of_a_date_shows_the_edges_of_then(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    record(archive, _thread(0, "1"), crawl())
    record(archive, _thread(1, "2"), crawl())
    with snapshot_connection(engine, at(0, 12)) as conn:
        then = conn.execute(sa.text("SELECT source_external_id FROM comment_quotes")).all()
    assert [tuple(r) for r in then] == [("1",)]
    assert rows(engine, "SELECT source_external_id FROM comment_quotes") == [("2",)]


def test_a_partial_thread_rederives_nothing(archive: Archive, engine: sa.Engine, crawl: Any) -> None:
    record(archive, _thread(0, "1"), crawl())
    partial = record(archive, _thread(1, "2", complete=False), crawl())
    assert (partial.new_comment_versions, partial.rederived_comments) == (0, 0)
    assert rows(engine, "SELECT source_external_id FROM quote") == [("1",)]


def test_an_edited_comment_gets_a_version_with_its_edges(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    record(archive, _thread(0, "1"), crawl())
    edited = _thread(1, "2")
    c3 = edited.comments[2]
    edited = replace(edited, comments=(*edited.comments[:2], replace(
        c3, body_text="@Ana: yes! the rule of law", body_html="<p>@Ana: yes! the rule of law</p>")))
    result = record(archive, edited, crawl())
    assert (result.new_comment_versions, result.rederived_comments) == (1, 0)
    assert rows(engine, "SELECT source_external_id, version FROM comment_quotes"
                        " JOIN comment_version cv ON cv.id = comment_version_id") == [("2", 2)]


def test_an_older_snapshot_rederives_nothing(archive: Archive, engine: sa.Engine, crawl: Any) -> None:
    """A reparse of old pages must not close edges derived after them."""
    record(archive, _thread(0, "1"), crawl())
    record(archive, _thread(2, "2"), crawl())
    stale = record(archive, _thread(1, "1"), crawl())
    assert (stale.new_comment_versions, stale.rederived_comments) == (0, 0)
    assert rows(engine, "SELECT source_external_id FROM comment_quotes") == [("2",)]
    assert rows(engine, "SELECT count(*) FROM quote WHERE valid_to < valid_from") == [(0,)]
