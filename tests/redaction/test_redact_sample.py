"""`palimpsest redact` on the sample archive: the person is gone from every table, file and
export; the thread's counts and reply chains stay; a recrawl writes nothing; bad input
changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from storage.archive import Archive
from storage.engine import open_engine
from tests.export.conftest import SampleArchive, night2_thread
from tests.export.helpers import cli
from tests.factories import record
from tests.redaction.checks import in_database, in_exports, structure

NAME = "Zorblat Quux"
TEXT = "First! The CECOT story matters."


def snapshot(url: str) -> list[Any]:
    """Everything a failed command must leave as it was."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = [list(conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY id")))
               for t in ("comment_version", "post_version", "author", "author_alias", "reply", "quote")]
        out.append(list(conn.execute(sa.text("SELECT count(*) FROM redaction"))))
    engine.dispose()
    return out


def redact(url: str, tmp_path: Path, *args: str) -> Any:
    return cli("redact", "--db", url, "--warc", str(tmp_path / "warc"), *args)


def test_redacting_an_author_removes_them_everywhere(sample: SampleArchive, tmp_path: Path) -> None:
    before = structure(sample.url)
    result = redact(sample.url, tmp_path, "--author", NAME, "--reason", "request 2026-17", "--yes")
    assert result.exit_code == 0, result.output
    assert "test-blog: the author: 1 comments redacted" in result.output
    assert "1 reply names rewritten" in result.output  # 5's @-reply (2 answers by nesting)
    assert structure(sample.url) == before
    needles = [NAME, "zorblat", TEXT]
    assert in_database(sample.url, needles) == []
    assert in_exports(sample.url, tmp_path / "export", needles) == []

    engine = open_engine(sample.url)
    with engine.connect() as conn:
        one = conn.execute(sa.text(
            "SELECT author_name, body_text, own_text, body_html, parent_external_id "
            "FROM current_comments WHERE external_id = '1'"
        )).one()
        answers = conn.execute(sa.text(
            "SELECT body_text FROM current_comments WHERE external_id IN ('2', '5') ORDER BY 1"
        )).scalars().all()
        row = conn.execute(sa.text("SELECT kind, reason, command FROM redaction")).one()
    assert tuple(one) == ("[redacted]", "[redacted]", "[redacted]", "", None)
    assert answers == ["@[redacted] thanks for this.",
                       "@[redacted]: agreed (edited), and see the flight logs."]
    assert row.kind == "author" and row.reason == "request 2026-17"
    assert row.command.startswith("palimpsest redact --author key-sha256:")

    # a recrawl of the unchanged thread writes nothing and brings nothing back
    archive = Archive(engine)
    crawl = archive.start_crawl("test-blog", "test")
    written = record(archive, night2_thread(night=3), crawl)
    archive.finish_crawl(crawl, "ok", {})
    engine.dispose()
    assert (written.new_post_versions, written.new_comment_versions, written.tombstones) == (0, 0, 0)
    assert in_database(sample.url, needles) == []
    assert structure(sample.url) == before

    manifest = json.loads((tmp_path / "export" / "manifest.json").read_text(encoding="utf-8"))
    assert [(r["kind"], r["source_key"]) for r in manifest["redactions"]] == [("author", "test-blog")]


def test_redacting_a_post_removes_its_quotes(sample: SampleArchive, tmp_path: Path) -> None:
    before = structure(sample.url)
    result = redact(sample.url, tmp_path, "--post", "test-blog:100", "--reason", "takedown", "--yes")
    assert result.exit_code == 0, result.output
    assert structure(sample.url) == before
    engine = sa.create_engine(sample.url)
    with engine.connect() as conn:
        title = conn.execute(sa.text("SELECT title FROM post_history WHERE external_id = '100'")).scalars().all()
        quote = conn.execute(sa.text("SELECT quoted_text FROM quote")).scalars().all()
        three = conn.execute(sa.text(
            "SELECT body_text FROM comment_history WHERE external_id = '3'")).scalars().all()
    engine.dispose()
    assert title == ["[redacted]", "[redacted]"]
    assert quote == ["[redacted]"]
    assert set(three) == {"Quoting the post: [redacted]. Ask Quillon Drax about it, @mirabel fennimore."}


def test_bad_input_changes_nothing(sample: SampleArchive, tmp_path: Path) -> None:
    before = snapshot(sample.url)
    cases = [
        (("--author", "Nobody Here", "--reason", "x", "--yes"),
         "--author 'Nobody Here': no author with the key 'nobody here' in this archive"),
        (("--comment", "other-blog:1", "--reason", "x", "--yes"),
         "--comment 'other-blog:1': source 'other-blog' has no comment '1'"),
        (("--comment", "no-blog:1", "--reason", "x", "--yes"),
         "--comment 'no-blog:1': 'no-blog' is not a source in this archive"),
        (("--post", "test-blog", "--reason", "x", "--yes"),
         "--post 'test-blog' must be SOURCE:EXTERNAL_ID"),
        (("--author", NAME, "--yes"), "Missing option '--reason'"),
        (("--author", NAME, "--reason", " ", "--yes"), "--reason must say why"),
        (("--author", NAME, "--post", "test-blog:100", "--reason", "x", "--yes"),
         "give exactly one of --author KEY, --comment SOURCE:ID, --post SOURCE:ID"),
    ]
    for args, message in cases:
        result = redact(sample.url, tmp_path, *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert snapshot(sample.url) == before, args


def test_not_confirmed_changes_nothing(sample: SampleArchive, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli import main

    before = snapshot(sample.url)
    result = CliRunner().invoke(main, ["redact", "--db", sample.url, "--warc", str(tmp_path),
                                       "--author", NAME, "--reason", "x"], input="n\n")
    assert result.exit_code == 1, result.output
    assert "1 comments redacted" in result.output and "nothing changed" in result.output
    assert snapshot(sample.url) == before


def test_redacting_one_comment_keeps_its_author(sample: SampleArchive, tmp_path: Path) -> None:
    before = structure(sample.url)
    result = redact(sample.url, tmp_path, "--comment", "test-blog:5", "--reason", "asked", "--yes")
    assert result.exit_code == 0, result.output
    assert "test-blog: comment 5 on post 100: 1 comments redacted" in result.output
    assert structure(sample.url) == before
    assert in_database(sample.url, ["thanks for this"]) == []
    engine = open_engine(sample.url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT external_id, author_name, body_text FROM current_comments "
            "WHERE post_external_id = '100' ORDER BY position")).all()
    assert [tuple(r) for r in rows] == [
        ("1", "Zorblat Quux", "First! The CECOT story matters."),
        ("2", "Mirabel Fennimore", "@Zorblat Quux: agreed (edited), and see the flight logs."),
        ("4", "Quillon Drax", "@Quillon Drax is wrong about Guantanamo; <b>see</b> the record."),
        ("5", "Ada Editor", "[redacted]"),
    ]
    archive = Archive(engine)
    crawl = archive.start_crawl("test-blog", "test")
    written = record(archive, night2_thread(night=3), crawl)
    engine.dispose()
    assert (written.new_comment_versions, written.tombstones) == (0, 0)
    assert in_database(sample.url, ["thanks for this"]) == []
