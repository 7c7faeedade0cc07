"""Every view recreated as of today; thread_problem; post_state.last_complete_at.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04

Views: commit bce7e3e changed `current_comments` inside revision 0001 after 0002 and
0003 existed, so an archive created before that kept the old view at head. This
revision drops every view the database has and creates each one from the SQL below,
so every archive at 0004 has exactly these views whatever it was created with; one
view is new, `thread_problems`.

`current_comments.last_seen_at` is now the later of the comment row's own
`last_seen_at` (set when the comment is first seen and whenever a version of it is
written) and its thread's `post_state.last_complete_at` (the last complete check of the
whole thread, which would have tombstoned a comment no longer shown): an unchanged
recrawl then writes no comment row. Existing archives keep their rows' values, which
stay right until the next complete check sets last_complete_at.

Like 0001's, the view SQL is written here and not imported, so this revision stays what
it is when it ships; a later change of a view is a new revision.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Portable SQL (SQLite and PostgreSQL): no dialect functions, NULL-safe equality spelled
# out.
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
       c.first_seen_at,
       -- The thread's last complete check saw every live comment (one it no longer
       -- showed would have been tombstoned): the later of that and the row's own time.
       CASE WHEN ps.last_complete_at > c.last_seen_at THEN ps.last_complete_at
            ELSE c.last_seen_at END AS last_seen_at,
       cv.threaded_parent_external_id, cv.body_html, cv.position, cv.page,
       cv.valid_from, cv.crawl_id, cv.id AS comment_version_id, s.key AS source_key
FROM comment c
JOIN post p ON p.id = c.post_id
JOIN source s ON s.id = p.source_id
JOIN comment_version cv ON cv.comment_id = c.id AND cv.valid_to IS NULL
LEFT JOIN author au ON au.id = cv.author_id
LEFT JOIN post_state ps ON ps.post_id = c.post_id
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

THREAD_PROBLEMS = """
SELECT s.key AS source_key, p.external_id AS post_external_id, p.url, tp.crawl_id,
       cr.started_at AS crawl_started_at, tp.problem, tp.ordinal, tp.post_id
FROM thread_problem tp
JOIN post p ON p.id = tp.post_id
JOIN source s ON s.id = p.source_id
JOIN crawl cr ON cr.id = tp.crawl_id
"""

VIEWS: list[tuple[str, str]] = [
    ("current_posts", CURRENT_POSTS),
    ("current_comments", CURRENT_COMMENTS),
    ("post_history", POST_HISTORY),
    ("comment_history", COMMENT_HISTORY),
    ("comment_replies", COMMENT_REPLIES),
    ("comment_quotes", COMMENT_QUOTES),
    ("changes", CHANGES),
    ("thread_problems", THREAD_PROBLEMS),
]


def _drop_every_view() -> None:
    """Drop the views the database has (not a list of names: whatever an older code
    created is gone too). No view depends on another, so order does not matter."""
    bind = op.get_bind()
    for name in sa.inspect(bind).get_view_names():
        op.execute(f'DROP VIEW IF EXISTS "{name}"')


def upgrade() -> None:
    _drop_every_view()
    with op.batch_alter_table("post_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_complete_at", UTCDateTime(), nullable=True))
    op.create_table(
        "thread_problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crawl_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["crawl_id"], ["crawl.id"], name=op.f("fk_thread_problem_crawl_id_crawl")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["post.id"], name=op.f("fk_thread_problem_post_id_post")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_problem")),
        sa.UniqueConstraint(
            "crawl_id", "post_id", "ordinal", name=op.f("uq_thread_problem_crawl_id_post_id_ordinal")
        ),
    )
    op.create_index(op.f("ix_thread_problem_post_id"), "thread_problem", ["post_id"], unique=False)
    for name, sql in VIEWS:
        op.execute(f"CREATE VIEW {name} AS {sql}")


def downgrade() -> None:
    # Back to 0003's tables, with the views of revision 0001 as it stands.
    initial = importlib.import_module("migrations.versions.0001_initial")

    _drop_every_view()
    op.drop_index(op.f("ix_thread_problem_post_id"), table_name="thread_problem")
    op.drop_table("thread_problem")
    with op.batch_alter_table("post_state", schema=None) as batch_op:
        batch_op.drop_column("last_complete_at")
    for name, sql in initial.VIEWS:
        op.execute(f"CREATE VIEW {name} AS {sql}")
