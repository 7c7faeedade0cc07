"""The read-only PostgreSQL role that user-written SQL (`palimpsest sql`) logs in as.

A read-only transaction does not stop a superuser's `COPY ... TO PROGRAM` or
`pg_read_file`, and `SET ROLE` inside a superuser's session does not either: one query
can switch back (`RESET ROLE`, `set_config('role', ...)` before `query_to_xml(...)`).
So the query's session logs in as a role that has nothing more to switch back to:

    palimpsest_reader   LOGIN, not superuser, no CREATEDB/CREATEROLE/REPLICATION/
                        BYPASSRLS; CONNECT on the archive database, USAGE on schema
                        public, SELECT on its tables and views (now and, through
                        ALTER DEFAULT PRIVILEGES, those later migrations create)

`ensure_reader_role` sets it up (`palimpsest db upgrade`); `open_query_engine` picks
the session a query runs in and refuses one that could do more than read
(`unsafe_reason`). docs/security.md has the whole picture.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError

from storage.engine import display_url, normalize_url, open_engine
from storage.errors import DatabaseError, DatabaseUnreachable, InputError, ReadOnlyViolation

__all__ = [
    "DEFAULT_ROLE",
    "check_role_name",
    "ensure_reader_role",
    "open_query_engine",
    "reader_url",
    "unsafe_reason",
]

DEFAULT_ROLE = "palimpsest_reader"
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Built-in roles whose members reach the server's files or programs, or write anywhere.
_DANGEROUS_ROLES = (
    "pg_read_server_files", "pg_write_server_files", "pg_execute_server_program",
    "pg_write_all_data",
)


def check_role_name(role: str) -> str:
    """The role name, checked to be a plain lower-case SQL identifier."""
    if not _ROLE_NAME.fullmatch(role):
        raise InputError(
            f"reader role name {role!r} must be lower-case letters, digits and _ (at most 63)"
        )
    return role


def reader_url(db_url: str | URL, role: str) -> URL:
    """`db_url` with the reader's user name and no password (for trust or peer auth)."""
    url = normalize_url(db_url) if isinstance(db_url, str) else db_url
    return url.set(username=check_role_name(role), password=None)


def unsafe_reason(conn: sa.Connection, role: str | None = None) -> str | None:
    """Why `role` (default: the session's login user) could do more than read, or None.

    The login user (`session_user`) is what counts, not `current_user`: a query can
    always return to it with RESET ROLE.
    """
    name = role or str(conn.exec_driver_sql("SELECT session_user").scalar_one())
    row = conn.execute(
        sa.text(
            "SELECT r.rolsuper,"
            " pg_has_role(r.oid, d.datdba, 'MEMBER') AS owns_db,"
            " EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            "   WHERE n.nspname = 'public' AND pg_has_role(r.oid, c.relowner, 'MEMBER'))"
            "   AS owns_tables,"
            " (SELECT string_agg(g, ', ') FROM unnest(CAST(:dangerous AS text[])) AS g"
            "   WHERE pg_has_role(r.oid, g, 'MEMBER')) AS server_roles,"
            " EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            "   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
            "   AND has_table_privilege(r.oid, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE'))"
            "   AS writes,"
            " has_schema_privilege(r.oid, 'public', 'CREATE')"
            "   OR has_database_privilege(r.oid, d.oid, 'CREATE') AS creates"
            " FROM pg_roles r, pg_database d"
            " WHERE r.rolname = :name AND d.datname = current_database()"
        ),
        {"name": name, "dangerous": list(_DANGEROUS_ROLES)},
    ).one_or_none()
    if row is None:
        return f"role {name!r} does not exist"
    if row.rolsuper:
        return f"{name} is a superuser"
    if row.owns_db or row.owns_tables:
        return f"{name} owns the archive"
    if row.server_roles:
        return f"{name} is a member of {row.server_roles}"
    if row.writes:
        return f"{name} may write the archive's tables"
    if row.creates:
        return f"{name} may create objects in the archive database"
    return None


def ensure_reader_role(engine: Engine, role: str = DEFAULT_ROLE) -> str:
    """Create `role` if need be and grant it SELECT on the archive; the line to print.

    Idempotent, and safe beside another upgrade doing the same. A connecting user that
    may not create roles or grant gets a line saying what to run instead, not an error.
    """
    role = check_role_name(role)
    q = f'"{role}"'
    with engine.connect() as conn:
        db = str(conn.exec_driver_sql("SELECT current_database()").scalar_one())
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).scalar_one_or_none()
    hint = f"as a superuser, run `palimpsest db upgrade --reader-role {role}` on this archive"
    statements = [
        f'GRANT CONNECT ON DATABASE "{db}" TO {q}',
        f"GRANT USAGE ON SCHEMA public TO {q}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {q}",
        # tables and views a later migration creates (as this same user) are covered too
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {q}",
        f"REVOKE CREATE ON SCHEMA public FROM {q}",
        # PostgreSQL 15's default, and what PostgreSQL 14 and older need for the reader
        # to create nothing: only the owner creates in the archive's schema
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f'REVOKE CREATE ON DATABASE "{db}" FROM {q}',
    ]
    if not exists:
        # Two upgrades at once may both try: the loser's CREATE fails and is let go.
        statements.insert(
            0,
            "DO $$ BEGIN CREATE ROLE "
            f"{q} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT;"
            " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        )
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return f"read-only role {role} not set up ({reason}): {hint}"
    with engine.connect() as conn:
        unsafe = unsafe_reason(conn, role)
    if unsafe:
        raise DatabaseError(
            f"the read-only role {role} can do more than read ({unsafe}): revoke that, or "
            "choose another name with --reader-role"
        )
    return (
        f"read-only role {role} may read the archive; for `palimpsest sql` over a password "
        f"login: ALTER ROLE {role} PASSWORD '...', then --reader-db "
        f"{display_url(reader_url(engine.url, role).set(password='...'))} "
        "(or PALIMPSEST_READER_DB)"
    )


def _try_open(url: str) -> Engine | None:
    try:
        return open_engine(url, read_only=True)
    except DatabaseUnreachable:
        return None


def open_query_engine(db_url: str, *, reader_db: str | None = None, role: str = DEFAULT_ROLE) -> Engine:
    """The read-only engine user-written SQL runs on.

    SQLite: the archive opened read-only (the authorizer is added per query, see
    `storage.query_guard`). PostgreSQL: `reader_db` when given; else `db_url` logged in
    as `role` (works where the server trusts local users); else `db_url` itself. The
    session chosen must pass `unsafe_reason`, or ReadOnlyViolation says how to set the
    reader up.
    """
    parsed = normalize_url(db_url)
    if parsed.get_backend_name() == "sqlite":
        return open_engine(db_url, read_only=True)
    setup = (
        f"run `palimpsest db upgrade` (as the archive's owner) to create the read-only role "
        f"{role}, then pass its URL with --reader-db or PALIMPSEST_READER_DB"
    )
    engine: Engine | None = None
    if reader_db:
        engine = open_engine(reader_db, read_only=True)
    elif parsed.username != role:
        engine = _try_open(reader_url(parsed, role).render_as_string(hide_password=False))
    if engine is None:
        engine = open_engine(db_url, read_only=True)
    try:
        with engine.connect() as conn:
            unsafe = unsafe_reason(conn)
    except BaseException:
        engine.dispose()
        raise
    if unsafe:
        engine.dispose()
        raise ReadOnlyViolation(
            f"refusing to run SQL on {display_url(engine.url)}: {unsafe}; {setup}"
        )
    return engine
