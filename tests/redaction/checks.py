"""Searching everywhere an archive keeps text for what a takedown must have removed.

The database's own files byte by byte (SQLite, with its write-ahead log) or every row of
every table and view (PostgreSQL), every export format, and every record of the WARC
captures, decoded. A needle is found case-insensitively, whitespace runs collapsed.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import sqlalchemy as sa
from warcio.archiveiterator import ArchiveIterator

from tests.export.helpers import all_files, cli

ALL_FORMATS = ("parquet", "csv", "jsonl", "sqlite", "graphml", "gexf", "edges")


def _flat(text: str) -> str:
    return " ".join(text.split()).casefold()


def found(haystack: str, needles: list[str]) -> list[str]:
    flat = _flat(haystack)
    return [n for n in needles if _flat(n) in flat]


def structure(url: str) -> list[tuple[Any, ...]]:
    """Every live comment's place, time and parents: what a takedown must not change."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT post_external_id, external_id, position, published_at, "
            "threaded_parent_external_id, parent_external_id FROM current_comments "
            "ORDER BY post_external_id, position"
        )).all()
        edges = conn.execute(sa.text(
            "SELECT external_id, ordinal, kind, target_kind, target_external_id "
            "FROM comment_replies ORDER BY external_id, ordinal"
        )).all()
        versions = conn.execute(sa.text("SELECT count(*) FROM comment_version")).scalar_one()
    engine.dispose()
    return [tuple(r) for r in rows] + [tuple(e) for e in edges] + [("versions", versions)]


def in_database(url: str, needles: list[str]) -> list[str]:
    """Needles in the database: its files' raw bytes (SQLite) or any row (PostgreSQL)."""
    engine = sa.create_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            path = Path(url.removeprefix("sqlite:///"))
            data = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
            text = data.decode("utf-8", errors="replace")
            # raw bytes: the text as stored, with its own whitespace, and collapsed
            return sorted({n for n in needles for form in (n, " ".join(n.split()))
                           if form.casefold() in text.casefold()})  # fmt: skip
        hits: set[str] = set()
        insp = sa.inspect(engine)
        with engine.connect() as conn:
            for name in [*insp.get_table_names(), *insp.get_view_names()]:
                for row in conn.execute(sa.text(f'SELECT x::text FROM "{name}" x')):
                    hits.update(found(row[0], needles))
        return sorted(hits)
    finally:
        engine.dispose()


def in_exports(url: str, out: Path, needles: list[str]) -> list[str]:
    """Needles in an export of every format (tables, threads, networks, manifest, codebook)."""
    args = [a for f in ALL_FORMATS for a in ("--format", f)]
    result = cli("export", "--db", url, "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    hits = set()
    for path in all_files(out):
        if path.suffix == ".parquet":
            text = json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False)
        else:
            text = path.read_bytes().decode("utf-8", errors="replace")
        hits.update(f"{path.name}: {n}" for n in found(text, needles) + found(html.unescape(text), needles))
    return sorted(hits)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def in_warcs(directory: Path, needles: list[str]) -> list[str]:
    """Needles in any record of the WARC files in `directory`, bodies decoded."""
    hits = set()
    paths = sorted(directory.glob("*.warc.gz"))
    assert paths, f"no WARC files in {directory}"
    for path in paths:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                text = record.content_stream().read().decode("utf-8", errors="replace")
                forms = [text, html.unescape(text)]
                try:
                    forms += [html.unescape(s) for s in _strings(json.loads(text))]
                except ValueError:
                    pass
                for form in forms:
                    hits.update(f"{path.name}: {n}" for n in found(form, needles))
    return sorted(hits)
