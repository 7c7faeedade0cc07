"""Initial schema: sources, crawls, fetches, authors, posts, comments, versions, views.

Revision ID: 0001
Revises:
Create Date: 2026-11-27

The views are the researchers' public interface (docs/schema.md); they are written
here, not imported, so that this revision stays what it was when it shipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from storage.models import UTCDateTime

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# Portable SQL (SQLite and PostgreSQL): no dialect functions, NULL-safe equality spelled
# out. Order matters only for dropping: nothing here depends on another view.
_SAME = "((a.{c} = b.{c}) OR (a.{c} IS NULL AND b.{c} IS NULL))"


def _same(*columns: str) -> str:
    return " AND ".join(_SAME.format(c=c) for c in columns)


CURRENT_POSTS = """
SELECT p.id AS post_id, s.key AS source_key, p.external_id, p.url, pv.title,
       pv.author_raw AS author_name, au.key AS author_key, pv.published_at, pv.modified_at,
       pv.body_text, pv.version, p.first_seen_at, p.last_seen_at,
       pv.tags, pv.categories, pv.body_html, pv.comment_count_displayed,
       pv.valid_from, pv.crawl_id, pv.id AS post_version_id, p.source_id
FROM post p
JOIN source s ON s.id = p.source_id
JOIN post_version pv ON pv.post_id = p.id AND pv.valid_to IS NULL
LEFT JOIN author au ON au.id = pv.author_id
WHERE NOT pv.deleted
"""

CURRENT_COMMENTS = """
SELECT c.id AS comment_id, c.post_id, p.external_id AS post_external_id, c.external_id,
       cv.author_raw AS author_name, au.key AS author_key, cv.author_url, cv.published_at,
       cv.parent_external_id, cv.body_text, cv.own_text, cv.version,
       c.first_seen_at, c.last_seen_at,
       cv.threaded_parent_external_id, cv.body_html, cv.position, cv.page,
       cv.valid_from, cv.crawl_id, cv.id AS comment_version_id, s.key AS source_key
FROM comment c
JOIN post p ON p.id = c.post_id
JOIN source s ON s.id = p.source_id
JOIN comment_version cv ON cv.comment_id = c.id AND cv.valid_to IS NULL
LEFT JOIN author au ON au.id = cv.author_id
WHERE NOT cv.deleted
  -- A post tombstoned as gone (404/410 twice) takes its thread with it; the comments'
  -- own rows keep what the thread held.
  AND EXISTS (SELECT 1 FROM post_version pv
              WHERE pv.post_id = c.post_id AND pv.valid_to IS NULL AND NOT pv.deleted)
"""

POST_HISTORY = """
SELECT p.id AS post_id, s.key AS source_key, p.external_id, pv.version, pv.valid_from,
       pv.valid_to, pv.crawl_id, pv.deleted, pv.title, pv.author_raw AS author_name,
       au.key AS author_key, pv.published_at, pv.modified_at, pv.tags, pv.categories,
       pv.body_text, pv.body_html, pv.comment_count_displayed, pv.content_hash,
       pv.id AS post_version_id
FROM post_version pv
JOIN post p ON p.id = pv.post_id
JOIN source s ON s.id = p.source_id
LEFT JOIN author au ON au.id = pv.author_id
"""

COMMENT_HISTORY = """
SELECT c.id AS comment_id, c.post_id, p.external_id AS post_external_id, c.external_id,
       cv.version, cv.valid_from, cv.valid_to, cv.crawl_id, cv.deleted,
       cv.author_raw AS author_name, au.key AS author_key, cv.author_url, cv.published_at,
       cv.threaded_parent_external_id, cv.parent_external_id, cv.body_text, cv.own_text,
       cv.body_html, cv.position, cv.page, cv.content_hash, cv.id AS comment_version_id,
       s.key AS source_key
FROM comment_version cv
JOIN comment c ON c.id = cv.comment_id
JOIN post p ON p.id = c.post_id
JOIN source s ON s.id = p.source_id
LEFT JOIN author au ON au.id = cv.author_id
"""

COMMENT_REPLIES = """
SELECT c.id AS comment_id, c.external_id, r.target_kind, r.target_external_id, r.kind,
       r.raw_name, r.resolved_by, r.ordinal, c.post_id, cv.id AS comment_version_id
FROM reply r
JOIN comment_version cv ON cv.id = r.comment_version_id
JOIN comment c ON c.id = cv.comment_id
WHERE cv.valid_to IS NULL AND NOT cv.deleted
"""

COMMENT_QUOTES = """
SELECT c.id AS comment_id, c.external_id, q.ordinal, q.quoted_text, q.source_kind,
       q.source_external_id, q.source_url, c.post_id, cv.id AS comment_version_id
