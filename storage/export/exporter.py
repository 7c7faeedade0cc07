"""Run an export: stream each table of the snapshot through every requested format.

One read transaction (REPEATABLE READ and READ ONLY on PostgreSQL; one SQLite read
transaction) makes all tables agree with each other even while crawls write. Each table
is read once and each batch handed to every format's writer; JSONL threads, which
nest comments in posts, are a second walk over the four thread tables.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from storage.errors import InputError
from storage.models import Author, AuthorAlias, Reply, Source, redaction_t

from . import codebook, manifest
from .asof import snapshot_connection
from .csv_format import CsvTable
from .jsonl_format import JsonlTable, write_threads
from .network import NetworkBuilder
from .network_formats import write_network
from .options import ExportOptions
from .parquet_format import ParquetTable
from .pseudonymize import Pseudonymizer
from .snapshot import Row, Scope, Snapshot
from .sqlite_format import SqliteExport
from .tables import TABLES, TableSpec
from .values import as_datetime, format_utc

__all__ = ["ExportResult", "export_snapshot"]

_THREAD_TABLES = ("posts", "comments", "replies", "quotes")


class _Writer(Protocol):
    def write(self, rows: list[Row]) -> None: ...
    def close(self) -> list[Path]: ...


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: its directory, files and row counts."""

    out: Path
    files: list[Path]
    row_counts: dict[str, int]
    manifest: Path


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"--out {str(out)!r} exists and is not an empty directory")


def _revision(conn: Connection) -> str | None:
    try:
        rows = conn.execute(sa.text("SELECT version_num FROM alembic_version ORDER BY 1"))
        return ",".join(r.version_num for r in rows) or None
    except sa.exc.DBAPIError:
        return None


def _known_names(conn: Connection, sources: tuple[str, ...]) -> Iterator[str]:
    """Every author name, key, slug and @-name in the archive (for pseudonymization)."""
    authors = sa.select(Author.display_name, Author.key, Author.external_id).join(
        Source, Source.id == Author.source_id
    )
    aliases = sa.select(AuthorAlias.raw_name).join(Author, Author.id == AuthorAlias.author_id)
    if sources:
        authors = authors.where(Source.key.in_(sources))
    for row in conn.execute(authors):
        yield from (v for v in (row.display_name, row.key, row.external_id) if v)
    yield from conn.scalars(aliases)
    at_names = sa.select(Reply.raw_name).where(Reply.raw_name.is_not(None)).distinct()
    yield from (name for name in conn.scalars(at_names) if name)


def _write_networks(
    network: NetworkBuilder, options: ExportOptions, out: Path, counts: dict[str, int]
) -> list[Path]:
    """The network files: network.* for the whole scope, or networks/post-N.* per thread."""
    files: list[Path] = []
    counts["network_nodes"] = counts["network_edges"] = 0
    for net in network.networks():
        graph = {"as_of": format_utc(options.as_of), "nodes": options.nodes,
                 "edge_kinds": ",".join(options.edges)}
        if net.post_id is None:
            directory, stem = out, "network"
        else:
            directory, stem = out / "networks", f"post-{net.post_id}"
            graph["post_id"] = str(net.post_id)
        files += write_network(net, directory, stem, options.network_formats, graph, options.as_of)
        counts["network_nodes"] += len(net.nodes)
        counts["network_edges"] += len(net.edges)
    return files


def _redactions(conn: Connection, sources: tuple[str, ...]) -> list[dict[str, Any]]:
    """The takedowns this export honours (every one made before it, whatever its as-of
    time): what kind, where and when, for the manifest. Never a name or a reason."""
    r = redaction_t.c
    query = (
        sa.select(r.id, r.kind, Source.key.label("source_key"), r.post_external_id,
                  r.comment_external_id, r.redacted_at)
        .join(Source, Source.id == r.source_id).order_by(r.id)
    )  # fmt: skip
    if sources:
        query = query.where(Source.key.in_(sources))
    return [
        {**dict(row), "redacted_at": format_utc(as_datetime(row.redacted_at))}  # type: ignore[arg-type]
        for row in conn.execute(query).mappings()
    ]


