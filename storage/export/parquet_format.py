"""Parquet export: one file per table through pyarrow, with an explicit schema.

Ids are strings, timestamps `timestamp[us, tz=UTC]`, lists `list<string>`. The writer
settings are pinned (zstd level 3, dictionary encoding, statistics, format 2.6, one row
group per batch) so the same rows always give the same bytes; pyarrow's `created_by`
names only its version and nothing time-dependent goes into the metadata.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .snapshot import Row
from .tables import Kind, TableSpec
from .values import as_datetime, json_cell, text_cell

__all__ = ["ParquetTable", "arrow_schema"]

_TYPES: dict[Kind, pa.DataType] = {
    "id": pa.string(),
    "text": pa.string(),
    "int": pa.int64(),
    "bool": pa.bool_(),
    "ts": pa.timestamp("us", tz="UTC"),
    "list": pa.list_(pa.string()),
    "json": pa.string(),
}


def arrow_schema(spec: TableSpec) -> pa.Schema:
    """The Arrow schema of an exported table."""
    return pa.schema([pa.field(c.name, _TYPES[c.kind], nullable=True) for c in spec.columns])


def _cell(kind: Kind, value: Any) -> Any:
    if value is None:
        return None
    if kind == "ts":
        return as_datetime(value)
    if kind in ("id", "text", "json"):
        return text_cell(kind, value)
    return json_cell(kind, value)


class ParquetTable:
    """Writes one table to DIR/<table>.parquet, a row group per batch."""

    def __init__(self, out: Path, spec: TableSpec) -> None:
        self.spec = spec
        self.path = out / f"{spec.name}.parquet"
        self.schema = arrow_schema(spec)
        self._writer = pq.ParquetWriter(
            self.path,
            self.schema,
            compression="zstd",
            compression_level=3,
            use_dictionary=True,
            write_statistics=True,
            version="2.6",
        )

    def write(self, rows: list[Row]) -> None:
        if not rows:
            return
        arrays = [
            pa.array([_cell(c.kind, r.get(c.name)) for r in rows], type=self.schema.field(c.name).type)
            for c in self.spec.columns
        ]
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self) -> list[Path]:
        self._writer.close()
        return [self.path]