FROM quote q
JOIN comment_version cv ON cv.id = q.comment_version_id
JOIN comment c ON c.id = cv.comment_id
WHERE cv.valid_to IS NULL AND NOT cv.deleted
"""

# One row per version event. 'renamed': only the author's name differs from the
# previous version (a display-name change, not an edit of the text).
_POST_RENAMED = _same("title", "body_text", "published_at") + " AND NOT " + _same("author_raw")
_COMMENT_RENAMED = (
    _same(
        "body_text",
        "own_text",
        "author_url",
        "published_at",
        "parent_external_id",
        "threaded_parent_external_id",
    )
    + " AND NOT "
    + _same("author_raw")
)

CHANGES = f"""
SELECT a.crawl_id, p.id AS post_id, CAST(NULL AS INTEGER) AS comment_id, a.version,
       CASE WHEN b.id IS NULL THEN 'added'
            WHEN a.deleted AND NOT b.deleted THEN 'deleted'
            WHEN b.deleted AND NOT a.deleted THEN 'restored'
            WHEN {_POST_RENAMED} THEN 'renamed'
            ELSE 'edited' END AS kind,
       a.valid_from, s.key AS source_key, p.external_id AS post_external_id,
       CAST(NULL AS VARCHAR(255)) AS comment_external_id
FROM post_version a
JOIN post p ON p.id = a.post_id
JOIN source s ON s.id = p.source_id
LEFT JOIN post_version b ON b.post_id = a.post_id AND b.version = a.version - 1
UNION ALL
SELECT a.crawl_id, c.post_id, c.id AS comment_id, a.version,
       CASE WHEN b.id IS NULL THEN 'added'
            WHEN a.deleted AND NOT b.deleted THEN 'deleted'
            WHEN b.deleted AND NOT a.deleted THEN 'restored'
            WHEN {_COMMENT_RENAMED} THEN 'renamed'
            ELSE 'edited' END AS kind,
       a.valid_from, s.key AS source_key, p.external_id AS post_external_id,
       c.external_id AS comment_external_id
