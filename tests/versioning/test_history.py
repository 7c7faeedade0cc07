"""Post tombstones after two 404s in a row, the skip path for unchanged threads, and
`palimpsest history` / the documented "as of" SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from cli import main
from storage.archive import Archive
from storage.history import thread_history, word_diff
from storage.records import PostGone, RemovalRecord, ThreadCheck
from tests.factories import SOURCE_KEY, at, make_comment, make_post, make_thread, record

DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"


def gone(day: int) -> PostGone:
    return PostGone(source_key=SOURCE_KEY, external_id="100", url="https://blog.example/?p=100",
                    status=404, fetched_at=at(day))


def kinds(engine: sa.Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "SELECT comment_external_id, version, kind FROM changes "
            "ORDER BY crawl_id, comment_external_id IS NOT NULL, comment_external_id, version"))]


def test_post_gone_twice_in_a_row_is_tombstoned_once_is_logged(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    record(archive, make_thread([make_comment("1")]), crawl())
    first = archive.record_gone(gone(1), crawl())
    assert (first.gone_count, first.tombstoned) == (1, False)
    assert kinds(engine) == [(None, 1, "added"), ("1", 1, "added")]
    # Back on the next crawl: the count starts again.
    record(archive, make_thread([make_comment("1")], fetched_at=at(2)), crawl())
    assert archive.record_gone(gone(3), crawl()).gone_count == 1
    second = archive.record_gone(gone(4), crawl())
    assert (second.gone_count, second.tombstoned) == (2, True)
    assert kinds(engine)[-1] == (None, 2, "deleted")
    with engine.connect() as conn:
        live = conn.execute(sa.text("SELECT count(*) FROM current_comments")).scalar()
        kept = conn.execute(sa.text("SELECT count(*) FROM comment_history")).scalar()
    assert (live, kept) == (0, 1)  # the thread left with its post; its history stays
    # Still gone: no second tombstone. Back again: restored.
    assert not archive.record_gone(gone(5), crawl()).tombstoned
    record(archive, make_thread([make_comment("1")], fetched_at=at(6)), crawl())
    assert kinds(engine)[-1] == (None, 3, "restored")


def test_unchanged_thread_writes_no_version_and_counts_as_seen(
    archive: Archive, engine: sa.Engine, crawl: Any
) -> None:
    record(archive, make_thread([make_comment("1"), make_comment("2")]), crawl(), fingerprint="f")
    check = ThreadCheck(checked_at=at(1), fingerprint="f")
    result = archive.record_unchanged(SOURCE_KEY, make_post(), crawl(), check, post_read=True)
    assert (result.new_post_versions, result.new_comment_versions, result.tombstones) == (0, 0, 0)
    assert result.unchanged_comments == 2
    # The post itself is still compared: an update to it is a new version.
    edited = make_post(body_text="Body of post 100. Update: more.")
    check = ThreadCheck(checked_at=at(2), fingerprint="f")
    assert archive.record_unchanged(
        SOURCE_KEY, edited, crawl(), check, post_read=True
    ).new_post_versions == 1
    with engine.connect() as conn:
        live = conn.execute(sa.text("SELECT count(*) FROM current_comments")).scalar()
        seen = conn.execute(sa.text("SELECT min(last_seen_at) FROM current_comments")).scalar()
    assert live == 2
    assert str(seen).startswith(str(at(2).date()))


def test_history_command_shows_each_kind(
    archive: Archive, engine: sa.Engine, crawl: Any, db_url: str
) -> None:
    record(archive, make_thread([make_comment("1", "The court said no."),
                                make_comment("2", "Gone soon.")]), crawl())
    record(archive, make_thread([make_comment("1", "The court said yes, twice.")],
                               fetched_at=at(1)), crawl())
    record(archive, make_thread([make_comment("1", "The court said yes, twice.",
                                             author_raw="Renamed Person")],
                               fetched_at=at(2)), crawl())
    crawls = thread_history(engine, 1)
    assert [[e.kind for e in c.events] for c in crawls] == [
        ["added", "added", "added"], ["edited", "deleted"], ["renamed"]]
    out = CliRunner().invoke(main, ["history", "1", "--db", db_url])
    assert out.exit_code == 0, out.output
    assert "[-no.-] {+yes, twice.+}" in out.output
    assert "deleted  comment 2" in out.output
    assert "-> 'Renamed Person'" in out.output
    by_url = CliRunner().invoke(main, ["history", "https://blog.example/?p=100", "--db", db_url])
    assert by_url.output == out.output
    missing = CliRunner().invoke(main, ["history", "https://nowhere.example/", "--db", db_url])
    assert missing.exit_code == 2 and "no post in the archive" in missing.output


def test_history_says_the_word_of_a_stated_removal(
    archive: Archive, engine: sa.Engine, crawl: Any, db_url: str
) -> None:
    record(archive, make_thread([make_comment("1"), make_comment("2", "Hidden soon.")]), crawl())
    record(archive, make_thread([make_comment("1")], complete=False, fetched_at=at(1),
                                removals=(RemovalRecord(external_id="2", removed_as="hidden"),)), crawl())
    out = CliRunner().invoke(main, ["history", "1", "--db", db_url])
    assert out.exit_code == 0, out.output
    assert "deleted  comment 2 (v2) as hidden by Commenter: Hidden soon." in out.output


def test_word_diff() -> None:
    assert word_diff("a b c", "a x c d") == "a [-b-] {+x+} c {+d+}"
    assert word_diff("same", "same") == "same"


def test_documented_as_of_sql_runs(archive: Archive, engine: sa.Engine, crawl: Any) -> None:
    """Every ```sql block of the "As of a date" section of docs/schema.md runs on both
    databases, and sees the archive as it stood on 2024-03-02 (between the two crawls)."""
    record(archive, make_thread([make_comment("1", "first words")], fetched_at=at(0)), crawl())
    record(archive, make_thread([make_comment("1", "second words")], fetched_at=at(2)), crawl())
    section = DOC.read_text(encoding="utf-8").split("## As of a date", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sql\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) >= 3
    with engine.connect() as conn:
        results = [[tuple(r) for r in conn.execute(sa.text(sql))] for sql in blocks]
    flat = [str(results[0]), str(results[1])]
    assert all("first words" in r and "second words" not in r for r in flat), results
    assert results[2], "the changes since that date"
