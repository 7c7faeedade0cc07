"""The archive as it stood at a time T, for one connection: shadowing temporary views.

`apply_as_of(conn, T)` creates, in the connection's temporary schema, a view for each
archive table that shows only what existed at T (versions with `valid_from <= T`, their
`valid_to` cleared when it lies after T, crawls started by T, ...), and then re-creates
every public view (`current_posts`, `comment_history`, ...) from the archive's own
definition, so that it reads the shadows. Temporary objects come first in name lookup
on both engines (SQLite's `temp` schema, PostgreSQL's `pg_temp`), so an unqualified
query sees T; schema-qualified names (`main.post_version`, `public.current_posts`)
still reach the live archive. Nothing is written to the archive: the views live and
die with the connection (or, on PostgreSQL, with the transaction if it rolls back).

Reusing the migrations' view SQL, rather than a second copy of it here, is what keeps
`--as-of` results and the live views from drifting apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table

from storage.models import Base, format_utc

__all__ = [
    "apply_as_of",
    "bind_params",
    "column_names",
    "public_view_names",
    "snapshot_connection",
    "ts_literal",
]

# table -> (the time column that must be <= T, columns that are cleared when after T).
# `source` is left alone: its rows are configuration, created whenever a crawl first ran.
_TIMED: dict[str, tuple[str, tuple[str, ...]]] = {
    "crawl": ("started_at", ("finished_at", "heartbeat_at")),
    "fetch": ("fetched_at", ()),
    "author": ("first_seen_at", ("last_seen_at",)),
    "author_alias": ("first_seen_at", ("last_seen_at",)),
    "post": ("first_seen_at", ("last_seen_at",)),
    "comment": ("first_seen_at", ("last_seen_at",)),
    "post_version": ("valid_from", ("valid_to",)),
    "comment_version": ("valid_from", ("valid_to",)),
    # Edges have a validity of their own within their version's (storage.edges).
    "reply": ("valid_from", ("valid_to",)),
    "quote": ("valid_from", ("valid_to",)),
}
# Rows that exist whenever their post does; times after T are cleared (post_state keeps
# only the latest check, so what it said at T is not known: NULL, not a later time).
_STATE = {"post_state": ("last_checked_at", "last_complete_at")}
# A thread's problems exist from the start of the crawl that found them.
_BY_CRAWL = ("thread_problem",)


def ts_literal(dialect: str, value: datetime) -> str:
    """A SQL literal for an aware datetime, in the form the archive stores it.

    Safe to inline: it is built from a datetime, never from user text.
    """
    if dialect == "sqlite":
        return f"'{format_utc(value)}'"
    iso = value.astimezone(UTC).isoformat()
    return f"TIMESTAMPTZ '{iso}'"


def _schema(dialect: str) -> str:
    return "main" if dialect == "sqlite" else "public"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def column_names(cursor: Any) -> list[str]:
    """The result columns of an executed DBAPI cursor, by name.

    PEP 249's `description` is a 7-item sequence per column whose first item is the name
    (sqlite3 gives plain tuples, psycopg Column objects), so that item is the one to read.
    """
    return [str(d[0]) for d in cursor.description or ()]


def _rows(dbapi: Any, sql: str) -> list[dict[str, Any]]:
    """The rows of `sql` on a raw DBAPI connection, each keyed by column name."""
    cur = dbapi.cursor()
    try:
        cur.execute(sql)
        names = column_names(cur)
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        cur.close()


def _one(dbapi: Any, sql: str, column: str) -> Any:
    """Column `column` of the one row `sql` returns (IndexError if none)."""
    return _rows(dbapi, sql)[0][column]


def public_view_names(dbapi: Any, dialect: str) -> list[str]:
    """The archive's views, in creation order (so dependencies come first)."""
    if dialect == "sqlite":
        sql = "SELECT name FROM main.sqlite_master WHERE type = 'view' ORDER BY rowid"
    else:
        sql = (
            "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind = 'v' ORDER BY c.oid"
        )
    return [str(r["name"]) for r in _rows(dbapi, sql)]


def _view_sql(dbapi: Any, dialect: str, name: str) -> str:
    """The SELECT of a public view, with names left unqualified."""
    if dialect == "sqlite":
        create = str(
            _one(
                dbapi,
                f"SELECT sql FROM main.sqlite_master WHERE type = 'view' AND name = {_quote(name)}",
                "sql",
            )
        )
        # "CREATE VIEW name [(cols)] AS SELECT ..." -> everything after the first AS keyword
        upper = create.upper()
        at = upper.find(" AS", upper.find("VIEW"))
        return create[at + 3 :]
    body = _one(
        dbapi,
        f"SELECT pg_get_viewdef(CAST({_quote('public.' + name)} AS regclass)) AS body",
        "body",
    )
    return str(body).strip().rstrip(";")


