"""Re-derived edges: reply and quote rows get a validity of their own; comment hashes cover the comment's own fields.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

A comment's @-reply and mention edges, its quotes' sources, the parent an @-reply gives
it and its own text are derived from the whole thread, so they change when another
comment is written, edited or deleted. They used to be part of the comment's content
hash, so such a change made a new version of a comment that never changed (issue 17).
From now on:

* `comment_version.content_hash` covers the comment's own fields only (author, author
  URL, time, threaded parent as the site shows it, text, links): scheme
  `palimpsest-comment-2` (storage.hashing). This revision rehashes every stored
  version, so the next crawl of an unchanged comment finds its hash equal.
* `reply` and `quote` rows have `valid_from`, `valid_to` and `crawl_id`: the writer
  closes a comment version's edges and inserts the new ones when they are derived
  anew, and the version itself is left alone. Existing edges are valid from their
  version's `valid_from`, by its crawl. One current edge per ordinal of a version
  (`uq_reply_current`, `uq_quote_current`, on rows with `valid_to IS NULL`).
* `comment_replies` and `comment_quotes` show the current edges only (their columns
  are unchanged; the validity is on the `reply` and `quote` rows).

The hash and the link extraction are written out here, not imported, so this revision
stays what it is when it ships (as 0004 does with its views).
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import lxml.html
import sqlalchemy as sa
from alembic import op
from lxml import etree

from storage.models import UTCDateTime, format_utc

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EDGES = ("reply", "quote")
_BATCH = 1000

COMMENT_REPLIES = """
SELECT c.id AS comment_id, c.external_id, r.target_kind, r.target_external_id, r.kind,
       r.raw_name, r.resolved_by, r.ordinal, c.post_id, cv.id AS comment_version_id
FROM reply r
JOIN comment_version cv ON cv.id = r.comment_version_id
JOIN comment c ON c.id = cv.comment_id
WHERE cv.valid_to IS NULL AND NOT cv.deleted AND r.valid_to IS NULL
"""

COMMENT_QUOTES = """
SELECT c.id AS comment_id, c.external_id, q.ordinal, q.quoted_text, q.source_kind,
       q.source_external_id, q.source_url, c.post_id, cv.id AS comment_version_id
FROM quote q
JOIN comment_version cv ON cv.id = q.comment_version_id
JOIN comment c ON c.id = cv.comment_id
WHERE cv.valid_to IS NULL AND NOT cv.deleted AND q.valid_to IS NULL
"""


def _views_of_0004() -> list[tuple[str, str]]:
    module = importlib.import_module("migrations.versions.0004_views_problems_last_complete")
    views: list[tuple[str, str]] = module.VIEWS
    return views


def _drop_every_view() -> None:
    bind = op.get_bind()
    for name in sa.inspect(bind).get_view_names():
        op.execute(f'DROP VIEW IF EXISTS "{name}"')


def _create_views(replaced: dict[str, str]) -> None:
    for name, sql in _views_of_0004():
        op.execute(f"CREATE VIEW {name} AS {replaced.get(name, sql)}")


def _link_hrefs(html: str) -> list[str]:
    """The sorted set of `<a href>` targets of a fragment (crawler.normalize.links as of now)."""
    if not html or ("<a" not in html and "<A" not in html):
        return []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    return sorted({str(a.get("href")).strip() for a in root.iter("a") if a.get("href") is not None})


def _text(value: str | None) -> str | None:
    return None if value is None else " ".join(value.split())


def comment_hash_2(row: Any) -> str:
    """palimpsest-comment-2 of a stored comment version (storage.hashing.comment_hash)."""
    published: datetime | None = row.published_at
    fields = [
        ["author_raw", _text(row.author_raw)],
        ["author_url", row.author_url],
        ["published_at", None if published is None else format_utc(published)],
        ["threaded_parent_external_id", row.threaded_parent_external_id],
        ["body_text", _text(row.body_text)],
        ["links", _link_hrefs(row.body_html)],
    ]
    payload = json.dumps(["palimpsest-comment-2", fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def _rehash_comment_versions() -> None:
    bind = op.get_bind()
    cv = sa.table(
        "comment_version",
        sa.column("id", sa.Integer()),
        sa.column("content_hash", sa.String()),
        sa.column("author_raw", sa.Text()),
        sa.column("author_url", sa.Text()),
        sa.column("published_at", UTCDateTime()),
        sa.column("threaded_parent_external_id", sa.String()),
        sa.column("body_text", sa.Text()),
        sa.column("body_html", sa.Text()),
    )
    update = sa.update(cv).where(cv.c.id == sa.bindparam("vid")).values(
        content_hash=sa.bindparam("h")
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(cv).where(cv.c.id > last).order_by(cv.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return
        bind.execute(update, [{"vid": r.id, "h": comment_hash_2(r)} for r in rows])
        last = rows[-1].id


def upgrade() -> None:
    _drop_every_view()
    for name in _EDGES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("valid_from", UTCDateTime(), nullable=True))
            batch_op.add_column(sa.Column("valid_to", UTCDateTime(), nullable=True))
            batch_op.add_column(sa.Column("crawl_id", sa.Integer(), nullable=True))
        # Existing edges: derived when their version was written, by its crawl.
        op.execute(
            f"UPDATE {name} SET "
            f"valid_from = (SELECT cv.valid_from FROM comment_version cv"
            f" WHERE cv.id = {name}.comment_version_id), "
            f"crawl_id = (SELECT cv.crawl_id FROM comment_version cv"
            f" WHERE cv.id = {name}.comment_version_id)"
        )
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column("valid_from", existing_type=UTCDateTime(), nullable=False)
            batch_op.alter_column("crawl_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(
                op.f(f"fk_{name}_crawl_id_crawl"), "crawl", ["crawl_id"], ["id"]
            )
            batch_op.drop_constraint(
                op.f(f"uq_{name}_comment_version_id_ordinal"), type_="unique"
            )
            batch_op.create_index(
                f"uq_{name}_current",
                ["comment_version_id", "ordinal"],
                unique=True,
                sqlite_where=sa.text("valid_to IS NULL"),
                postgresql_where=sa.text("valid_to IS NULL"),
            )
            batch_op.create_index(
                op.f(f"ix_{name}_comment_version_id"), ["comment_version_id"], unique=False
            )
    _rehash_comment_versions()
    _create_views({"comment_replies": COMMENT_REPLIES, "comment_quotes": COMMENT_QUOTES})


def downgrade() -> None:
    # Edges' validity is dropped with the closed (re-derived) edges; content hashes stay
    # palimpsest-comment-2, which the code of 0005 would take for edits once.
    _drop_every_view()
    for name in _EDGES:
        op.execute(f"DELETE FROM {name} WHERE valid_to IS NOT NULL")
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(op.f(f"ix_{name}_comment_version_id"))
            batch_op.drop_index(f"uq_{name}_current")
            batch_op.create_unique_constraint(
                op.f(f"uq_{name}_comment_version_id_ordinal"), ["comment_version_id", "ordinal"]
            )
            batch_op.drop_constraint(op.f(f"fk_{name}_crawl_id_crawl"), type_="foreignkey")
            batch_op.drop_column("crawl_id")
            batch_op.drop_column("valid_to")
            batch_op.drop_column("valid_from")
    _create_views({})
