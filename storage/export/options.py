"""What an export is asked for: the as-of time, formats, scope, pseudonymization.

The command line hands strings; this module turns them into an `ExportOptions` value
and rejects bad input with an `InputError` that names the value, never a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from storage.errors import InputError

from .network_tables import EDGE_KINDS, NETWORK_FORMATS, NODE_KINDS

__all__ = [
    "FORMATS",
    "ExportOptions",
    "parse_date",
    "parse_edges",
    "parse_params",
    "parse_timestamp",
]

FORMATS = ("parquet", "csv", "jsonl", "sqlite", *NETWORK_FORMATS)


def parse_timestamp(value: str, option: str = "--as-of") -> datetime:
    """An ISO 8601 date or date-time as an aware UTC datetime (naive input is UTC).

    A bare date means its midnight UTC.
    """
    text = value.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{option} {value!r} is not an ISO 8601 date or time "
            "(e.g. 2026-11-27 or 2026-11-27T22:00:00Z)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_date(value: str, option: str) -> date:
    """An ISO 8601 calendar date (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date in the form YYYY-MM-DD") from None


def parse_edges(value: str) -> tuple[str, ...]:
    """`--edges threaded,quote`: edge kinds, comma-separated, each one of EDGE_KINDS."""
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in EDGE_KINDS]
    if unknown or not kinds:
        raise InputError(
            f"--edges {value!r}: {unknown[0] + ' is not' if unknown else 'give'} one of "
            f"{', '.join(EDGE_KINDS)} (comma-separated)"
        )
    return kinds


def parse_params(params_json: str | None, params: tuple[str, ...] = ()) -> dict[str, Any]:
    """SQL parameters from `--params JSON` (an object) and repeated `--param name=value`.

    Values from `--param` stay strings; use `--params` for numbers, booleans or null.
    """
    bound: dict[str, Any] = {}
    if params_json:
        try:
            loaded = json.loads(params_json)
        except ValueError as exc:
            raise InputError(f"--params {params_json!r} is not valid JSON: {exc}") from None
        if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
            raise InputError(f"--params {params_json!r} must be a JSON object of name: value")
        for name, val in loaded.items():
            if isinstance(val, (dict, list)):
                raise InputError(f"--params value of {name!r} must be a string, number, boolean or null")
        bound.update(loaded)
    for item in params:
        name, sep, val = item.partition("=")
        if not sep or not name.strip().isidentifier():
            raise InputError(f"--param {item!r} must be name=value")
        bound[name.strip()] = val
    return bound


@dataclass(frozen=True, kw_only=True)
class ExportOptions:
    """One export: where, as of when, which formats, which slice, pseudonymized or not."""

    out: Path
    as_of: datetime  # aware UTC
    formats: tuple[str, ...] = ("parquet", "csv")
    sources: tuple[str, ...] = ()  # source keys; empty = all
    since: date | None = None  # posts published on or after this day (UTC)
    until: date | None = None  # posts published on or before this day (UTC)
    pseudonymize: bool = False
    salt: str | None = None  # required when pseudonymize is set (the caller generates one)
    topic: dict[str, Any] | None = None  # the topic definition, passed in by the caller
    batch_size: int = field(default=2000)
    # the network formats (graphml, gexf, edges): what a node is, which edges, per thread
    nodes: str = "authors"
    edges: tuple[str, ...] = EDGE_KINDS
    per_thread: bool = False

    def __post_init__(self) -> None:
        # a format given twice would open two writers on one file
        object.__setattr__(self, "formats", tuple(dict.fromkeys(self.formats)))
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown:
            raise InputError(f"--format {unknown[0]!r} is not one of {', '.join(FORMATS)}")
        if not self.formats:
            raise InputError("--format: at least one format is needed")
        if self.since and self.until and self.since > self.until:
            raise InputError(f"--since {self.since} is after --until {self.until}")
        if self.pseudonymize and not self.salt:
            raise InputError("--pseudonymize needs a salt")
        if self.nodes not in NODE_KINDS:
            raise InputError(f"--nodes {self.nodes!r} is not one of {', '.join(NODE_KINDS)}")
        object.__setattr__(self, "edges", tuple(k for k in EDGE_KINDS if k in self.edges))
        if not self.edges:
            raise InputError(f"--edges: at least one of {', '.join(EDGE_KINDS)} is needed")

    @property
    def network_formats(self) -> tuple[str, ...]:
        """The requested formats that write a network (graphml, gexf, edges)."""
        return tuple(f for f in self.formats if f in NETWORK_FORMATS)

    @property
    def published_from(self) -> datetime | None:
        """Lower bound (inclusive) on a post's published_at, from --since."""
        if self.since is None:
            return None
        return datetime.combine(self.since, time(0), tzinfo=UTC)

    @property
    def published_before(self) -> datetime | None:
        """Upper bound (exclusive) on a post's published_at: the day after --until."""
        if self.until is None:
            return None
        return datetime.combine(self.until + timedelta(days=1), time(0), tzinfo=UTC)
