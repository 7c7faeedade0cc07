"""What a comment service states of a removal or an edit, kept on the versions (migration
0011), on SQLite and PostgreSQL: a stated removal is a tombstone with the service's word,
from a partial thread too; one inferred from absence has none; the hash is unchanged."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from storage.archive import Archive
from storage.hashing import comment_hash
from storage.models import UTCDateTime
from storage.records import RemovalRecord
from tests.factories import at, make_comment, make_thread, record


def versions(engine: sa.Engine, external_id: str) -> list[dict[str, Any]]:
    query = sa.text(
        "SELECT version, deleted, removed_as, edited, edited_at, body_text, content_hash "
        "FROM comment_history WHERE external_id = :e ORDER BY version"
    ).columns(edited_at=UTCDateTime())
    with engine.connect() as conn:
        return [
            {**r._mapping, "deleted": bool(r.deleted),
             "edited": None if r.edited is None else bool(r.edited)}
            for r in conn.execute(query, {"e": external_id})
        ]  # fmt: skip


def removal(external_id: str, word: str) -> RemovalRecord:
    return RemovalRecord(external_id=external_id, removed_as=word)


def test_a_stated_removal_on_a_partial_thread_is_a_tombstone_with_the_word(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    record(archive, make_thread([make_comment("1"), make_comment("2", "bye"), make_comment("3")]), crawl())
    partial = make_thread(
        [make_comment("1")], complete=False, fetched_at=at(1),
        removals=(removal("2", "hidden"), removal("3", "spam")),
    )  # fmt: skip
    result = record(archive, partial, crawl())
    assert result.tombstones == 2
    two, three = versions(engine, "2"), versions(engine, "3")
    assert [(v["version"], v["deleted"], v["removed_as"]) for v in two] == [(1, False, None), (2, True, "hidden")]
    assert two[1]["body_text"] == "bye"  # the tombstone keeps the last known text
    assert three[-1]["removed_as"] == "spam"
    with engine.connect() as conn:
        live = conn.execute(sa.text("SELECT external_id FROM current_comments")).scalars().all()
    assert live == ["1"]
    # Stated again: no second tombstone.
    again = record(archive, replace(partial, fetched_at=at(2)), crawl())
    assert again.tombstones == 0 and len(versions(engine, "2")) == 2


def test_a_removal_inferred_from_a_complete_thread_has_no_word(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    record(archive, make_thread([make_comment("1"), make_comment("2"), make_comment("3")]), crawl())
    thread = make_thread([make_comment("1")], fetched_at=at(1), removals=(removal("3", "deleted"),))
    assert record(archive, thread, crawl()).tombstones == 2
    assert versions(engine, "2")[-1]["removed_as"] is None  # absent: inferred
    assert versions(engine, "3")[-1]["removed_as"] == "deleted"  # stated
    assert [v["deleted"] for v in versions(engine, "2")] == [False, True]


def test_a_stated_removal_of_a_comment_never_archived_writes_nothing(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    record(archive, make_thread([make_comment("1")]), crawl())
    for complete in (False, True):
        thread = make_thread([make_comment("1")], complete=complete, fetched_at=at(1),
                             removals=(removal("9", "deleted"),))  # fmt: skip
        assert record(archive, thread, crawl()).tombstones == 0
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM comment WHERE external_id = '9'")).scalar() == 0
        assert conn.execute(sa.text("SELECT count(*) FROM comment_version")).scalar() == 1


def test_a_comment_shown_live_is_not_tombstoned_by_a_stray_statement(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    record(archive, make_thread([make_comment("1")]), crawl())
    thread = make_thread([make_comment("1")], fetched_at=at(1), removals=(removal("1", "hidden"),))
    assert record(archive, thread, crawl()).tombstones == 0
    assert [v["deleted"] for v in versions(engine, "1")] == [False]


def test_a_hidden_comment_that_comes_back_is_restored(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    record(archive, make_thread([make_comment("1"), make_comment("2")]), crawl())
    record(archive, make_thread([make_comment("1")], complete=False, fetched_at=at(1),
                                removals=(removal("2", "hidden"),)), crawl())  # fmt: skip
    result = record(archive, make_thread([make_comment("1"), make_comment("2")], fetched_at=at(2)), crawl())
    assert result.new_comment_versions == 1 and result.tombstones == 0
    rows = versions(engine, "2")
    assert [(v["deleted"], v["removed_as"]) for v in rows] == [(False, None), (True, "hidden"), (False, None)]
    with engine.connect() as conn:
        kinds = conn.execute(sa.text(
            "SELECT kind FROM changes WHERE comment_external_id = '2' ORDER BY version")).scalars().all()
    assert kinds == ["added", "deleted", "restored"]


def test_edited_and_edited_at_are_kept_on_a_written_version_and_not_hashed(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    plain, told = make_comment("1", "first"), make_comment("2", "words")
    assert comment_hash(replace(told, edited=True, edited_at=at(5))) == comment_hash(told)
    record(archive, make_thread([plain, told]), crawl())
    assert [(v["edited"], v["edited_at"]) for v in versions(engine, "1")] == [(None, None)]  # said nothing
    # A stated edit without a change of text writes no version ...
    result = record(archive, make_thread([plain, replace(told, edited=True)], fetched_at=at(1)), crawl())
    assert result.new_comment_versions == 0
    # ... and one with it keeps what the service says.
    edited = replace(told, body_html="<p>new words</p>", body_text="new words", own_text="new words",
                     links=(), edited=True, edited_at=at(1))
    record(archive, make_thread([plain, edited], fetched_at=at(2)), crawl())
    rows = versions(engine, "2")
    assert [(v["edited"], v["edited_at"]) for v in rows] == [(None, None), (True, at(1))]
    with engine.connect() as conn:
        current = conn.execute(sa.text(
            "SELECT edited, edited_at FROM current_comments WHERE external_id = '2'"
        ).columns(edited_at=UTCDateTime())).one()  # fmt: skip
    assert (bool(current.edited), current.edited_at) == (True, at(1))
    # The tombstone of an edited comment repeats its last known state, and its word.
    record(archive, make_thread([plain], complete=False, fetched_at=at(3),
                                removals=(removal("2", "deleted"),)), crawl())  # fmt: skip
    last = versions(engine, "2")[-1]
    assert (last["deleted"], last["removed_as"], last["edited"], last["edited_at"]) == (True, "deleted", True, at(1))
