"""Posts that answer 404 or 410: counted per crawl, tombstoned on the second crawl in a row.

One 404 is not evidence: a site mid-migration, a plugin hiccup or a cache can answer
404 for a night. So the first crawl that finds a known post gone only counts it
(`post_state.gone_count = 1`) and logs it; the next crawl that finds it gone again
writes a tombstone (a `post_version` with `deleted = true` that repeats the last known
content, written by `storage.tombstones` exactly as a comment tombstone is). Any crawl
that records the post again resets the count (`storage.upserts`, post_state), and a
later live version of the post shows as `restored` in the `changes` view.

The post's comments keep their last versions: the post's tombstone is what says the
whole thread went away, and the comments' rows still say what it held.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.models import post_state_t, post_t, post_version_t, source_t
from storage.records import PostGone
from storage.tombstones import insert_tombstones

__all__ = ["GONE_AFTER", "GoneResult", "count_gone"]

log = logging.getLogger(__name__)

# Crawls in a row that must find a post gone before it is tombstoned.
GONE_AFTER = 2



@dataclass(frozen=True)
class GoneResult:
    """What `Archive.record_gone` did: the post's consecutive gone count, and whether it was tombstoned."""

    gone_count: int
    tombstoned: bool


def count_gone(conn: Connection, gone: PostGone, crawl_id: int) -> GoneResult:
    """Count one crawl's 404/410 for a known post; tombstone it at the GONE_AFTER-th in a row.

    Call once per post and crawl, in the caller's transaction (`Archive.record_gone`). A
    post the archive does not know is ignored.
    """
    t = gone.fetched_at if gone.fetched_at.tzinfo else gone.fetched_at.replace(tzinfo=UTC)
    post_id = conn.execute(
        sa.select(post_t.c.id)
        .join(source_t, source_t.c.id == post_t.c.source_id)
        .where(source_t.c.key == gone.source_key, post_t.c.external_id == gone.external_id)
    ).scalar()
    if post_id is None:
        return GoneResult(gone_count=0, tombstoned=False)
    count = conn.execute(
        sa.select(post_state_t.c.gone_count).where(post_state_t.c.post_id == post_id)
    ).scalar()
    if count is None:
        conn.execute(sa.insert(post_state_t).values(post_id=post_id, gone_count=0))
        count = 0
    count += 1
    # last_checked_at moves too: the post was looked at, which the revisit policy counts.
    conn.execute(
        sa.update(post_state_t)
        .where(post_state_t.c.post_id == post_id)
        .values(gone_count=count, last_checked_at=t)
    )
    if count < GONE_AFTER:
        log.warning(
            "post %s (%s) answered HTTP %d; tombstoned if it is gone again on the next crawl",
            gone.external_id, gone.url, gone.status,
        )
        return GoneResult(gone_count=count, tombstoned=False)
    return GoneResult(gone_count=count, tombstoned=_tombstone(conn, post_id, t, crawl_id))


def _tombstone(conn: Connection, post_id: int, t: datetime, crawl_id: int) -> bool:
    """A deleted=true version repeating the current live one; False if already deleted."""
    v = post_version_t.c
    current = conn.execute(
        sa.select(v.id, v.deleted, v.valid_from).where(v.post_id == post_id, v.valid_to.is_(None))
    ).one_or_none()
    if current is None or current.deleted or current.valid_from > t:
        return False
    conn.execute(sa.update(post_version_t).where(v.id == current.id).values(valid_to=t))
    insert_tombstones(conn, post_version_t, [current.id], t, crawl_id)
    log.warning("post %s tombstoned: gone on %d crawls in a row", post_id, GONE_AFTER)
    return True
