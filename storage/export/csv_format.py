"""CSV export: one UTF-8 file per table, RFC 4180 (comma, CRLF, double-quote escaping).

A header row of column names; empty cell for NULL; timestamps, lists and JSON in the
fixed spellings of `values.py`.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO

from .snapshot import Row
from .tables import TableSpec
from .values import text_cell

__all__ = ["CsvTable"]


class CsvTable:
    """Writes one table to DIR/<table>.csv, a batch at a time."""

    def __init__(self, out: Path, spec: TableSpec) -> None:
        self.spec = spec
        self.path = out / f"{spec.name}.csv"
        # newline="": the csv module writes the CRLF itself, as RFC 4180 wants
        self._file: IO[str] = self.path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        self._writer.writerow(spec.names)

    def write(self, rows: list[Row]) -> None:
        cols = self.spec.columns
        self._writer.writerows([[text_cell(c.kind, r.get(c.name)) for c in cols] for r in rows])

    def close(self) -> list[Path]:
        self._file.close()
        return [self.path]
