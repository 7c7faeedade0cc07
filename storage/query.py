"""The read-only SQL runner behind `palimpsest sql`, and its output formats.

A query runs on a read-only engine (SQLite `mode=ro`, PostgreSQL read-only sessions),
as exactly one statement (several statements could end the read-only transaction and
start a writable one), inside a transaction that is always rolled back.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from storage.errors import InputError, ReadOnlyViolation
from storage.models import format_utc

__all__ = ["FORMATS", "QueryResult", "run_query", "write_result"]

FORMATS = ("table", "csv", "json", "jsonl")

# "because it is a view": a write aimed at a view, e.g. a table shadowed by --as-of
_READ_ONLY_MARKERS = (
    "readonly database", "read-only transaction", "query_only", "because it is a view"
)
_READ_ONLY_SQLSTATE = "25006"


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def run_query(
    engine: Engine,
    sql: str,
    *,
    params: dict[str, Any] | None = None,
    as_of: datetime | None = None,
) -> QueryResult:
    """Run one SQL statement on a read-only engine and return all its rows.

    `params` fills `:name` placeholders (bound by the driver, never pasted into the
    SQL); `as_of` makes the views (and tables) show the archive at that time
    (`storage.export.asof`).
    """
    if not sql.strip():
        raise InputError("empty SQL query")
    from storage.export.asof import apply_as_of, bind_params

    args: tuple[Any, ...] = ()
    if params:
        sql, bound = bind_params(engine.dialect, sql, params)
        args = (bound,)
    raw = engine.raw_connection()
    try:
        if as_of is not None:
            apply_as_of(raw.dbapi_connection, engine.dialect.name, as_of)
        cur = raw.cursor()
        try:
            if engine.dialect.name == "postgresql":
                # A prepared statement holds exactly one command.
                cur.execute(sql, *args, prepare=True)  # type: ignore[call-arg]
            else:
                cur.execute(sql, *args)
            columns = [d[0] for d in cur.description or ()]
            rows = [tuple(r) for r in cur.fetchall()] if cur.description else []
        except Exception as exc:
            orig: BaseException = (exc.orig if isinstance(exc, DBAPIError) else None) or exc
            message = _first_line(orig)
            if getattr(orig, "sqlstate", None) == _READ_ONLY_SQLSTATE or any(
                m in message.lower() for m in _READ_ONLY_MARKERS
            ):
                raise ReadOnlyViolation(
                    f"`palimpsest sql` is read-only; the query tried to write: {message}"
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
    return QueryResult(columns=columns, rows=rows)


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
    out.write(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})\n")


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


def rows_as_dicts(result: QueryResult) -> Iterable[dict[str, Any]]:
    """The rows as JSON-ready dicts (timestamps as UTC text)."""
    return list(_dicts(result))
