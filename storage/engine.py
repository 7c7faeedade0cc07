"""Engine set-up: turn a database URL into a ready SQLAlchemy engine at the schema head.

SQLite (the embedded default) gets WAL, foreign keys, a busy timeout and write
transactions that take the write lock up front; PostgreSQL goes through psycopg 3.
A database with no tables is upgraded to head on first open; one at an older revision
is refused until the user runs `palimpsest db upgrade`.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from storage.errors import DatabaseUnreachable, DatabaseURLError, SchemaOutOfDate

__all__ = [
    "alembic_config",
    "connect",
    "current_revisions",
    "display_url",
    "head_revisions",
    "normalize_url",
    "open_engine",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any constant works; it only has to be the same for every palimpsest process.
PG_UPGRADE_LOCK = 0x70616C6D


def display_url(url: URL | str) -> str:
    """The URL as shown in messages: never with the password."""
    if isinstance(url, str):
        try:
            return make_url(url).render_as_string(hide_password=True)
        except (ArgumentError, ValueError):
            return _masked(url)
    return url.render_as_string(hide_password=True)


def _masked(url: str) -> str:
    """A URL that could not be parsed, with anything like a password hidden."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def normalize_url(url: str) -> URL:
    """Parse and check a database URL; `postgresql://` means psycopg 3."""
    if not url or not url.strip():
        raise DatabaseURLError("empty database URL: give --db URL or set PALIMPSEST_DB")
    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError):
        raise DatabaseURLError(
            f"malformed database URL {_masked(url)!r}: expected sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DB"
        ) from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
            return parsed.set(drivername="postgresql+psycopg")
        raise DatabaseURLError(
            f"unsupported PostgreSQL driver in {display_url(parsed)!r}: use postgresql:// "
            "(psycopg 3)"
        )
    if backend == "sqlite":
        if parsed.drivername != "sqlite":
            raise DatabaseURLError(
                f"unsupported SQLite driver in {display_url(parsed)!r}: use sqlite:///PATH"
            )
        if parsed.host or parsed.port:
            raise DatabaseURLError(
                f"malformed SQLite URL {display_url(parsed)!r}: a host is not allowed; use sqlite:///PATH "
                "(three slashes)"
            )
        return parsed
    raise DatabaseURLError(
        f"unsupported database {backend!r} in {display_url(parsed)!r}: use sqlite:///PATH "
        "or postgresql://USER@HOST:PORT/DB"
    )


def _sqlite_engine(url: URL, read_only: bool) -> Engine:
    path = url.database or ""
    memory = path in ("", ":memory:")
    connect_args: dict[str, Any] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    if read_only and not memory:
        if not Path(path).exists():
            raise DatabaseUnreachable(f"cannot open database {path!r}: no such file")
        # A URI with mode=ro: SQLite itself refuses every write on this connection.
        url = url.set(database=Path(path).resolve().as_uri(), query={"mode": "ro", "uri": "true"})
    elif not memory:
        parent = Path(path).resolve().parent
        if not parent.is_dir():
            raise DatabaseUnreachable(
                f"cannot open database {path!r}: directory {str(parent)!r} does not exist"
            )
    engine = sa.create_engine(url, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module, so BEGIN below is ours.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not read_only and not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL never corrupts the file; it may lose the last commits
            # on power loss (not on a crash of the process), and saves an fsync a thread.
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if read_only:
            cur.execute("PRAGMA query_only=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # IMMEDIATE takes the write lock at BEGIN: two writers then queue on the busy
        # timeout instead of one failing with "database is locked" when it upgrades.
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: URL, read_only: bool) -> Engine:
    connect_args: dict[str, Any] = {"connect_timeout": 10}
    if read_only:
        connect_args["options"] = "-c default_transaction_read_only=on"
    return sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)


def connect(url: str, *, read_only: bool = False) -> Engine:
    """An engine for `url`, checked to connect; no schema check (see `open_engine`)."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed, read_only)
    else:
        engine = _postgres_engine(parsed, read_only)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnreachable(
            f"cannot connect to database {display_url(parsed)!r}: {reason}"
        ) from None
    except NoSuchModuleError as exc:  # pragma: no cover - a broken install
        engine.dispose()
        raise DatabaseURLError(f"no driver for {display_url(parsed)!r}: {exc}") from None
    return engine


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic config for our migrations, bound to `connection` when given."""
    cfg = Config(stdout=io.StringIO())  # alembic prints chatter; we print our own line
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(conn: sa.Connection) -> set[str]:
    return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to `revision`, serialized between processes on PostgreSQL."""
    from alembic import command

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_UPGRADE_LOCK})
        command.upgrade(alembic_config(conn), revision)


def _has_tables(conn: sa.Connection) -> bool:
    return bool(sa.inspect(conn).get_table_names())


def open_engine(url: str, *, read_only: bool = False, upgrade: bool = True) -> Engine:
    """An engine for the archive at `url`, with its schema at the head revision.

    An empty database is upgraded to head when `upgrade` is true (never when read-only);
    a database at another revision raises SchemaOutOfDate.
    """
    engine = connect(url, read_only=read_only)
    where = display_url(url)  # as the user wrote it, not the read-only URI built from it
    heads = head_revisions()
    try:
        with engine.connect() as conn:
            current = current_revisions(conn)
            empty = not current and not _has_tables(conn)
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseUnreachable(f"cannot read database {where!r}: {exc.orig}") from None
    if current == heads:
        return engine
    if empty and upgrade and not read_only:
        _upgrade_fn(engine)
        return engine
    engine.dispose()
    if empty:
        raise SchemaOutOfDate(
            f"database {where!r} has no palimpsest schema: run `palimpsest db upgrade`"
        )
    if not current:
        raise SchemaOutOfDate(
            f"database {where!r} has tables but no palimpsest revision: is it a palimpsest "
            "archive? (run `palimpsest db upgrade` on an empty database)"
        )
    if current - _known_revisions():
        raise SchemaOutOfDate(
            f"database {where!r} is at revision {', '.join(sorted(current))}, newer than this "
            "palimpsest knows: upgrade palimpsest"
        )
    raise SchemaOutOfDate(
        f"database {where!r} is at revision {', '.join(sorted(current))}, not "
        f"{', '.join(sorted(heads))}: run `palimpsest db upgrade`"
    )


def _known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


# `open_engine`'s keyword shadows the module function inside it.
_upgrade_fn = upgrade
