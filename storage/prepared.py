"""One INSERT prepared once per dialect and fed rows of a typed NamedTuple.

For the writer's one hot statement (a row per new comment version), SQLAlchemy's
per-row parameter handling (a dict per row, every column's bind processor, the
compiled cache lookup) cost more than SQLite's own work. A `PreparedInsert` compiles
its INSERT once per dialect with positional parameters in the order of the NamedTuple's
fields (checked by name when it compiles), runs only the bind processors that exist for
that dialect (UTC timestamps as text on SQLite), and hands the rows to the driver's
executemany (`exec_driver_sql`, so errors are still SQLAlchemy's DBAPIError). The rows
are built by field name; the SQL and values are what `conn.execute(insert, dicts)`
would send.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, NamedTuple, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.compiler import SQLCompiler

__all__ = ["PreparedInsert"]

R = TypeVar("R", bound=NamedTuple)
_Processor = Callable[[Any], Any]


class _Compiled(NamedTuple):
    sql: str
    processors: tuple[tuple[int, _Processor], ...]  # (field index, bind processor)


class PreparedInsert(Generic[R]):
    """INSERT INTO `table` of rows of `row_type`, whose fields are column names."""

    def __init__(self, table: sa.Table, row_type: type[R]) -> None:
        self.table = table
        self.fields: tuple[str, ...] = row_type._fields
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is not None:
            return found
        # The dialect's own class with a positional paramstyle: parameters in field order.
        dialect_class: Any = type(dialect)
        positional = dialect_class(paramstyle="qmark" if dialect.name == "sqlite" else "format")
        stmt = sa.insert(self.table)
        compiled = cast(SQLCompiler, stmt.compile(dialect=positional, column_keys=list(self.fields)))
        if tuple(compiled.positiontup or ()) != self.fields:
            raise ValueError(f"{self.table.name}: parameters {compiled.positiontup} != {self.fields}")
        processors = []
        for i, name in enumerate(self.fields):
            type_ = compiled.binds[name].type
            proc = type_.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                processors.append((i, proc))
        found = _Compiled(sql=str(compiled), processors=tuple(processors))
        self._compiled[dialect.name] = found
        return found

    def execute(self, conn: Connection, rows: Sequence[R]) -> None:
        """Insert `rows` (one driver executemany)."""
        if not rows:
            return
        c = self._compile(conn.dialect)
        params: Sequence[Sequence[Any]] = rows
        if c.processors:
            lists = [list(row) for row in rows]
            for i, proc in c.processors:
                for values in lists:
                    if values[i] is not None:
                        values[i] = proc(values[i])
            params = [tuple(values) for values in lists]
        conn.exec_driver_sql(c.sql, params)  # type: ignore[arg-type]
