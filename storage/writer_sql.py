"""The thread writer's statements: SQLAlchemy Core, executed with named parameters.

Built once at import, so SQLAlchemy compiles each once per dialect (its compiled cache)
and `conn.execute(stmt, rows)` with a list of dicts is one driver executemany. Rows are
read by column name. The identity upserts are `storage.upserts`.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from storage.models import (
    author_t,
    comment_t,
    comment_version_t,
    post_state_t,
    post_version_t,
)
from storage.prepared import PreparedInsert

__all__ = [
    "CommentVersionRow",
    "author_ids",
    "close_comment_versions",
    "current_comments",
    "current_post_version",
    "insert_comment_versions",
    "insert_post_version",
    "last_complete_at",
    "live_comment_count",
    "mark_comments_seen",
    "new_comment_versions",
]


_a, _pv, _c, _cv = author_t.c, post_version_t.c, comment_t.c, comment_version_t.c

# (id, key) of the authors of source `source_id` with one of `keys`.
author_ids = sa.select(_a.id, _a.key).where(
    _a.source_id == sa.bindparam("source_id"), _a.key.in_(sa.bindparam("keys", expanding=True))
)

# A post's current version.
current_post_version = sa.select(
    _pv.id, _pv.version, _pv.content_hash, _pv.deleted, _pv.valid_from
).where(_pv.post_id == sa.bindparam("post_id"), _pv.valid_to.is_(None))

insert_post_version = sa.insert(post_version_t)

# Every comment of a post with its current version, if any (NULLs for no version).
current_comments = (
    sa.select(
        _c.id.label("comment_id"),
        _c.external_id,
        _cv.id.label("version_id"),
        _cv.version,
        _cv.content_hash,
        _cv.deleted,
        _cv.valid_from,
    )
    .select_from(
        comment_t.outerjoin(
            comment_version_t, sa.and_(_cv.comment_id == _c.id, _cv.valid_to.is_(None))
        )
    )
    .where(_c.post_id == sa.bindparam("post_id"))
)

# How many comments of a post are live (an unchanged thread's count of comments seen).
live_comment_count = (
    sa.select(sa.func.count())
    .select_from(comment_t.join(comment_version_t, _cv.comment_id == _c.id))
    .where(_c.post_id == sa.bindparam("post_id"), _cv.valid_to.is_(None), _cv.deleted.is_(False))
)

class CommentVersionRow(NamedTuple):
    """One new comment_version row, as the writer's hottest statement takes it."""

    comment_id: int
    version: int
    valid_from: datetime
    valid_to: datetime | None
    crawl_id: int
    content_hash: str
    deleted: bool
    author_id: int | None
    author_raw: str | None
    author_url: str | None
    published_at: datetime | None
    published_raw: str | None
    published_approximate: bool
    threaded_parent_external_id: str | None
    parent_external_id: str | None
    body_html: str | None
    body_text: str | None
    own_text: str | None
    position: int
    page: int | None
    removed_as: str | None
    edited: bool | None
    edited_at: datetime | None


# A row per new comment version: prepared once, fed named tuples (storage.prepared);
# through conn.execute with dicts it cost the writer a third more CPU on a first crawl.
insert_comment_versions = PreparedInsert(sa.insert(comment_version_t), CommentVersionRow)

# The versions of a post's comments current and valid from `t`: the ids of the versions
# just inserted (an executemany returns none), and any written earlier at the same time
# (the writer skips those). Not by crawl_id: SQLite would search its index, every row of
# the crawl, instead of the post's comments.
new_comment_versions = (
    sa.select(_cv.id.label("version_id"), _cv.comment_id)
    .select_from(comment_version_t.join(comment_t, _c.id == _cv.comment_id))
    .where(
        _c.post_id == sa.bindparam("post_id"),
        _cv.valid_to.is_(None),
        _cv.valid_from == sa.bindparam("t", type_=_cv.valid_from.type),
    )
)

# A comment seen at `t` by a write that records it (a new version, a partial thread's
# sighting, the last complete check before its tombstone): its row's last_seen_at only
# moves forward, and a row already as late is not written at all.
mark_comments_seen = (
    sa.update(comment_t)
    .where(
        _c.id == sa.bindparam("cid"),
        _c.last_seen_at < sa.bindparam("t", type_=_c.last_seen_at.type),
    )
    .values(last_seen_at=sa.bindparam("t", type_=_c.last_seen_at.type))
)

close_comment_versions = (
    sa.update(comment_version_t)
    .where(_cv.id == sa.bindparam("vid"), _cv.valid_to.is_(None))
    .values(valid_to=sa.bindparam("t", type_=_cv.valid_to.type))
)

# When a complete check last saw the whole thread (None: never).
last_complete_at = sa.select(post_state_t.c.last_complete_at).where(
    post_state_t.c.post_id == sa.bindparam("post_id")
)