FROM comment_version a
JOIN comment c ON c.id = a.comment_id
JOIN post p ON p.id = c.post_id
JOIN source s ON s.id = p.source_id
LEFT JOIN comment_version b ON b.comment_id = a.comment_id AND b.version = a.version - 1
"""

VIEWS: list[tuple[str, str]] = [
    ("current_posts", CURRENT_POSTS),
    ("current_comments", CURRENT_COMMENTS),
    ("post_history", POST_HISTORY),
    ("comment_history", COMMENT_HISTORY),
    ("comment_replies", COMMENT_REPLIES),
    ("comment_quotes", COMMENT_QUOTES),
    ("changes", CHANGES),
]


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("platform", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("key", name=op.f("uq_source_key")),
    )
    op.create_table(
        "author",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("profile_url", sa.Text(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_author_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_author")),
        sa.UniqueConstraint("source_id", "key", name=op.f("uq_author_source_id_key")),
    )
    op.create_table(
        "crawl",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("software_version", sa.String(length=64), nullable=True),
        sa.Column("stats", JSON_TYPE, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("warc_sha256", JSON_TYPE, nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'ok', 'partial', 'failed', 'aborted')",
            name=op.f("ck_crawl_status"),
        ),
        sa.CheckConstraint(
            "trigger IN ('manual', 'schedule', 'reparse', 'demo', 'test')",
            name=op.f("ck_crawl_trigger"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_crawl_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl")),
    )
    with op.batch_alter_table("crawl", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crawl_source_id_started_at"), ["source_id", "started_at"], unique=False
        )

    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_post_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post")),
        sa.UniqueConstraint("source_id", "external_id", name=op.f("uq_post_source_id_external_id")),
    )
    op.create_table(
        "author_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("raw_name", sa.Text(), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["author.id"], name=op.f("fk_author_alias_author_id_author")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_author_alias")),
        sa.UniqueConstraint(
            "author_id", "raw_name", name=op.f("uq_author_alias_author_id_raw_name")
        ),
    )
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("first_seen_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name=op.f("fk_comment_post_id_post")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
        sa.UniqueConstraint("post_id", "external_id", name=op.f("uq_comment_post_id_external_id")),
    )
    op.create_table(
        "fetch",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("crawl_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("elapsed_ms", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=255), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("warc_file", sa.Text(), nullable=True),
        sa.Column("warc_offset", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["crawl_id"], ["crawl.id"], name=op.f("fk_fetch_crawl_id_crawl")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetch")),
    )
    with op.batch_alter_table("fetch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fetch_crawl_id"), ["crawl_id"], unique=False)

    op.create_table(
        "post_state",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=128), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("gone_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_checked_at", UTCDateTime(), nullable=True),
        sa.Column("last_activity_at", UTCDateTime(), nullable=True),
        sa.Column("last_complete_crawl_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["last_complete_crawl_id"],
            ["crawl.id"],
            name=op.f("fk_post_state_last_complete_crawl_id_crawl"),
        ),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name=op.f("fk_post_state_post_id_post")),
        sa.PrimaryKeyConstraint("post_id", name=op.f("pk_post_state")),
    )
    op.create_table(
        "post_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_to", UTCDateTime(), nullable=True),
        sa.Column("crawl_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_raw", sa.Text(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("modified_at", UTCDateTime(), nullable=True),
        sa.Column("tags", JSON_TYPE, nullable=False),
        sa.Column("categories", JSON_TYPE, nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("comment_count_displayed", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["author.id"], name=op.f("fk_post_version_author_id_author")
        ),
        sa.ForeignKeyConstraint(
            ["crawl_id"], ["crawl.id"], name=op.f("fk_post_version_crawl_id_crawl")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_post_version_post_id_post")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_version")),
        sa.UniqueConstraint("post_id", "version", name=op.f("uq_post_version_post_id_version")),
    )
    with op.batch_alter_table("post_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_version_crawl_id"), ["crawl_id"], unique=False)
        batch_op.create_index(
            "uq_post_version_current",
            ["post_id"],
            unique=True,
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        )

    op.create_table(
        "comment_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_to", UTCDateTime(), nullable=True),
        sa.Column("crawl_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_raw", sa.Text(), nullable=False),
        sa.Column("author_url", sa.Text(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("threaded_parent_external_id", sa.String(length=255), nullable=True),
        sa.Column("parent_external_id", sa.String(length=255), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("own_text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["author.id"], name=op.f("fk_comment_version_author_id_author")
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comment.id"], name=op.f("fk_comment_version_comment_id_comment")
        ),
        sa.ForeignKeyConstraint(
            ["crawl_id"], ["crawl.id"], name=op.f("fk_comment_version_crawl_id_crawl")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_version")),
        sa.UniqueConstraint(
            "comment_id", "version", name=op.f("uq_comment_version_comment_id_version")
        ),
    )
    with op.batch_alter_table("comment_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comment_version_crawl_id"), ["crawl_id"], unique=False)
        batch_op.create_index(
            "uq_comment_version_current",
            ["comment_id"],
            unique=True,
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        )

    op.create_table(
        "quote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_version_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("quoted_text", sa.Text(), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_external_id", sa.String(length=255), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_version_id"],
            ["comment_version.id"],
            name=op.f("fk_quote_comment_version_id_comment_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote")),
        sa.UniqueConstraint(
            "comment_version_id", "ordinal", name=op.f("uq_quote_comment_version_id_ordinal")
        ),
    )
    op.create_table(
        "reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_version_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("raw_name", sa.Text(), nullable=True),
        sa.Column("target_kind", sa.String(length=16), nullable=True),
        sa.Column("target_external_id", sa.String(length=255), nullable=True),
        sa.Column("resolved_by", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_version_id"],
            ["comment_version.id"],
            name=op.f("fk_reply_comment_version_id_comment_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply")),
        sa.UniqueConstraint(
            "comment_version_id", "ordinal", name=op.f("uq_reply_comment_version_id_ordinal")
        ),
    )
    for name, sql in VIEWS:
        op.execute(f"CREATE VIEW {name} AS {sql}")


def downgrade() -> None:
    for name, _sql in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_table("reply")
    op.drop_table("quote")
    with op.batch_alter_table("comment_version", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_comment_version_current",
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_comment_version_crawl_id"))

    op.drop_table("comment_version")
    with op.batch_alter_table("post_version", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_post_version_current",
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_post_version_crawl_id"))

    op.drop_table("post_version")
    op.drop_table("post_state")
    with op.batch_alter_table("fetch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fetch_crawl_id"))

    op.drop_table("fetch")
    op.drop_table("comment")
    op.drop_table("author_alias")
    op.drop_table("post")
    with op.batch_alter_table("crawl", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crawl_source_id_started_at"))

    op.drop_table("crawl")
    op.drop_table("author")
    op.drop_table("source")
