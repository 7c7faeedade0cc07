"""Cell values in their exported forms: one fixed spelling per kind, for every format.

Fixed spellings (timestamps always with microseconds and 'Z', JSON with sorted keys
and no spaces, booleans as true/false) are what make two exports byte-identical.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from storage.models import format_utc, parse_utc

from .tables import Kind

__all__ = ["LINE_BREAKS", "as_datetime", "dumps", "format_utc", "json_cell", "text_cell"]


# Characters that str.splitlines() and some JSONL readers take for line breaks; JSON
# lets them stand raw, so they are escaped to keep one record on one line for everyone.
LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def dumps(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept except line-break characters."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.translate(LINE_BREAKS)


def as_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from what the database returned (datetime or ISO text)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:  # the archive stores UTC; a naive value is UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    return parse_utc(str(value))


def _as_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):  # JSON text from a driver that did not decode it
        value = json.loads(value)
    return [str(v) for v in value]


def _canonical(value: Any) -> Any:
    """Objects with sorted keys, all the way down (PostgreSQL's jsonb and SQLite's JSON
    text keep keys in different orders)."""
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _as_object(value: Any) -> Any:
    if isinstance(value, str):
        value = json.loads(value)
    return _canonical(value)


def json_cell(kind: Kind, value: Any) -> Any:
    """The value as it goes into JSON (JSONL): ids and timestamps as strings."""
    if value is None:
        return None
    if kind == "id":
        return str(value)
    if kind == "ts":
        return format_utc(as_datetime(value))  # type: ignore[arg-type]
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    if kind == "list":
        return _as_list(value)
    if kind == "json":
        return _as_object(value)
    return str(value)


def text_cell(kind: Kind, value: Any) -> str | None:
    """The value as text (CSV, SQLite text columns); None stays None."""
    if value is None:
        return None
    if kind == "bool":
        return "true" if value else "false"
    if kind in ("list", "json"):
        return dumps(json_cell(kind, value))
    cell = json_cell(kind, value)
    return str(cell)
