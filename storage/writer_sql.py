"""The thread writer's version statements, prepared once (storage.bulk) for both dialects.

Rows are given as tuples in the order of each statement's keys; the writer builds them
in that order. The identity upserts are `storage.upserts`.
"""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa

from storage.bulk import BulkStatement
from storage.models import Author, Comment, CommentVersion, PostVersion, Quote, Reply

__all__ = [
    "AUTHOR_KEYS_AT_ONCE",
    "author_ids",
    "close_comment_versions",
    "current_comments",
    "current_post_version",
    "insert_comment_versions",
    "insert_post_version",
    "insert_quotes",
    "insert_replies",
    "mark_comments_seen",
    "new_comment_versions",
]

author_t = cast(sa.Table, Author.__table__)
post_version_t = cast(sa.Table, PostVersion.__table__)
comment_t = cast(sa.Table, Comment.__table__)
comment_version_t = cast(sa.Table, CommentVersion.__table__)
reply_t = cast(sa.Table, Reply.__table__)
quote_t = cast(sa.Table, Quote.__table__)

_a, _pv, _c, _cv = author_t.c, post_version_t.c, comment_t.c, comment_version_t.c

# (id, key) of the authors of source `source_id` with one of the keys k0, k1, ...: a
# fixed number of keys, so the statement is prepared once (an IN list of varying length
# is rendered anew on every call); the writer repeats a key to fill the slots.
AUTHOR_KEYS_AT_ONCE = 16
_key_slots = [f"k{i}" for i in range(AUTHOR_KEYS_AT_ONCE)]
author_ids = BulkStatement(
    sa.select(_a.id, _a.key).where(
        _a.source_id == sa.bindparam("source_id"),
        _a.key.in_([sa.bindparam(k) for k in _key_slots]),
    ),
    ("source_id", *_key_slots),
)

# (id, version, content_hash, deleted, valid_from) of a post's current version.
current_post_version = BulkStatement(
    sa.select(_pv.id, _pv.version, _pv.content_hash, _pv.deleted, _pv.valid_from).where(
        _pv.post_id == sa.bindparam("post_id"), _pv.valid_to.is_(None)
    ),
    ("post_id",),
)

insert_post_version = BulkStatement(
    sa.insert(post_version_t),
    ("post_id", "version", "valid_from", "valid_to", "crawl_id", "content_hash", "deleted",
     "title", "author_id", "author_raw", "published_at", "modified_at", "tags", "categories",
     "body_html", "body_text", "comment_count_displayed"),
)  # fmt: skip

# Every comment of a post with its current version, if any: (comment id, external id,
# version id, version, content_hash, deleted, valid_from), NULLs for no version.
current_comments = BulkStatement(
    sa.select(_c.id, _c.external_id, _cv.id, _cv.version, _cv.content_hash, _cv.deleted,
              _cv.valid_from)
    .select_from(
        comment_t.outerjoin(comment_version_t, sa.and_(_cv.comment_id == _c.id,
                                                       _cv.valid_to.is_(None)))
    )
    .where(_c.post_id == sa.bindparam("post_id")),
    ("post_id",),
)  # fmt: skip

insert_comment_versions = BulkStatement(
    sa.insert(comment_version_t),
    ("comment_id", "version", "valid_from", "valid_to", "crawl_id", "content_hash",
     "deleted", "author_id", "author_raw", "author_url", "published_at",
     "threaded_parent_external_id", "parent_external_id", "body_html", "body_text",
     "own_text", "position", "page"),
)  # fmt: skip

# (version id, comment id) of the current versions of a post's comments valid from
# `t`: the ids of the versions just inserted (a plain executemany returns none), and
# any written earlier at the same time (the writer skips those), with no IN list to
# render per call. Not by crawl_id: SQLite would search its index, every row of the
# crawl, instead of the post's comments.
new_comment_versions = BulkStatement(
    sa.select(_cv.id, _cv.comment_id)
    .select_from(comment_version_t.join(comment_t, _c.id == _cv.comment_id))
    .where(
        _c.post_id == sa.bindparam("post_id"),
        _cv.valid_to.is_(None),
        _cv.valid_from == sa.bindparam("t"),
    ),
    ("post_id", "t"),
)

# Every comment of a post seen at `t` (an unchanged thread: its comments were not parsed).
mark_comments_seen = BulkStatement(
    sa.update(comment_t)
    .where(_c.post_id == sa.bindparam("post_id"),
           _c.last_seen_at < sa.bindparam("t", type_=_c.last_seen_at.type))
    .values(last_seen_at=sa.bindparam("t", type_=_c.last_seen_at.type)),
    ("post_id", "t"),
)

close_comment_versions = BulkStatement(
    sa.update(comment_version_t)
    .where(_cv.id == sa.bindparam("vid"), _cv.valid_to.is_(None))
    .values(valid_to=sa.bindparam("t", type_=_cv.valid_to.type)),
    ("vid", "t"),
)

insert_replies = BulkStatement(
    sa.insert(reply_t),
    ("comment_version_id", "ordinal", "kind", "raw_name", "target_kind",
     "target_external_id", "resolved_by"),
)  # fmt: skip

insert_quotes = BulkStatement(
    sa.insert(quote_t),
    ("comment_version_id", "ordinal", "quoted_text", "source_kind", "source_external_id",
     "source_url"),
)  # fmt: skip