def _shadow_select(table: Table, schema: str, t: str) -> str:
    timed = _TIMED.get(table.name)
    cleared = timed[1] if timed else _STATE.get(table.name, ())
    cols = []
    for col in table.columns:
        q = f'"{col.name}"'
        if col.name in cleared:
            cols.append(f"CASE WHEN {q} <= {t} THEN {q} END AS {q}")
        elif table.name == "crawl" and col.name == "status":
            # a crawl still running at T had no final status yet
            cols.append(
                f"CASE WHEN finished_at IS NULL OR finished_at <= {t} THEN status"
                f" ELSE 'running' END AS status"
            )
        elif table.name == "crawl" and col.name == "stats":
            # nor its final counts
            cols.append(f"CASE WHEN finished_at <= {t} THEN stats END AS stats")
        else:
            cols.append(q)
    source = f'{schema}."{table.name}"'
    if table.name == "crawl":
        # as in the export: started by T, or recorded a version valid by T (versions
        # are dated by fetch time, crawls by the wall clock of the crawling process)
        where = (
            f"started_at <= {t}"
            f" OR id IN (SELECT crawl_id FROM {schema}.post_version WHERE valid_from <= {t})"
            f" OR id IN (SELECT crawl_id FROM {schema}.comment_version WHERE valid_from <= {t})"
        )
    elif timed:
        where = f'"{timed[0]}" <= {t}'
    elif table.name in _STATE:
        where = f"post_id IN (SELECT id FROM {schema}.post WHERE first_seen_at <= {t})"
    elif table.name in _BY_CRAWL:
        where = f"crawl_id IN (SELECT id FROM {schema}.crawl WHERE started_at <= {t})"
    else:
        raise ValueError(f"table {table.name}: no rule for what of it exists at a time")
    return f"SELECT {', '.join(cols)} FROM {source} WHERE {where}"


def apply_as_of(dbapi: Any, dialect: str, as_of: datetime) -> list[str]:
    """Make this DBAPI connection see the archive at `as_of`; returns the shadowed names.

    Works on the read-only connections of `open_engine(read_only=True)`: SQLite's
    `query_only` is lifted just for the temporary schema (the file stays `mode=ro`), and
    on PostgreSQL the views are made in a transaction explicitly set READ WRITE before
    its first statement and committed, so later read-only transactions still see them.
    The caller must not give the connection back to a pool afterwards (invalidate it).
    """
    schema = _schema(dialect)
    t = ts_literal(dialect, as_of)
    statements: list[str] = []
    if dialect == "sqlite":
        query_only = _one(dbapi, "PRAGMA query_only", "query_only")
        statements.append("PRAGMA query_only = OFF")
    else:
        dbapi.rollback()  # SET TRANSACTION must open the transaction
        statements.append("SET TRANSACTION READ WRITE")
    # Read the view definitions before any shadow exists: PostgreSQL prints a name
    # schema-qualified once a temporary object hides it.
    views = [(name, _view_sql(dbapi, dialect, name)) for name in public_view_names(dbapi, dialect)]
    if dialect != "sqlite":
        dbapi.rollback()
    shadowed: list[str] = []
    for name in [*_TIMED, *_STATE, *_BY_CRAWL]:
        table = Base.metadata.tables[name]
        statements.append(f'CREATE TEMP VIEW "{name}" AS {_shadow_select(table, schema, t)}')
        shadowed.append(name)
    for name, body in views:
        statements.append(f'CREATE TEMP VIEW "{name}" AS {body}')
        shadowed.append(name)
    if dialect == "sqlite" and query_only:
        statements.append("PRAGMA query_only = ON")
    cur = dbapi.cursor()
    try:
        for statement in statements:
            cur.execute(statement)
    finally:
        cur.close()
    dbapi.commit()
    return shadowed


def bind_params(dialect: Any, sql: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """`:name` placeholders of a user query in the driver's own style, checked.

    SQLite's driver takes `:name` itself; psycopg wants `%(name)s`, which SQLAlchemy's
    compiler produces (doubling any literal `%`). A placeholder without a value is an
    InputError naming it, before the query runs.
    """
    from sqlalchemy import text

    from storage.errors import InputError

    clause = text(sql)
    missing = sorted(set(clause._bindparams) - set(params))  # no public accessor
    if missing:
        raise InputError(f"the query uses :{missing[0]} but no value was given (--params / --param)")
    if dialect.name == "sqlite":
        return sql, params
    compiled = clause.compile(dialect=dialect)
    used = {k: v for k, v in params.items() if k in clause._bindparams}
    return compiled.string, used


@contextmanager
def snapshot_connection(engine: Engine, as_of: datetime | None) -> Iterator[Connection]:
    """A connection that sees the archive at `as_of` (or as it is, when None).

    The connection is discarded afterwards, not pooled, so no shadow outlives the block.
    """
    conn = engine.connect()
    try:
        if as_of is not None:
            dbapi = conn.connection.dbapi_connection
            apply_as_of(dbapi, conn.dialect.name, as_of)
        yield conn
    finally:
        if as_of is not None:
            conn.invalidate()
        conn.close()
