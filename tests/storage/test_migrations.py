"""Migrations on both databases: head on empty, down to base and up again, no drift."""

from __future__ import annotations

import sqlalchemy as sa

from storage.engine import connect, open_engine
from storage.schema import check_database, downgrade_database, upgrade_database


def names(url: str) -> tuple[set[str], set[str]]:
    engine = connect(url)
    try:
        insp = sa.inspect(engine)
        return set(insp.get_table_names()), set(insp.get_view_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_and_check(db_url: str) -> None:
    assert "upgraded from none" in upgrade_database(db_url)
    tables, views = names(db_url)
    assert {"post", "comment_version", "reply", "quote", "fetch"} <= tables
    assert "current_comments" in views
    assert "no drift" in check_database(db_url)

    downgrade_database(db_url, "base")
    tables, views = names(db_url)
    assert tables <= {"alembic_version"} and not views

    upgrade_database(db_url)
    assert "no drift" in check_database(db_url)
    assert "already at" in upgrade_database(db_url)
    open_engine(db_url).dispose()  # at head: opens without complaint
