"""The read-only SQL runner behind `palimpsest sql`, and its output formats.

A query runs on a read-only engine (SQLite `mode=ro`, PostgreSQL read-only sessions
logged in as the reader role: `storage.reader.open_query_engine`), as exactly one
statement (several statements could end the read-only transaction and start a
writable one) of a query kind, under a time limit and, on SQLite, an authorizer
(`storage.query_guard`), inside a transaction that is always rolled back.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from storage.errors import InputError, ReadOnlyViolation
from storage.models import format_utc
from storage.query_guard import DEFAULT_TIMEOUT_S, check_statement_kind, sqlite_guard

__all__ = ["FORMATS", "QueryResult", "run_query", "write_result"]

FORMATS = ("table", "csv", "json", "jsonl")

# "because it is a view": a write aimed at a view, e.g. a table shadowed by --as-of
_READ_ONLY_MARKERS = (
    "readonly database", "read-only transaction", "query_only", "because it is a view"
)
_READ_ONLY_SQLSTATE = "25006"
# insufficient_privilege; dblink's "password is required" for a non-superuser
_REFUSED_SQLSTATES = ("42501", "2F003")
# SQLite's authorizer said no
_REFUSED_MARKERS = ("not authorized", "authorization denied")
_TIMEOUT_SQLSTATE = "57014"  # query_canceled: statement_timeout
_TIMEOUT_MARKERS = ("interrupted",)  # SQLite's progress handler stopped it


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool = False  # more rows than max_rows: only the first max_rows are here


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def run_query(
    engine: Engine,
    sql: str,
    *,
    params: dict[str, Any] | None = None,
    as_of: datetime | None = None,
    timeout_s: float | None = DEFAULT_TIMEOUT_S,
    max_rows: int | None = None,
) -> QueryResult:
    """Run one SQL query on a read-only engine and return its rows.

    `params` fills `:name` placeholders (bound by the driver, never pasted into the
    SQL); `as_of` makes the views (and tables) show the archive at that time
    (`storage.export.asof`); `timeout_s` stops the statement (None: no limit);
    `max_rows` keeps the first rows only and says so (`QueryResult.truncated`).
    """
    if not sql.strip():
        raise InputError("empty SQL query")
    dialect = engine.dialect.name
    check_statement_kind(sql, dialect)
    from storage.export.asof import apply_as_of, bind_params

    args: tuple[Any, ...] = ()
    if params:
        sql, bound = bind_params(engine.dialect, sql, params)
        args = (bound,)
    raw = engine.raw_connection()
    denied: list[str] = []
    try:
        if as_of is not None:
            apply_as_of(raw.dbapi_connection, engine.dialect.name, as_of)
        cur = raw.cursor()
        try:
            if dialect == "postgresql":
                if timeout_s is not None:
                    # Local to this transaction; the timer of the statement below starts
                    # with it, so the query cannot lift it for itself.
                    cur.execute(
                        "SELECT set_config('statement_timeout', %s, true)",
                        (f"{max(1, round(timeout_s * 1000))}ms",),
                    )
                # A prepared statement holds exactly one command.
                cur.execute(sql, *args, prepare=True)  # type: ignore[call-arg]
                columns, rows, truncated = _fetch(cur, max_rows)
            else:
                with sqlite_guard(raw.dbapi_connection, timeout_s) as denied:
                    cur.execute(sql, *args)
                    columns, rows, truncated = _fetch(cur, max_rows)
        except Exception as exc:
            orig: BaseException = (exc.orig if isinstance(exc, DBAPIError) else None) or exc
            message = _first_line(orig)
            if dialect == "sqlite" and denied:
                message = f"{denied[0]} is not allowed ({message})"
            sqlstate = getattr(orig, "sqlstate", None)
            lowered = message.lower()
            if denied or sqlstate in _REFUSED_SQLSTATES or any(
                m in lowered for m in _REFUSED_MARKERS
            ):
                raise ReadOnlyViolation(f"`palimpsest sql` is read-only; refused: {message}") from None
            if sqlstate == _READ_ONLY_SQLSTATE or any(m in lowered for m in _READ_ONLY_MARKERS):
                raise ReadOnlyViolation(
                    f"`palimpsest sql` is read-only; the query tried to write: {message}"
                ) from None
            if sqlstate == _TIMEOUT_SQLSTATE or (
                dialect == "sqlite" and any(m in lowered for m in _TIMEOUT_MARKERS)
            ):
                raise InputError(
                    f"query stopped at the time limit of {timeout_s:g} s (--timeout): {message}"
                ) from None
            if "multiple commands" in message or "one statement at a time" in message:
                raise InputError(
                    f"`palimpsest sql` runs one statement at a time: {message}"
                ) from None
            if isinstance(orig, (KeyboardInterrupt, SystemExit)):
                raise
            raise InputError(f"query failed: {message}") from None
        finally:
            cur.close()
    finally:
        try:
            raw.rollback()
        finally:
            if as_of is not None:
                raw.invalidate()  # its temporary as-of views must not go back to the pool
            raw.close()
    return QueryResult(columns=columns, rows=rows, truncated=truncated)


def _fetch(cur: Any, max_rows: int | None) -> tuple[list[str], list[tuple[Any, ...]], bool]:
    """The columns and up to `max_rows` rows of an executed cursor; True if more were left.

    The rows stay tuples in the order of `columns`: they are the user's own query's, in
    its own column order, for the output formats (names can repeat: `SELECT 1 AS a, 2 AS a`).
    """
    from storage.export.asof import column_names

    if not cur.description:
        return [], [], False
    columns = column_names(cur)
    if max_rows is None:
        return columns, [tuple(r) for r in cur.fetchall()], False
    rows = [tuple(r) for r in cur.fetchmany(max_rows + 1)]
    return columns, rows[:max_rows], len(rows) > max_rows


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_utc(value) if value.tzinfo is not None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return value


def _text(value: Any) -> str:
    value = _jsonable(value)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _dicts(result: QueryResult) -> Iterator[dict[str, Any]]:
    for row in result.rows:
        yield {c: _jsonable(v) for c, v in zip(result.columns, row, strict=True)}


def _table(result: QueryResult, out: TextIO) -> None:
    # Newlines and tabs would break the grid: show them escaped.
    cells = [
        [_text(v).replace("\n", "\\n").replace("\t", "\\t") for v in row] for row in result.rows
    ]
    widths = [
        max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(result.columns)
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    out.write(line(result.columns) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    out.writelines(line(row) + "\n" for row in cells)
    n = len(result.rows)
    more = "; more were left out: raise --max-rows" if result.truncated else ""
    out.write(f"({'first ' if result.truncated else ''}{n} row{'s' if n != 1 else ''}{more})\n")


def write_result(result: QueryResult, fmt: str, out: TextIO) -> None:
    """Write `result` to `out` as table, csv, json (one array) or jsonl."""
    if fmt == "table":
        _table(result, out)
    elif fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_text(v) for v in row] for row in result.rows)
        out.write(buf.getvalue())
    elif fmt == "json":
        json.dump(list(_dicts(result)), out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif fmt == "jsonl":
        out.writelines(json.dumps(obj, ensure_ascii=False) + "\n" for obj in _dicts(result))
    else:
        raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
