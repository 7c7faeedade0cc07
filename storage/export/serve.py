"""Browsing the archive in Datasette (the optional `serve` extra), read-only.

A SQLite archive is served from its own file: immutable when its write-ahead log is
empty (no crawl is writing; Datasette then caches counts and never locks), otherwise
in SQLite's read-only mode so rows still in the WAL are shown. A PostgreSQL archive is
first exported (as of now) to a temporary SQLite snapshot with the same views, and
that file is served immutable; Datasette does not read PostgreSQL. Either way Datasette
runs read-only SELECTs under a time limit, on 127.0.0.1 unless `--host` says otherwise
(then `listen_warning` says what that exposes).
"""

from __future__ import annotations

import ipaddress
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from sqlalchemy import Engine

from storage.errors import ConfigError

from .exporter import export_snapshot
from .options import ExportOptions
from .sqlite_format import FILE_NAME

__all__ = ["SQL_TIME_LIMIT_MS", "ServedFile", "listen_warning", "run_datasette", "served_file"]

# Datasette stops a SQL query after this long (its sql_time_limit_ms setting).
SQL_TIME_LIMIT_MS = 5000


@dataclass(frozen=True)
class ServedFile:
    """The SQLite file Datasette opens, and how."""

    path: Path
    immutable: bool
    snapshot_of: str | None = None  # "postgresql" when it is an export of the archive


def _wal_is_empty(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return not wal.exists() or wal.stat().st_size == 0


@contextmanager
def served_file(engine: Engine) -> Iterator[ServedFile]:
    """The file to serve for this archive; a PostgreSQL snapshot lives for the block."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database or ""
        if database.startswith("file:"):  # the read-only engine holds a file: URI
            database = url2pathname(urlsplit(database).path)
        path = Path(database)
        yield ServedFile(path=path, immutable=_wal_is_empty(path))
        return
    with tempfile.TemporaryDirectory(prefix="palimpsest-serve-") as tmp:
        out = Path(tmp) / "archive"
        export_snapshot(
            engine,
            ExportOptions(out=out, as_of=datetime.now(UTC), formats=("sqlite",)),
        )
        yield ServedFile(path=out / FILE_NAME, immutable=True, snapshot_of="postgresql")


def _metadata(served: ServedFile) -> dict[str, Any]:
    note = (
        "A snapshot of the PostgreSQL archive taken when `palimpsest serve` started."
        if served.snapshot_of
        else "The archive, read-only."
    )
    return {
        "title": "palimpsest archive",
        "description": f"{note} Start with the views: current_posts, current_comments, "
        "comment_replies, comment_quotes, post_history, comment_history, changes.",
    }


def run_datasette(served: ServedFile, host: str, port: int) -> None:
    """Serve the file until interrupted (Ctrl-C)."""
    try:
        import uvicorn
        from datasette.app import Datasette
    except ImportError:
        raise ConfigError(
            "palimpsest serve needs Datasette: pip install 'palimpsest-archive[serve]'"
        ) from None
    kwargs: dict[str, Any] = {"metadata": _metadata(served), "settings": {"sql_time_limit_ms": SQL_TIME_LIMIT_MS}}
    if served.immutable:
        kwargs["immutables"] = [str(served.path)]
    else:
        kwargs["files"] = [str(served.path)]  # Datasette opens these with mode=ro
    ds = Datasette(**kwargs)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")


def listen_warning(host: str) -> str | None:
    """A warning when `host` makes Datasette listen beyond this machine, else None."""
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host.strip("[]")).is_loopback:
            return None
    except ValueError:
        pass  # a host name: it may resolve to any interface
    return (
        f"--host {host} serves the archive beyond this machine: anyone who can reach "
        "the port can read it and run SQL queries on it (docs/security.md)"
    )
