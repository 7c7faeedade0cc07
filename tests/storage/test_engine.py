"""open_engine: URL checks, connection errors, SQLite settings, schema revision checks."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from storage.engine import (
    SQLITE_BUSY_TIMEOUT_MS,
    current_revisions,
    head_revisions,
    normalize_url,
    open_engine,
    upgrade,
)
from storage.errors import DatabaseUnreachable, DatabaseURLError, SchemaOutOfDate


def closed_port() -> int:
    """A 127.0.0.1 port nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "sqlite//x.db",
        "nope://x",
        "mysql://root@127.0.0.1/x",
        "postgresql://h:notaport/db",
        "sqlite://host/x.db",
        "postgresql+asyncpg://u@h/db",
    ],
)
def test_malformed_urls_are_named_in_the_error(url: str) -> None:
    with pytest.raises(DatabaseURLError) as info:
        open_engine(url)
    assert "\n" not in str(info.value)
    if url.strip():
        assert url.strip() in str(info.value)
    else:
        assert str(info.value).startswith("empty database URL")


def test_password_is_never_shown() -> None:
    with pytest.raises(DatabaseURLError) as info:
        open_engine("postgresql://u:hunter2@h:notaport/db")
    assert "hunter2" not in str(info.value)
    with pytest.raises(DatabaseUnreachable) as info2:
        open_engine(f"postgresql://u:hunter2@127.0.0.1:{closed_port()}/db")
    assert "hunter2" not in str(info2.value)


def test_postgresql_scheme_means_psycopg3() -> None:
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


def test_unreachable_server_and_missing_directory(tmp_path: object) -> None:
    with pytest.raises(DatabaseUnreachable, match="127.0.0.1"):
        open_engine(f"postgresql://postgres@127.0.0.1:{closed_port()}/test")
    with pytest.raises(DatabaseUnreachable, match="does not exist"):
        open_engine(f"sqlite:///{tmp_path}/no/such/dir/a.db")


def test_sqlite_settings(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
    engine.dispose()


def test_empty_database_is_upgraded_to_head(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        assert current_revisions(conn) == head_revisions()
        views = set(sa.inspect(conn).get_view_names())
    assert {
        "current_posts",
        "current_comments",
        "post_history",
        "comment_history",
        "comment_replies",
        "comment_quotes",
        "changes",
    } <= views


def test_older_revision_is_refused(db_url: str) -> None:
    from storage.engine import connect

    engine = connect(db_url)
    upgrade(engine, "0001")
    engine.dispose()
    with pytest.raises(SchemaOutOfDate, match="palimpsest db upgrade"):
        open_engine(db_url)


def test_unknown_newer_revision_is_refused(engine: sa.Engine, db_url: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaOutOfDate, match="newer"):
        open_engine(db_url)


def test_read_only_engine_refuses_writes(engine: sa.Engine, db_url: str) -> None:
    ro = open_engine(db_url, read_only=True)
    try:
        with pytest.raises(sa.exc.DBAPIError), ro.begin() as conn:
            conn.execute(sa.text("DELETE FROM source"))
        with ro.connect() as conn:  # reading works
            assert conn.execute(sa.text("SELECT count(*) FROM source")).scalar() == 0
    finally:
        ro.dispose()


def test_read_only_on_empty_database_does_not_create_schema(sqlite_url: str) -> None:
    from storage.engine import connect

    connect(sqlite_url).dispose()  # creates the empty file
    with pytest.raises(SchemaOutOfDate, match="no palimpsest schema"):
        open_engine(sqlite_url, read_only=True)
    with pytest.raises(SchemaOutOfDate, match="no palimpsest schema"):
        open_engine(sqlite_url, upgrade=False)
