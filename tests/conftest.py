"""Shared pytest configuration: plugins every test directory can use."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The test WordPress fixtures (wordpress_site, fresh_wordpress_site): tests/wordpress/fixtures.py
pytest_plugins = ["tests.wordpress.fixtures"]


# ---------------------------------------------------------------------------------------
# Database fixtures (storage). Reuse these; do not write your own.
#
#   db_url      parametrized: a fresh SQLite file, then a fresh PostgreSQL database
#               (uniquely named, dropped afterwards). Tests using it run on both.
#   sqlite_url  a fresh SQLite file only.     pg_url  a fresh PostgreSQL database only.
#   engine      open_engine(db_url): schema at head.   archive  Archive(engine).
#   crawl       a function: archive.start_crawl() of the test source (registered first).
#
# PostgreSQL comes from PALIMPSEST_TEST_POSTGRES_URL; when it is unset or unreachable
# the PostgreSQL cases skip saying why, or fail if PALIMPSEST_REQUIRE_SERVICES=1.
# ---------------------------------------------------------------------------------------

# `palimpsest sql`'s read-only PostgreSQL role. Roles belong to the whole server, which
# other test sessions share: this session has its own name, and drops it at the end.
READER_ROLE = f"palimpsest_reader_t{uuid.uuid4().hex[:12]}"
os.environ["PALIMPSEST_READER_ROLE"] = READER_ROLE


def grant_reader(engine: Any) -> None:
    """Set up this session's reader role on a PostgreSQL archive (as `db upgrade` does)."""
    if engine.dialect.name == "postgresql":
        from storage.reader import ensure_reader_role

        line = ensure_reader_role(engine, READER_ROLE)
        assert line.startswith(f"read-only role {READER_ROLE} may read"), line


@pytest.fixture(scope="session", autouse=True)
def _drop_reader_role() -> Iterator[None]:
    yield
    base = os.environ.get("PALIMPSEST_TEST_POSTGRES_URL")
    if not base:
        return
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    admin = sa.create_engine(
        make_url(base).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 5},
    )
    try:
        with admin.connect() as conn:
            # Its grants went with the test databases; one still left keeps the role.
            conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{READER_ROLE}"')
    except sa.exc.DBAPIError:
        pass
    finally:
        admin.dispose()


def service_unavailable(reason: str) -> None:
    """Skip for a missing service, or fail when CI demands every service."""
    if os.environ.get("PALIMPSEST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (PALIMPSEST_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def _fresh_postgres_database() -> Iterator[str]:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    base = os.environ.get("PALIMPSEST_TEST_POSTGRES_URL")
    if not base:
        service_unavailable("PostgreSQL: PALIMPSEST_TEST_POSTGRES_URL is not set")
    assert base is not None
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"palimpsest_test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        service_unavailable(f"PostgreSQL at {url.render_as_string()} is unreachable: {exc.orig}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'archive.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _fresh_postgres_database()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.db'}"
    else:
        yield from _fresh_postgres_database()


@pytest.fixture
def fresh_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database of the same kind as `db_url`."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        yield from _fresh_postgres_database()


@pytest.fixture
def engine(db_url: str) -> Iterator[Any]:
    from storage.engine import open_engine

    eng = open_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def archive(engine: Any) -> Any:
    from storage.archive import Archive

    return Archive(engine)


@pytest.fixture
def crawl(archive: Any) -> Any:
    """A function opening a new crawl of the test source (tests.factories.SOURCE_KEY)."""
    from tests.factories import SOURCE_KEY

    archive.ensure_source(SOURCE_KEY, "Test blog", "https://blog.example/", "wordpress")
    return lambda: archive.start_crawl(SOURCE_KEY, "test")
