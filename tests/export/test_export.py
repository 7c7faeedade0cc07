"""Exports as of a time: which versions, which formats, byte-identical reruns, manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from storage.engine import open_engine
from storage.errors import InputError
from storage.export import ExportOptions, export_snapshot, verify_manifest
from tests.export.conftest import SampleArchive
from tests.export.helpers import all_files, cli

ALL_FORMATS = ("parquet", "csv", "jsonl", "sqlite")


def _export(url: str, out: Path, **kw: object) -> dict[str, int]:
    engine = open_engine(url, read_only=True)
    try:
        options = ExportOptions(out=out, **kw)  # type: ignore[arg-type]
        return export_snapshot(engine, options).row_counts
    finally:
        engine.dispose()


def _comments(out: Path) -> dict[str, dict[str, object]]:
    rows = pq.read_table(out / "comments.parquet").to_pylist()
    return {r["external_id"]: r for r in rows}


def test_as_of_gives_exactly_the_versions_valid_then(sample: SampleArchive, tmp_path: Path) -> None:
    counts = {}
    for name, when in (("n0", sample.night0), ("n1", sample.night1), ("n2", sample.night2)):
        counts[name] = _export(sample.url, tmp_path / name, as_of=when, formats=("parquet",))
    n0, n1, n2 = (_comments(tmp_path / n) for n in ("n0", "n1", "n2"))
    # night 0: the first states; comment 5 did not exist yet, nor other-blog's crawl
    assert sorted(n0) == ["1", "10", "2", "3", "4"]
    assert n0["2"]["version"] == 1 and "(edited)" not in str(n0["2"]["body_text"])
    # night 1: the edit and the new comment, nothing else
    assert sorted(n1) == ["1", "10", "2", "3", "4", "5", "7"]
    assert n1["2"]["version"] == 2 and "(edited)" in str(n1["2"]["body_text"])
    # night 2: comment 3 is a tombstone, so it is gone from comments ...
    assert "3" not in n2
    # ... but its history (live version and tombstone) is in versions
    versions = pq.read_table(tmp_path / "n2" / "versions.parquet").to_pylist()
    history3 = [v for v in versions if v["kind"] == "comment" and v["external_id"] == "3"
                and v["post_external_id"] == "100"]
    assert [(v["version"], v["deleted"]) for v in history3] == [(1, False), (2, True)]
    assert history3[0]["valid_to"] is not None and history3[1]["valid_to"] is None
    # a version that ended after T shows as still current at T
    v0 = pq.read_table(tmp_path / "n0" / "versions.parquet").to_pylist()
    assert all(v["valid_to"] is None for v in v0)
    assert counts["n0"]["versions"] == 7 and counts["n1"]["versions"] == 12
    assert counts["n2"]["versions"] == 13
    titles = {r["external_id"]: r["title"] for r in pq.read_table(tmp_path / "n0" / "posts.parquet").to_pylist()}
    assert titles["100"] == "Post 100"


def test_scope_by_source_and_publication_date(sample: SampleArchive, tmp_path: Path) -> None:
    counts = _export(sample.url, tmp_path / "a", as_of=sample.night1, formats=("csv",),
                     sources=("other-blog",))
    assert counts["posts"] == 1 and counts["comments"] == 1
    from datetime import date

    counts = _export(sample.url, tmp_path / "b", as_of=sample.night1, formats=("csv",),
                     since=date(2024, 3, 1))
    assert counts["posts"] == 0  # every sample post was published on 2024-02-29
    counts = _export(sample.url, tmp_path / "c", as_of=sample.night1, formats=("csv",),
                     until=date(2024, 2, 29))
    assert counts["posts"] == 3


def test_parquet_schema_is_explicit(sample: SampleArchive, tmp_path: Path) -> None:
    _export(sample.url, tmp_path / "x", as_of=sample.night1, formats=("parquet",))
    schema = pq.read_schema(tmp_path / "x" / "comments.parquet")
    assert str(schema.field("comment_id").type) == "string"
    assert str(schema.field("published_at").type) == "timestamp[us, tz=UTC]"
    assert str(schema.field("position").type) == "int64"
    posts = pq.read_schema(tmp_path / "x" / "posts.parquet")
    assert str(posts.field("tags").type) == "list<element: string>"


def test_csv_is_rfc4180_utf8(sample: SampleArchive, tmp_path: Path) -> None:
    _export(sample.url, tmp_path / "x", as_of=sample.night1, formats=("csv",))
    raw = (tmp_path / "x" / "comments.csv").read_bytes()
    raw.decode("utf-8")
    assert raw.count(b"\r\n") >= 8 and b"\n" not in raw.replace(b"\r\n", b"")
    assert b'"<p><a href=""https://people.example/quillon-drax/"">' in raw  # quotes doubled


def test_jsonl_threads_nest_comments_in_thread_order(sample: SampleArchive, tmp_path: Path) -> None:
    _export(sample.url, tmp_path / "x", as_of=sample.night1, formats=("jsonl",))
    lines = (tmp_path / "x" / "threads.jsonl").read_text(encoding="utf-8").splitlines()
    threads = [json.loads(line) for line in lines]
    assert [t["external_id"] for t in threads] == ["100", "200", "300"]
    first = threads[0]
    assert [c["external_id"] for c in first["comments"]] == ["1", "2", "3", "4", "5"]
    by_id = {c["external_id"]: c for c in first["comments"]}
    assert by_id["3"]["quotes"][0]["quoted_text"] == "deportation flights"
    assert [r["kind"] for r in by_id["4"]["replies"]] == ["threaded", "at_reply"]
    assert by_id["4"]["replies"][1]["target_kind"] is None  # unresolved @-reply kept
    assert {p.name for p in (tmp_path / "x").iterdir()} >= {
        "threads.jsonl", "authors.jsonl", "versions.jsonl", "crawls.jsonl"}


def test_two_exports_are_byte_identical_and_manifest_verifies(
    sample: SampleArchive, tmp_path: Path
) -> None:
    for name in ("one", "two"):
        _export(sample.url, tmp_path / name, as_of=sample.night1, formats=ALL_FORMATS)
    one, two = all_files(tmp_path / "one"), all_files(tmp_path / "two")
    assert [p.name for p in one] == [p.name for p in two]
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between two exports"
    assert verify_manifest(tmp_path / "one") == []
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text())
    assert manifest["as_of"] == "2024-03-02T23:00:00.000000Z"
    assert manifest["database"]["revision"]
    assert manifest["row_counts"]["comments"] == 7
    assert {s["key"] for s in manifest["sources"]} == {"test-blog", "other-blog"}
    # The sample's crawls up to night 1 (crawl 3 came after it).
    assert manifest["crawls"]["count"] == len(manifest["crawls"]["ids"]) == 3
    assert manifest["crawls"]["ids"] == ["1", "2", "4"]
    listed = {f["path"] for f in manifest["files"]}
    assert "CODEBOOK.md" in listed and "palimpsest.sqlite" in listed
    # a changed byte is caught
    victim = tmp_path / "one" / "posts.csv"
    victim.write_bytes(victim.read_bytes() + b" ")
    assert verify_manifest(tmp_path / "one") == ["posts.csv: SHA-256 differs from the manifest"]


def test_batch_size_does_not_change_the_data(sample: SampleArchive, tmp_path: Path) -> None:
    _export(sample.url, tmp_path / "big", as_of=sample.night2, formats=("csv", "jsonl", "sqlite"))
    _export(sample.url, tmp_path / "small", as_of=sample.night2,
            formats=("csv", "jsonl", "sqlite"), batch_size=2)
    for a, b in zip(all_files(tmp_path / "big"), all_files(tmp_path / "small"), strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_codebook_documents_every_column(sample: SampleArchive, tmp_path: Path) -> None:
    from storage.export.tables import TABLES

    _export(sample.url, tmp_path / "x", as_of=sample.night1, formats=("csv",))
    book = (tmp_path / "x" / "CODEBOOK.md").read_text(encoding="utf-8")
    for spec in TABLES:
        assert f"## `{spec.name}`" in book
        header = (tmp_path / "x" / f"{spec.name}.csv").read_text(encoding="utf-8").splitlines()[0]
        for column in header.split(","):
            assert f"| `{column}` |" in book, f"{spec.name}.{column} is not in CODEBOOK.md"


def test_cli_export_writes_manifest_with_topic(sqlite_sample: SampleArchive, tmp_path: Path) -> None:
    out = tmp_path / "snap"
    result = cli("export", "--db", sqlite_sample.url, "--out", str(out),
                 "--as-of", "2024-03-02T23:00:00Z", "--format", "csv", "--format", "sqlite")
    assert result.exit_code == 0, result.output
    assert "7 comments" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["topic"]["keywords"]
    assert manifest["formats"] == ["csv", "sqlite"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--as-of", "last tuesday"], "'last tuesday'"),
        (["--since", "2024-13-01"], "'2024-13-01'"),
        (["--until", "yesterday"], "'yesterday'"),
        (["--since", "2024-03-02", "--until", "2024-03-01"], "after --until"),
        (["--source", "no-such-blog"], "'no-such-blog'"),
    ],
)
def test_bad_input_is_one_line_naming_the_value(
    sqlite_sample: SampleArchive, tmp_path: Path, args: list[str], needle: str
) -> None:
    result = cli("export", "--db", sqlite_sample.url, "--out", str(tmp_path / "o"), *args)
    assert result.exit_code == 2
    assert needle in result.output and "Traceback" not in result.output


def test_out_dir_must_be_empty(sqlite_sample: SampleArchive, tmp_path: Path) -> None:
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "old.csv").write_text("x")
    with pytest.raises(InputError, match="not an empty directory"):
        _export(sqlite_sample.url, tmp_path / "o", as_of=sqlite_sample.night1)


def test_sqlite_export_has_the_archives_views(sqlite_sample: SampleArchive, tmp_path: Path) -> None:
    import sqlite3

    from storage.export.sqlite_format import VIEWS
    from storage.query import run_query

    _export(sqlite_sample.url, tmp_path / "x", as_of=sqlite_sample.night1, formats=("sqlite",))
    db = sqlite3.connect(tmp_path / "x" / "palimpsest.sqlite")
    engine = open_engine(sqlite_sample.url, read_only=True)
    try:
        for view in VIEWS:
            archive_cols = run_query(engine, f"SELECT * FROM {view} LIMIT 0").columns
            export_cols = [d[0] for d in db.execute(f"SELECT * FROM {view} LIMIT 0").description]
            # source_id is the archive's internal key of `source`; the export has source_key
            assert [c for c in archive_cols if c != "source_id"] == export_cols, view
    finally:
        engine.dispose()
        db.close()


def test_a_failed_export_leaves_nothing_behind(
    sqlite_sample: SampleArchive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.export.snapshot import Snapshot

    def broken(self: Snapshot) -> object:
        yield from ()
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Snapshot, "versions", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        _export(sqlite_sample.url, tmp_path / "snap", as_of=sqlite_sample.night1,
                formats=ALL_FORMATS)
    assert not (tmp_path / "snap").exists()
    assert not any(p.name.startswith(".snap.partial") for p in tmp_path.iterdir())


def test_a_format_given_twice_is_written_once(sqlite_sample: SampleArchive, tmp_path: Path) -> None:
    result = cli("export", "--db", sqlite_sample.url, "--out", str(tmp_path / "o"),
                 "--format", "csv", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert verify_manifest(tmp_path / "o") == []
