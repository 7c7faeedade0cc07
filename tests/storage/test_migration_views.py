"""An archive created by revision 0001 as it first shipped has, at head, exactly the views
of an archive created today (revision 0004 drops and recreates every view)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from storage.engine import connect, upgrade

SHIPPED = Path(__file__).with_name("fixtures") / "0001_views_as_shipped.sql"


def view_sql(engine: sa.Engine) -> dict[str, str]:
    """Each view's definition as the database keeps it."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'view'"))
        else:
            rows = conn.execute(
                sa.text("SELECT viewname, definition FROM pg_views WHERE schemaname = 'public'")
            )
        return {r[0]: r[1] for r in rows}


def shipped_statements() -> list[str]:
    lines = [ln for ln in SHIPPED.read_text().splitlines() if not ln.startswith("--")]
    return [s.strip() for s in "\n".join(lines).split("\n;\n") if s.strip()]


def test_an_archive_of_0001_as_shipped_gets_todays_views(db_url: str, fresh_url: str) -> None:
    old = connect(db_url)
    new = connect(fresh_url)
    try:
        # The archive as revision 0001 first created it (tables of 0001-0003 do not
        # differ from then: only current_comments was edited in place), then its head.
        upgrade(old, "0003")
        with old.begin() as conn:
            for name in sa.inspect(conn).get_view_names():
                conn.exec_driver_sql(f"DROP VIEW {name}")
            for statement in shipped_statements():
                conn.exec_driver_sql(statement)
        shipped = view_sql(old)
        assert "EXISTS" not in shipped["current_comments"].upper()  # the fixture is the old view
        upgrade(old)
        upgrade(new)
        upgraded, fresh = view_sql(old), view_sql(new)
        assert sorted(upgraded) == sorted(fresh)
        assert "thread_problems" in fresh
        for name in fresh:
            assert upgraded[name] == fresh[name], name
    finally:
        old.dispose()
        new.dispose()
