"""Research exports: a snapshot of the archive as of a time, in plain and columnar files.

`export_snapshot(engine, ExportOptions(...))` writes Parquet, CSV, JSONL and/or SQLite
files, `manifest.json` and `CODEBOOK.md` into one directory (docs/exports.md).
`snapshot_connection(engine, T)` gives a connection whose views see the archive at T
(`palimpsest sql --as-of`).
"""

from __future__ import annotations

from .asof import snapshot_connection
from .exporter import ExportResult, export_snapshot
from .manifest import verify_manifest
from .options import (
    FORMATS,
    ExportOptions,
    parse_date,
    parse_edges,
    parse_params,
    parse_timestamp,
)
from .pseudonymize import new_salt

__all__ = [
    "FORMATS",
    "ExportOptions",
    "ExportResult",
    "export_snapshot",
    "new_salt",
    "parse_date",
    "parse_edges",
    "parse_params",
    "parse_timestamp",
    "snapshot_connection",
    "verify_manifest",
]
