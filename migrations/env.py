"""Alembic environment: the archive's models' metadata and the app's database URL.

Used both by `palimpsest db ...` (which hands over an open connection) and by the plain
`alembic` command run from the repository root (URL from `-x db=URL`, else
PALIMPSEST_DB, else the default sqlite:///palimpsest.db).
"""

from __future__ import annotations

import os
from typing import Any

from alembic import context

from storage.models import Base

target_metadata = Base.metadata
config = context.config


# The job queue's tables (migration 0008) are procrastinate's, not the archive's models.
QUEUE_TABLE_PREFIX = "procrastinate_"


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if type_ == "table" and not reflected:
        # A model kept on some databases only (the fleet's tables: PostgreSQL).
        dialects = obj.info.get("dialects")
        if dialects is not None and context.get_bind().dialect.name not in dialects:
            return False
    if type_ == "table" and reflected and compare_to is None and name is not None:
        # Views are created by hand in the revisions; they are not tables to compare.
        return not name.startswith(QUEUE_TABLE_PREFIX) and name not in _view_names(obj)
    return True


_views: set[str] | None = None


def _view_names(table: Any) -> set[str]:
    global _views
    if _views is None:
        from sqlalchemy import inspect

        bind = context.get_bind()
        _views = set(inspect(bind).get_view_names())
    return _views


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from storage.engine import connect

    url = context.get_x_argument(as_dictionary=True).get("db") or os.environ.get(
        "PALIMPSEST_DB", "sqlite:///palimpsest.db"
    )
    engine = connect(url)
    try:
        with engine.begin() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("palimpsest migrations run online only: give a database URL")
run_migrations_online()
