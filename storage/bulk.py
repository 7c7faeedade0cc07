"""Bulk statements: one INSERT (or upsert) run as a driver executemany of plain tuples.

SQLAlchemy's executemany builds a parameter dict and runs every column's bind processor
for each row; for the writer's hottest statements (comment rows, comment versions,
their replies and quotes) that cost more than the database's own work. A
`BulkStatement` compiles its statement once per dialect, runs only the bind processors
that exist for that dialect (UTC timestamps as text on SQLite, booleans), and hands the
rows to the driver's executemany. The SQL and the stored values are what
`conn.execute(stmt, rows)` would produce.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

__all__ = ["BulkStatement"]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Column indexes in the order of the SQL's parameters (positional paramstyles), or
    # None for named ones, which take dicts.
    order: tuple[int, ...] | None
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]


class BulkStatement:
    """`stmt` (an insert into `table`) for rows given as tuples of `keys`, in that order."""

    def __init__(self, stmt: sa.Insert, table: sa.Table, keys: Sequence[str]) -> None:
        self.stmt = stmt
        self.table = table
        self.keys = tuple(keys)
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        key = (dialect.name, dialect.paramstyle)
        found = self._compiled.get(key)
        if found is not None:
            return found
        compiled = self.stmt.compile(dialect=dialect, column_keys=list(self.keys))
        names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
        if sorted(names) != sorted(self.keys):
            raise ValueError(f"{self.table.name}: statement parameters {names} are not {self.keys}")
        index = {k: i for i, k in enumerate(self.keys)}
        processors = []
        for i, k in enumerate(self.keys):
            proc = self.table.c[k].type.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                processors.append((i, proc))
        found = _Compiled(
            sql=str(compiled),
            order=tuple(index[n] for n in names) if compiled.positional else None,
            processors=tuple(processors),
        )
        self._compiled[key] = found
        return found

    def execute(self, conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
        """Run the statement once per row (one driver executemany)."""
        if not rows:
            return
        c = self._compile(conn.dialect)
        params: list[Any] = list(rows)
        if c.processors:
            params = [list(row) for row in params]
            for values in params:
                for i, proc in c.processors:
                    values[i] = proc(values[i])
        if c.order is None:
            params = [dict(zip(self.keys, values, strict=True)) for values in params]
        elif c.order == tuple(range(len(self.keys))):
            params = [tuple(values) for values in params]  # the driver wants tuples
        else:
            params = [tuple([values[i] for i in c.order]) for values in params]
        conn.exec_driver_sql(c.sql, params)
