"""An INSERT prepared once per dialect and fed rows of a typed NamedTuple.

For the writer's hot statements (a row per new comment, a row per new comment
version), SQLAlchemy's
per-row parameter handling (a dict per row, every column's bind processor, the
compiled cache lookup) cost more than SQLite's own work. A `PreparedInsert` compiles
its INSERT (a plain one, or an upsert built for the dialect) once per dialect with positional parameters in the order of the NamedTuple's
fields (checked by name when it compiles), runs only the bind processors that exist for
that dialect (UTC timestamps as text on SQLite; a value the rows share, such as a
thread's one check time, converted once), and hands the rows to the driver's
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
    """`statement` (an INSERT) of rows of `row_type`, whose fields are column names."""

    def __init__(self, statement: sa.Insert, row_type: type[R]) -> None:
        self.statement = statement
        self.fields: tuple[str, ...] = row_type._fields
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is not None:
            return found
        # The dialect's own class with a positional paramstyle: parameters in field order.
        dialect_class: Any = type(dialect)
        positional = dialect_class(paramstyle="qmark" if dialect.name == "sqlite" else "format")
        stmt = self.statement
        compiled = cast(SQLCompiler, stmt.compile(dialect=positional, column_keys=list(self.fields)))
        if tuple(compiled.positiontup or ()) != self.fields:
            raise ValueError(f"{stmt.table}: parameters {compiled.positiontup} != {self.fields}")
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
                converted: dict[Any, Any] = {}
                for values in lists:
                    value = values[i]
                    if value is not None:
                        if value not in converted:
                            converted[value] = proc(value)
                        values[i] = converted[value]
            params = [tuple(values) for values in lists]
        conn.exec_driver_sql(c.sql, params)  # type: ignore[arg-type]