def _begin_snapshot(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def export_snapshot(engine: Engine, options: ExportOptions) -> ExportResult:
    """Write the snapshot `options` asks for into `options.out`; see docs/exports.md.

    The files are written into a hidden sibling directory that is renamed to `out` only
    once the manifest is written: a failed export leaves nothing that looks complete.
    """
    out = options.out
    _check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        names: list[str] = []
        if options.pseudonymize:
            # Every name the archive knows, not only those seen by T: text from before T
            # can name someone first seen after it.
            with engine.connect() as conn:
                names = list(_known_names(conn, options.sources))
        # The as-of views first: they must exist before the read transaction begins.
        with snapshot_connection(engine, options.as_of) as conn:
            files, counts = _write(conn, options, work, names)
        work.chmod(0o755)  # mkdtemp's 0700 would keep collaborators out
        if out.exists():
            out.rmdir()  # empty, checked above
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return ExportResult(
        out=out,
        files=[out / f.relative_to(work) for f in files],
        row_counts=counts,
        manifest=out / manifest.FILE_NAME,
    )


def _write(
    conn: Connection, options: ExportOptions, out: Path, names: list[str]
) -> tuple[list[Path], dict[str, int]]:
    """Every file of the export into `out`, from one read transaction on `conn`."""
    scope = Scope(
        as_of=options.as_of,
        sources=options.sources,
        published_from=options.published_from,
        published_before=options.published_before,
    )
    _begin_snapshot(conn)
    snap = Snapshot(conn, scope, options.batch_size)
    sources = snap.sources()
    missing = sorted(set(options.sources) - {s["key"] for s in sources})
    if missing:
        raise InputError(f"--source {missing[0]!r} is not a source in this archive")
    pseudo = Pseudonymizer(options.salt or "", names) if options.pseudonymize else None
    files: list[Path] = []
    counts: dict[str, int] = {}
    crawls = manifest.CrawlSpan()
    sqlite_export = SqliteExport(out) if "sqlite" in options.formats else None
    network = (
        NetworkBuilder(options.nodes, options.edges, options.per_thread)
        if options.network_formats else None
    )

    def rows_of(spec: TableSpec) -> Iterator[list[Row]]:
        batches: Iterator[list[Row]] = getattr(snap, spec.name)()
        for batch in batches:
            yield pseudo.rows(spec, batch) if pseudo else batch

    for spec in TABLES:
        writers: list[_Writer] = []
        if "parquet" in options.formats:
            writers.append(ParquetTable(out, spec))
        if "csv" in options.formats:
            writers.append(CsvTable(out, spec))
        if "jsonl" in options.formats and spec.name not in _THREAD_TABLES:
            writers.append(JsonlTable(out, spec))
        if sqlite_export is not None:
            writers.append(sqlite_export.table(spec))
        collector = network.table(spec) if network is not None else None
        if collector is not None:
            writers.append(collector)
        count = 0
        for batch in rows_of(spec):
            count += len(batch)
            if spec.name == "crawls":
                for r in batch:
                    crawls.add(as_datetime(r["started_at"]), as_datetime(r["finished_at"]), str(r["crawl_id"]))
            for writer in writers:
                writer.write(batch)
        counts[spec.name] = count
        for writer in writers:
            files += writer.close()
    if "jsonl" in options.formats:
        tables = {spec.name: spec for spec in TABLES}
        files.append(write_threads(out, *(rows_of(tables[n]) for n in _THREAD_TABLES)))
    if sqlite_export is not None:
        files += sqlite_export.close()
    if network is not None:
        files += _write_networks(network, options, out, counts)
    files.append(codebook.write_codebook(out, options))
    files.append(manifest.write_manifest(
        out,
        options,
        dialect=conn.dialect.name,
        revision=_revision(conn),
        sources=sources,
        crawls=crawls,
        row_counts=counts,
        files=files,
        redactions=_redactions(conn, options.sources),
    ))
    conn.rollback()
    return files, counts
