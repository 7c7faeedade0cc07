"""The snapshot writer on SQLite and PostgreSQL: versions, intervals, tombstones."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
import sqlalchemy as sa

from storage.archive import Archive, RecordResult
from storage.errors import ConfigError
from storage.models import UTCDateTime
from tests.factories import (
    at,
    make_comment,
    make_fetch,
    make_post,
    make_quote,
    make_reply,
    make_thread,
    record,
)


def history(engine: sa.Engine, external_id: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT version, valid_from, valid_to, deleted, body_text, crawl_id "
                "FROM comment_history WHERE external_id = :e ORDER BY version"
            ).columns(valid_from=UTCDateTime(), valid_to=UTCDateTime()),
            {"e": external_id},
        )
        return [dict(r._mapping) for r in rows]


def scalar(engine: sa.Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def test_same_thread_twice_writes_one_version(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    thread = make_thread([make_comment("1"), make_comment("2", parent="1")])
    first = record(archive, thread, crawl())
    assert first == RecordResult(
        new_post_versions=1, new_comment_versions=2, tombstones=0, unchanged_comments=0
    )
    again = record(archive, make_thread(list(thread.comments), fetched_at=at(1)), crawl())
    assert again == RecordResult(
        new_post_versions=0, new_comment_versions=0, tombstones=0, unchanged_comments=2
    )
    assert scalar(engine, "SELECT count(*) FROM comment_version") == 2
    assert scalar(engine, "SELECT count(*) FROM post_version") == 1
    # Seen again: no comment row is written, and the view's last_seen_at moves (the
    # thread's complete check).
    assert scalar(engine, "SELECT count(*) FROM comment WHERE last_seen_at > first_seen_at") == 0
    with engine.connect() as conn:
        seen = conn.execute(
            sa.text("SELECT last_seen_at FROM current_comments").columns(last_seen_at=UTCDateTime())
        ).scalars().all()
    assert seen == [at(1), at(1)]


def test_changed_comment_gets_second_version_with_closed_interval(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    c1, c2 = crawl(), crawl()
    record(archive, make_thread([make_comment("1", "before")]), c1)
    result = record(archive, make_thread([make_comment("1", "after")], fetched_at=at(1)), c2)
    assert result.new_comment_versions == 1
    rows = history(engine, "1")
    assert [r["version"] for r in rows] == [1, 2]
    assert [r["body_text"] for r in rows] == ["before", "after"]
    assert rows[0]["valid_from"] == at(0) and rows[0]["valid_to"] == at(1)
    assert rows[1]["valid_from"] == at(1) and rows[1]["valid_to"] is None
    assert [r["crawl_id"] for r in rows] == [c1, c2]


def test_comment_missing_from_complete_thread_is_tombstoned(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    record(archive, make_thread([make_comment("1"), make_comment("2", "bye")]), crawl())
    result = record(archive, make_thread([make_comment("1")], fetched_at=at(1)), crawl())
    assert result.tombstones == 1
    rows = history(engine, "2")
    assert [(r["version"], bool(r["deleted"])) for r in rows] == [(1, False), (2, True)]
    assert rows[1]["body_text"] == "bye"  # the tombstone keeps the last known content
    assert rows[0]["valid_to"] == rows[1]["valid_from"] == at(1)
    assert scalar(engine, "SELECT count(*) FROM current_comments") == 1
    # Recording the same complete thread again does not tombstone twice.
    again = record(archive, make_thread([make_comment("1")], fetched_at=at(2)), crawl())
    assert again.tombstones == 0
    assert len(history(engine, "2")) == 2


def test_partial_thread_never_tombstones(archive: Archive, engine: sa.Engine, crawl: Any) -> None:
    record(archive, make_thread([make_comment("1"), make_comment("2")]), crawl())
    result = record(
        archive,
        make_thread(
            [make_comment("1", "edited"), make_comment("3")], complete=False, fetched_at=at(1)
        ),
        crawl(),
    )
    assert result == RecordResult(
        new_post_versions=0, new_comment_versions=2, tombstones=0, unchanged_comments=0
    )
    assert len(history(engine, "2")) == 1
    assert scalar(engine, "SELECT count(*) FROM current_comments") == 3


def test_reappearance_after_tombstone_is_a_new_live_version(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    record(archive, make_thread([make_comment("1"), make_comment("2")]), crawl())
    record(archive, make_thread([make_comment("1")], fetched_at=at(1)), crawl())
    result = record(
        archive,
        make_thread([make_comment("1"), make_comment("2")], fetched_at=at(2)), crawl()
    )
    assert result.new_comment_versions == 1
    rows = history(engine, "2")
    assert [(r["version"], bool(r["deleted"])) for r in rows] == [(1, False), (2, True), (3, False)]
    assert [r["valid_to"] for r in rows] == [at(1), at(2), None]
    with engine.connect() as conn:
        kinds = (
            conn.execute(
                sa.text("SELECT kind FROM changes WHERE comment_external_id = '2' ORDER BY version")
            )
            .scalars()
            .all()
        )
    assert kinds == ["added", "deleted", "restored"]


def test_position_and_page_are_not_content(archive: Archive, engine: sa.Engine, crawl: Any) -> None:
    record(archive, make_thread([make_comment("1", page=1)]), crawl())
    moved = make_comment("1", page=2, position=7)
    result = record(archive, make_thread([moved], fetched_at=at(1)), crawl())
    assert result.unchanged_comments == 1 and result.new_comment_versions == 0


def test_link_attribute_noise_is_not_an_edit(archive: Archive, crawl: Any) -> None:
    plain = make_comment("1", body_html='<p>See <a href="https://x.example/">this</a></p>')
    noisy = make_comment(
        "1", body_html='<p>See <a href="https://x.example/" rel="nofollow ugc">this</a></p>'
    )
    moved = make_comment("1", body_html='<p>See <a href="https://y.example/">this</a></p>')
    record(archive, make_thread([plain]), crawl())
    assert record(archive, make_thread([noisy], fetched_at=at(1)), crawl()).new_comment_versions == 0
    assert record(archive, make_thread([moved], fetched_at=at(2)), crawl()).new_comment_versions == 1


def test_post_modified_at_alone_is_not_a_new_version(archive: Archive, crawl: Any) -> None:
    record(archive, make_thread(post=make_post(modified_at=at(0))), crawl())
    touched = make_thread(post=make_post(modified_at=at(1)), fetched_at=at(1))
    assert record(archive, touched, crawl()).new_post_versions == 0
    edited = make_thread(post=make_post(body_text="New text."), fetched_at=at(2))
    assert record(archive, edited, crawl()).new_post_versions == 1


def test_edges_belong_to_versions_and_show_in_views(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    reply = make_comment(
        "2",
        parent="1",
        replies=(make_reply("1"), make_reply("1", kind="at_reply", ordinal=1, raw_name="Bob")),
        quotes=(make_quote("quoted words", source_kind="comment", source_external_id="1"),),
    )
    record(archive, make_thread([make_comment("1", author="Bob"), reply]), crawl())
    with engine.connect() as conn:
        replies = conn.execute(
            sa.text(
                "SELECT kind, target_external_id, raw_name FROM comment_replies "
                "WHERE external_id = '2' ORDER BY ordinal"
            )
        ).all()
        quotes = conn.execute(
            sa.text("SELECT quoted_text, source_kind, source_external_id FROM comment_quotes")
        ).all()
    assert [tuple(r) for r in replies] == [("threaded", "1", None), ("at_reply", "1", "Bob")]
    assert [tuple(q) for q in quotes] == [("quoted words", "comment", "1")]


def test_authors_and_aliases_are_upserted(archive: Archive, engine: sa.Engine, crawl: Any) -> None:
    record(archive, make_thread([make_comment("1", author="Bob")]), crawl())
    record(
        archive,
        make_thread(
            [make_comment("1", author="Bob"), make_comment("2", author="BOB")], fetched_at=at(1)
        ),
        crawl(),
    )
    assert scalar(engine, "SELECT count(*) FROM author WHERE key = 'bob'") == 1
    assert scalar(engine, "SELECT count(*) FROM author_alias") == 3  # Ada Editor, Bob, BOB
    # display_name: the latest spelling (last in thread order of the newest snapshot)
    assert scalar(engine, "SELECT display_name FROM author WHERE key = 'bob'") == "BOB"


def test_versions_are_numbered_and_contiguous(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    for day, body in enumerate(["a", "b", "b", "c", "d"]):
        record(archive, make_thread([make_comment("1", body)], fetched_at=at(day)), crawl())
    rows = history(engine, "1")
    assert [r["version"] for r in rows] == [1, 2, 3, 4]
    for prev, nxt in itertools.pairwise(rows):
        assert prev["valid_to"] == nxt["valid_from"]
    assert rows[-1]["valid_to"] is None


def test_stale_snapshot_does_not_rewrite_newer_history(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    record(archive, make_thread([make_comment("1", "new")], fetched_at=at(5)), crawl())
    record(archive, make_thread([make_comment("1", "old")], fetched_at=at(1)), crawl())
    assert [r["body_text"] for r in history(engine, "1")] == ["new"]


def test_duplicate_comment_in_one_snapshot_is_recorded_once(archive: Archive, crawl: Any) -> None:
    result = record(archive, make_thread([make_comment("1"), make_comment("1")]), crawl())
    assert result.new_comment_versions == 1


def test_crawl_lifecycle_and_fetches(archive: Archive, engine: sa.Engine, crawl: Any) -> None:
    crawl_id = crawl()
    assert scalar(engine, "SELECT status FROM crawl WHERE id = :i", i=crawl_id) == "running"
    archive.record_fetches(crawl_id, [make_fetch(), make_fetch(status=404, size=0)])
    archive.heartbeat(crawl_id)
    archive.finish_crawl(crawl_id, "partial", {"pages": 2, "errors": ["x"]}, error="one 404")
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT status, stats, error, finished_at FROM crawl WHERE id = :i"),
            {"i": crawl_id},
        ).one()
    stats = row.stats if isinstance(row.stats, dict) else json.loads(row.stats)
    assert (row.status, stats, row.error) == ("partial", {"pages": 2, "errors": ["x"]}, "one 404")
    assert row.finished_at is not None
    assert scalar(engine, 'SELECT count(*) FROM "fetch" WHERE crawl_id = :i', i=crawl_id) == 2


def test_unknown_source_is_a_clear_error(archive: Archive) -> None:
    with pytest.raises(ConfigError, match="nope"):
        archive.start_crawl("nope", "test")


def test_changes_view_names_each_event(archive: Archive, engine: sa.Engine, crawl: Any) -> None:
    record(archive, make_thread([make_comment("1", "text", author="Bob")]), crawl())
    record(
        archive,
        make_thread(
            [make_comment("1", "text", author="Bob B.", author_key="bob")], fetched_at=at(1)
        ),
        crawl(),
    )
    record(
        archive,
        make_thread(
            [make_comment("1", "new text", author="Bob B.", author_key="bob")],
            post=make_post(title="Retitled"),
            fetched_at=at(2),
        ),
        crawl(),
    )
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT comment_external_id, version, kind FROM changes "
                "ORDER BY comment_external_id IS NULL, comment_external_id, version"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("1", 1, "added"),
        ("1", 2, "renamed"),
        ("1", 3, "edited"),
        (None, 1, "added"),
        (None, 2, "edited"),
    ]


def test_post_state_bookkeeping(archive: Archive, engine: sa.Engine, crawl: Any) -> None:
    first, second = crawl(), crawl()
    record(archive, make_thread([make_comment("1")]), first, fingerprint="f1")
    record(
        archive,
        make_thread([make_comment("1")], complete=False, fetched_at=at(1)),
        second,
        fingerprint="f2",
    )
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT fingerprint, last_complete_crawl_id, gone_count FROM post_state")
        ).one()
        checked = conn.execute(
            sa.text("SELECT last_checked_at FROM post_state").columns(last_checked_at=UTCDateTime())
        ).scalar()
    # A partial thread moves neither the last complete crawl nor its fingerprint.
    assert tuple(row) == ("f1", first, 0)
    assert checked == at(1)


def test_warc_digests_in_stats_fill_the_column(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    crawl_id = crawl()
    archive.finish_crawl(crawl_id, "ok", {"warc_sha256": {"a.warc.gz": "ab" * 32}})
    raw = scalar(engine, "SELECT warc_sha256 FROM crawl WHERE id = :i", i=crawl_id)
    value = raw if isinstance(raw, dict) else json.loads(raw)
    assert value == {"a.warc.gz": "ab" * 32}


def test_naive_times_are_taken_as_utc(archive: Archive, engine: sa.Engine, crawl: Any) -> None:
    naive = at(0).replace(tzinfo=None)
    record(archive, make_thread([make_comment("1", published_at=naive)], fetched_at=naive), crawl())
    record(archive, make_thread([make_comment("1", "edited")], fetched_at=at(1)), crawl())
    assert [r["valid_from"] for r in history(engine, "1")] == [at(0), at(1)]
