"""Migrations on both databases: head on empty, down to base and up again, no drift."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from storage.engine import connect, head_revisions, open_engine
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


def test_plain_alembic_command_from_the_repository_root(db_url: str) -> None:
    """`alembic -x db=URL upgrade head` / `check` work as in CI, through pyproject.toml."""
    repo = Path(__file__).resolve().parents[2]
    alembic = Path(sys.executable).with_name("alembic")
    for args in (["upgrade", "head"], ["check"], ["current"]):
        proc = subprocess.run(
            [str(alembic), "-x", f"db={db_url}", *args],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
    # `current`, the last command, names the head the upgrade reached.
    assert all(f"{rev} (head)" in proc.stdout for rev in head_revisions())
