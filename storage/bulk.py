"""Prepared statements: compiled once per dialect, run on the driver with plain tuples.

SQLAlchemy's `conn.execute(stmt, rows)` builds a parameter dict and runs every column's
bind processor for each row, and wraps every result row; for the writer's hottest
statements (comment rows, comment versions, their replies and quotes, the reads of a
thread's current versions) that cost more than the database's own work. A
`BulkStatement` compiles its statement once per dialect, runs only the bind and result
processors that exist for that dialect (UTC timestamps as text on SQLite, booleans,
JSON), and goes through `exec_driver_sql` (so errors are still SQLAlchemy's DBAPIError).
The SQL and the values are what `conn.execute(stmt, ...)` would produce and return.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.compiler import SQLCompiler

from storage.models import UTCDateTime
from storage.timestamps import sqlite_utc_processor

__all__ = ["BulkStatement"]

_Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Indexes into `keys` in the order of the SQL's parameters (positional paramstyles,
    # a parameter may repeat), or None for named ones, which take dicts.
    order: tuple[int, ...] | None
    processors: tuple[tuple[int, _Processor], ...]  # bind processors, by index in keys
    results: tuple[tuple[int, _Processor], ...]  # result processors, by column index


class BulkStatement:
    """`stmt` with its parameters given as tuples of `keys`, in that order.

    For an INSERT the keys are its columns; for other statements, the names of their
    `sa.bindparam`s. `execute` runs it once per row (one driver executemany); `fetch`
    runs it once and returns the result rows as tuples.
    """

    def __init__(self, stmt: sa.ClauseElement, keys: Sequence[str]) -> None:
        self.stmt = stmt
        self.keys = tuple(keys)
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        key = (dialect.name, dialect.paramstyle)
        found = self._compiled.get(key)
        if found is not None:
            return found
        columns = list(self.keys) if isinstance(self.stmt, sa.Insert) else None
        compiled = cast(SQLCompiler, self.stmt.compile(dialect=dialect, column_keys=columns))
        names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
        if set(names) != set(self.keys):
            raise ValueError(f"statement parameters {names} are not {self.keys}: {compiled}")
        index = {k: i for i, k in enumerate(self.keys)}
        processors = []
        for k in self.keys:
            type_ = compiled.binds[k].type
            proc: _Processor | None = type_.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None and dialect.name == "sqlite" and isinstance(type_, UTCDateTime):
                proc = sqlite_utc_processor(proc)  # one distinct time per comment: faster
            if proc is not None:
                processors.append((index[k], proc))
        results = []
        # What a SELECT selects, or what an INSERT/UPDATE returns (empty if nothing).
        returned = getattr(self.stmt, "exported_columns", ())
        for i, col in enumerate(returned):
            proc = col.type.dialect_impl(dialect).result_processor(dialect, None)
            if proc is not None:
                results.append((i, proc))
        found = _Compiled(
            sql=str(compiled),
            order=tuple(index[n] for n in names) if compiled.positional else None,
            processors=tuple(processors),
            results=tuple(results),
        )
        self._compiled[key] = found
        return found

    def _params(self, c: _Compiled, rows: Sequence[Sequence[Any]]) -> list[Any]:
        params: list[Any] = list(rows)
        if c.processors:
            params = [list(row) for row in params]
            for i, proc in c.processors:
                _process_column(params, i, proc)
        if c.order is None:
            return [dict(zip(self.keys, values, strict=True)) for values in params]
        if c.order == tuple(range(len(self.keys))):
            return [tuple(values) for values in params]  # the driver wants tuples
        return [tuple([values[i] for i in c.order]) for values in params]

    def execute(self, conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
        """Run the statement once per row (one driver executemany)."""
        if not rows:
            return
        c = self._compile(conn.dialect)
        conn.exec_driver_sql(c.sql, self._params(c, rows))

    def execute_one(self, conn: Connection, values: Sequence[Any]) -> int:
        """Run the statement once with `values` (in `keys` order); the rows it changed."""
        c = self._compile(conn.dialect)
        return int(conn.exec_driver_sql(c.sql, self._params(c, [values])[0]).rowcount)

    def fetch(self, conn: Connection, values: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Run the statement once with `values` (in `keys` order); its rows, processed."""
        c = self._compile(conn.dialect)
        found = conn.exec_driver_sql(c.sql, self._params(c, [values])[0]).fetchall()
        if not c.results:
            return [tuple(r) for r in found]
        rows = [list(r) for r in found]
        for i, proc in c.results:
            _process_column(rows, i, proc)
        return [tuple(r) for r in rows]


def _process_column(rows: list[list[Any]], i: int, proc: _Processor) -> None:
    """Column `i` of `rows` through `proc`, once per run of the same object.

    The writer binds one fetch time, one crawl id, NULLs, to every row: a processor is
    a pure function of its value, so the same object gives the same result.
    """
    last_in: Any = rows  # a sentinel no value can be
    last_out: Any = None
    for values in rows:
        v = values[i]
        if v is not last_in:
            last_in, last_out = v, proc(v)
        values[i] = last_out
