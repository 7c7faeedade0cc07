"""Round trip: an export as of T reads back (pandas/pyarrow, DuckDB, the SQLite file)
into the same rows and values as `palimpsest sql --as-of T` on the archive."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from storage.engine import open_engine
from storage.export import ExportOptions, export_snapshot
from storage.query import run_query
from tests.export.conftest import SampleArchive
from tests.export.helpers import norm

# view -> (export table, key columns, compared columns, timestamp columns)
CASES: dict[str, tuple[str, list[str], list[str]]] = {
    "current_posts": (
        "posts",
        ["post_id"],
        ["post_id", "source_key", "external_id", "url", "title", "author_name", "author_key",
         "published_at", "modified_at", "body_text", "version", "first_seen_at", "last_seen_at"],
    ),
    "current_comments": (
        "comments",
        ["comment_id"],
        ["comment_id", "post_id", "post_external_id", "external_id", "author_name",
         "author_key", "author_url", "published_at", "parent_external_id", "body_text",
         "own_text", "version", "first_seen_at", "last_seen_at"],
    ),
    "comment_replies": (
        "replies",
        ["comment_id", "ordinal"],
        ["comment_id", "external_id", "ordinal", "kind", "raw_name", "target_kind",
         "target_external_id", "resolved_by"],
    ),
    "comment_quotes": (
        "quotes",
        ["comment_id", "ordinal"],
        ["comment_id", "external_id", "ordinal", "quoted_text", "source_kind",
         "source_external_id"],
    ),
}
TS = {"published_at", "modified_at", "first_seen_at", "last_seen_at", "valid_from", "valid_to"}


def _canon(rows: list[dict[str, Any]], columns: list[str], keys: list[str]) -> list[tuple[Any, ...]]:
    out = [tuple(norm(r[c], ts=c in TS) for c in columns) for r in rows]
    idx = [columns.index(k) for k in keys]
    return sorted(out, key=lambda t: tuple(int(t[i]) for i in idx))


def _archive(url: str, sql: str, as_of: Any) -> list[dict[str, Any]]:
    engine = open_engine(url, read_only=True)
    try:
        result = run_query(engine, sql, as_of=as_of)
    finally:
        engine.dispose()
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def _pandas(df: pd.DataFrame) -> list[dict[str, Any]]:
    df = df.astype(object).where(df.notna(), None)
    return df.to_dict("records")  # type: ignore[return-value]


def test_export_reads_back_like_sql_as_of(sample: SampleArchive, tmp_path: Path) -> None:
    when = sample.night1
    out = tmp_path / "snap"
    engine = open_engine(sample.url, read_only=True)
    try:
        export_snapshot(engine, ExportOptions(out=out, as_of=when,
                                              formats=("parquet", "csv", "sqlite")))
    finally:
        engine.dispose()
    exported_db = sqlite3.connect(out / "palimpsest.sqlite")
    exported_db.row_factory = sqlite3.Row
    duck = duckdb.connect()
    for view, (table, keys, columns) in CASES.items():
        cols = ", ".join(columns)
        expected = _canon(_archive(sample.url, f"SELECT {cols} FROM {view}", when), columns, keys)
        assert expected, f"{view} is empty as of {when}: the test would prove nothing"
        readers = {
            "pyarrow": pq.read_table(out / f"{table}.parquet", columns=columns).to_pylist(),
            "pandas parquet": _pandas(pd.read_parquet(out / f"{table}.parquet", columns=columns)),
            "pandas csv": _pandas(
                pd.read_csv(out / f"{table}.csv", dtype=str, keep_default_na=False,
                            na_values=[""], usecols=columns)
            ),
            "duckdb parquet": duck.sql(
                f"SELECT {cols} FROM read_parquet('{out / table}.parquet')"
            ).df().pipe(_pandas),
            "duckdb csv": duck.sql(
                f"SELECT {cols} FROM read_csv('{out / table}.csv', all_varchar = true)"
            ).df().pipe(_pandas),
            "sqlite views": [dict(r) for r in exported_db.execute(f"SELECT {cols} FROM {view}")],
        }
        for reader, rows in readers.items():
            got = _canon(rows, columns, keys)
            assert got == expected, f"{view} via {reader} differs from sql --as-of"
    # history: one row per version up to T, in both
    for view, kind in (("comment_history", "comment"), ("post_history", "post")):
        history = _archive(sample.url, f"SELECT version, valid_to FROM {view}", when)
        got = duck.sql(
            f"SELECT version, valid_to FROM read_parquet('{out}/versions.parquet') WHERE kind = '{kind}'"
        ).fetchall()
        assert len(got) == len(history)
        assert sorted(norm(r[1], ts=True) or "" for r in got) == sorted(
            norm(r["valid_to"], ts=True) or "" for r in history
        )
    changes = _archive(sample.url, "SELECT kind, version FROM changes", when)
    exported = [tuple(r) for r in exported_db.execute("SELECT kind, version FROM changes")]
    assert sorted(exported) == sorted((r["kind"], r["version"]) for r in changes)
