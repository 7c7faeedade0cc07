"""The views show the date as the page showed it: `published_raw` beside `published_at`.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Revision 0009 gave `post_version` and `comment_version` the raw date text
(`published_raw`) and the mark of a relative date resolved against the fetch time
(`comment_version.published_approximate`); a theme that prints only "19. Juni 2018 um
15:28 Uhr" in a site whose zone the page does not say has no UTC time, and the raw text
is then the only date the archive holds. `current_posts`, `current_comments`,
`post_history` and `comment_history` now show them, right after `published_at`; the
other views are as revision 0007 left them.

The four views' SQL is written here, not imported, so this revision stays what it is
when it ships; the views it leaves alone come from 0004 and 0007, as 0007 took them.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_POSTS = """
SELECT p.id AS post_id, s.key AS source_key, p.external_id, p.url, pv.title,
       pv.author_raw AS author_name, au.key AS author_key, pv.published_at,
       pv.published_raw, pv.modified_at,
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
       cv.published_raw, cv.published_approximate,
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
       au.key AS author_key, pv.published_at, pv.published_raw, pv.modified_at, pv.tags,
       pv.categories, pv.body_text, pv.body_html, pv.comment_count_displayed,
       pv.content_hash, pv.id AS post_version_id
FROM post_version pv
JOIN post p ON p.id = pv.post_id
JOIN source s ON s.id = p.source_id
LEFT JOIN author au ON au.id = pv.author_id
"""

COMMENT_HISTORY = """
SELECT c.id AS comment_id, c.post_id, p.external_id AS post_external_id, c.external_id,
       cv.version, cv.valid_from, cv.valid_to, cv.crawl_id, cv.deleted,
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

_REPLACED = {
    "current_posts": CURRENT_POSTS,
    "current_comments": CURRENT_COMMENTS,
    "post_history": POST_HISTORY,
    "comment_history": COMMENT_HISTORY,
}


def _views_of_0009() -> list[tuple[str, str]]:
    """The views at revision 0009: 0004's, with 0007's reply and quote views."""
    of_0004 = importlib.import_module("migrations.versions.0004_views_problems_last_complete")
    of_0007 = importlib.import_module("migrations.versions.0007_rederived_edges")
    edges = {"comment_replies": of_0007.COMMENT_REPLIES, "comment_quotes": of_0007.COMMENT_QUOTES}
    return [(name, edges.get(name, sql)) for name, sql in of_0004.VIEWS]


def _recreate_views(replaced: dict[str, str]) -> None:
    bind = op.get_bind()
    for name in sa.inspect(bind).get_view_names():
        op.execute(f'DROP VIEW IF EXISTS "{name}"')
    for name, sql in _views_of_0009():
        op.execute(f"CREATE VIEW {name} AS {replaced.get(name, sql)}")


def upgrade() -> None:
    _recreate_views(_REPLACED)


def downgrade() -> None:
    _recreate_views({})
