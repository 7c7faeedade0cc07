"""What a comment service says of a removal or an edit: `removed_as`, `edited`, `edited_at`.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

A comment service states how a comment went (Ghost's `status` "hidden" by a moderator
or "deleted" by its author, Disqus's `isSpam`, Discourse's `user_deleted`, ...) and
whether it was edited (Substack's and Ghost's `edited_at`, Disqus's `isEdited`,
Discourse's `version`). `comment_version.removed_as` keeps the service's word on a
tombstone (NULL: a tombstone inferred from absence, and every live version);
`edited` (NULL: the service says nothing) and `edited_at` keep the edit. None is
content: the content hash is unchanged, so no archived comment gets a new version.

`current_comments` shows `edited` and `edited_at` (a current comment is live, so it
has no `removed_as`), `comment_history` all three; the other views are as revision
0010 left them. The two views' SQL is written here, not imported, so this revision
stays what it is when it ships.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from types import ModuleType

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_COMMENTS = """
SELECT c.id AS comment_id, c.post_id, p.external_id AS post_external_id, c.external_id,
       cv.author_raw AS author_name, au.key AS author_key, cv.author_url, cv.published_at,
       cv.published_raw, cv.published_approximate,
       cv.parent_external_id, cv.body_text, cv.own_text, cv.version,
       cv.edited, cv.edited_at,
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

COMMENT_HISTORY = """
SELECT c.id AS comment_id, c.post_id, p.external_id AS post_external_id, c.external_id,
       cv.version, cv.valid_from, cv.valid_to, cv.crawl_id, cv.deleted, cv.removed_as,
       cv.edited, cv.edited_at,
       cv.author_raw AS author_name, au.key AS author_key, cv.author_url, cv.published_at,
       cv.published_raw, cv.published_approximate,
       cv.threaded_parent_external_id, cv.parent_external_id, cv.body_text, cv.own_text,
       cv.body_html, cv.position, cv.page, cv.content_hash, cv.id AS comment_version_id,
       s.key AS source_key
FROM comment_version cv
JOIN comment c ON c.id = cv.comment_id
JOIN post p ON p.id = c.post_id
JOIN source s ON s.id = p.source_id
LEFT JOIN author au ON au.id = cv.author_id
"""

_COLUMNS = ("removed_as", "edited", "edited_at")


def _of_0010() -> ModuleType:
    """Revision 0010, whose views this one starts from and goes back to."""
    return importlib.import_module("migrations.versions.0010_views_published_raw")


def upgrade() -> None:
    # Plain ADD COLUMN (batch mode adds in place on SQLite too): the views reading the
    # table stay, and are recreated below.
    with op.batch_alter_table("comment_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_as", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("edited", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("edited_at", UTCDateTime(), nullable=True))
    of_0010 = _of_0010()
    replaced = {
        **of_0010._REPLACED,
        "current_comments": CURRENT_COMMENTS,
        "comment_history": COMMENT_HISTORY,
    }
    of_0010._recreate_views(replaced)


def downgrade() -> None:
    # The views of 0010 first, so none reads the columns SQLite is asked to drop; not
    # through batch mode (see 0009's downgrade).
    of_0010 = _of_0010()
    of_0010._recreate_views(of_0010._REPLACED)
    for column in reversed(_COLUMNS):
        op.execute(f"ALTER TABLE comment_version DROP COLUMN {column}")
