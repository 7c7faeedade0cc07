"""SQLite export: one self-contained file, `palimpsest.sqlite`, with the archive's views.

The exported tables become SQLite tables (ids and timestamps as text, in the same
spellings as the CSV; lists and objects as JSON text; booleans 0/1), and the archive's
public views (`current_posts`, `current_comments`, `post_history`, `comment_history`,
`comment_replies`, `comment_quotes`, `changes`) are defined over them, so a query
written against the archive runs unchanged on the snapshot. The file is written with
a rollback journal (no WAL) and rows in export order, so equal input gives equal bytes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from .snapshot import Row
from .tables import TABLES, Kind, TableSpec
from .values import text_cell

__all__ = ["FILE_NAME", "VIEWS", "SqliteExport"]

FILE_NAME = "palimpsest.sqlite"

_SQL_TYPES: dict[Kind, str] = {
    "id": "TEXT", "text": "TEXT", "int": "INTEGER", "bool": "INTEGER",
    "ts": "TEXT", "list": "TEXT", "json": "TEXT",
}

_RENAMED_POST = (
    "a.title IS b.title AND a.body_text IS b.body_text AND a.published_at IS b.published_at"
    " AND a.author_name IS NOT b.author_name"
)
_RENAMED_COMMENT = (
    "a.body_text IS b.body_text AND a.own_text IS b.own_text AND a.author_url IS b.author_url"
    " AND a.published_at IS b.published_at AND a.parent_external_id IS b.parent_external_id"
    " AND a.threaded_parent_external_id IS b.threaded_parent_external_id"
    " AND a.author_name IS NOT b.author_name"
)

# The archive's public views, over the exported tables (same names and columns).
VIEWS: dict[str, str] = {
    "current_posts": """
        SELECT post_id, source_key, external_id, url, title, author_name, author_key,
               published_at, published_raw, modified_at, body_text, version, first_seen_at,
               last_seen_at,
               tags, categories, body_html, comment_count_displayed, valid_from, crawl_id,
               version_id AS post_version_id
        FROM posts""",
    "current_comments": """
        SELECT comment_id, post_id, post_external_id, external_id, author_name, author_key,
               author_url, published_at, published_raw, published_approximate,
               parent_external_id, body_text, own_text, version, edited, edited_at,
               first_seen_at, last_seen_at, threaded_parent_external_id, body_html,
               position, page, valid_from, crawl_id, version_id AS comment_version_id,
               source_key
        FROM comments""",
    "post_history": """
        SELECT post_id, source_key, external_id, version, valid_from, valid_to, crawl_id,
               deleted, title, author_name, author_key, published_at, published_raw,
               modified_at, tags,
               categories, body_text, body_html, comment_count_displayed, content_hash,
               version_id AS post_version_id
        FROM versions WHERE kind = 'post'""",
    "comment_history": """
        SELECT comment_id, post_id, post_external_id, external_id, version, valid_from,
               valid_to, crawl_id, deleted, removed_as, edited, edited_at,
               author_name, author_key, author_url,
               published_at, published_raw, published_approximate,
               threaded_parent_external_id, parent_external_id, body_text,
               own_text, body_html, position, page, content_hash,
               version_id AS comment_version_id, source_key
        FROM versions WHERE kind = 'comment'""",
    "comment_replies": """
        SELECT comment_id, external_id, target_kind, target_external_id, kind, raw_name,
               resolved_by, ordinal, post_id, version_id AS comment_version_id
        FROM replies""",
    "comment_quotes": """
        SELECT comment_id, external_id, ordinal, quoted_text, source_kind,
               source_external_id, source_url, post_id, version_id AS comment_version_id
        FROM quotes""",
    "changes": f"""
        SELECT a.crawl_id, a.post_id, a.comment_id, a.version,
               CASE WHEN b.version_id IS NULL THEN 'added'
                    WHEN a.deleted AND NOT b.deleted THEN 'deleted'
                    WHEN b.deleted AND NOT a.deleted THEN 'restored'
                    WHEN a.kind = 'post' AND {_RENAMED_POST} THEN 'renamed'
                    WHEN a.kind = 'comment' AND {_RENAMED_COMMENT} THEN 'renamed'
                    ELSE 'edited' END AS kind,
               a.valid_from, a.source_key, a.post_external_id,
               CASE WHEN a.kind = 'comment' THEN a.external_id END AS comment_external_id
        FROM versions a
        LEFT JOIN versions b ON b.kind = a.kind AND b.post_id = a.post_id
             AND b.comment_id IS a.comment_id AND b.version = a.version - 1""",
}


def _cell(kind: Kind, value: Any) -> Any:
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind == "bool":
        return 1 if value else 0
    return text_cell(kind, value)


class _SqliteTable:
    def __init__(self, db: sqlite3.Connection, spec: TableSpec) -> None:
        self.db = db
        self.spec = spec
        marks = ", ".join("?" for _ in spec.columns)
        self.insert = f'INSERT INTO "{spec.name}" VALUES ({marks})'

    def write(self, rows: list[Row]) -> None:
        cols = self.spec.columns
        self.db.executemany(self.insert, [[_cell(c.kind, r.get(c.name)) for c in cols] for r in rows])

    def close(self) -> list[Path]:
        return []  # the file is closed once, by SqliteExport


class SqliteExport:
    """The export database: create it, hand out a writer per table, finish it."""

    def __init__(self, out: Path) -> None:
        self.path = out / FILE_NAME
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = DELETE")
        self.db.execute("BEGIN")
        for spec in TABLES:
            cols = ", ".join(f'"{c.name}" {_SQL_TYPES[c.kind]}' for c in spec.columns)
            self.db.execute(f'CREATE TABLE "{spec.name}" ({cols})')

    def table(self, spec: TableSpec) -> _SqliteTable:
        return _SqliteTable(self.db, spec)

    def close(self) -> list[Path]:
        for name, body in VIEWS.items():
            self.db.execute(f'CREATE VIEW "{name}" AS {body}')
        # indexes after the bulk insert: faster, and the same bytes whatever the batch size
        self.db.execute("CREATE INDEX ix_comments_post ON comments (post_id, position)")
        self.db.execute("CREATE INDEX ix_versions_item ON versions (kind, post_id, comment_id, version)")
        self.db.execute("COMMIT")
        self.db.close()
        return [self.path]
