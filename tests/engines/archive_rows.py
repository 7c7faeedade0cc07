"""What an engine crawl left in the archive: each comment's history and reply edges."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

__all__ = ["edges", "history"]


def history(db_url: str) -> list[Any]:
    """(comment external id, deleted, body_text) of every comment version, oldest first."""
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = list(conn.execute(sa.text(
            "SELECT c.external_id, v.deleted, v.body_text FROM comment_version v "
            "JOIN comment c ON c.id = v.comment_id ORDER BY c.external_id, v.id")))
    engine.dispose()
    return [(r.external_id, bool(r.deleted), r.body_text) for r in rows]


def edges(db_url: str) -> set[tuple[str, str, str | None]]:
    """(comment, kind, target) of the reply edges of the current comment versions."""
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = list(conn.execute(sa.text(
            "SELECT c.external_id, r.kind, r.target_external_id FROM reply r "
            "JOIN comment_version v ON v.id = r.comment_version_id JOIN comment c ON c.id = v.comment_id "
            "WHERE v.valid_to IS NULL")))
    engine.dispose()
    return {(r.external_id, r.kind, r.target_external_id) for r in rows}
