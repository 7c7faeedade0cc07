"""The archive's reads for the crawler: known posts, finished threads, captures, archived texts.

Each is one or two queries on the caller's connection (`storage.archive.Archive` opens
it) and returns the plain values of `storage.known`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.errors import InputError
from storage.known import ArchivedText, CrawlCaptures, FinishedThreads, KnownPost, url_key
from storage.models import (
    comment_t,
    comment_version_t,
    crawl_t,
    fetch_t,
    post_state_t,
    post_t,
    post_version_t,
    source_t,
)
from storage.records import PageState

__all__ = ["archived_texts", "crawl_captures", "finished_threads", "known_posts"]

# How far back `finished_threads` looks for a run of aborted crawls.
_RECENT_CRAWLS = 20



def _pages(raw: object) -> tuple[PageState, ...]:
    if isinstance(raw, str):
        raw = json.loads(raw)  # a driver that did not decode the JSON
    if not isinstance(raw, list):
        return ()
    return tuple(
        PageState(url=p["url"], fingerprint=p["fingerprint"], etag=p.get("etag"),
                  last_modified=p.get("last_modified"), sha256=p.get("sha256"))
        for p in raw
        if isinstance(p, dict) and p.get("url") and p.get("fingerprint")
    )  # fmt: skip


def known_posts(conn: Connection, source_key: str) -> list[KnownPost]:
    """Every archived post of the source with its post_state, in one query."""
    p, ps, pv = post_t.c, post_state_t.c, post_version_t.c
    query = (
        sa.select(
            p.external_id,
            p.url,
            pv.published_at,
            pv.deleted,
            ps.fingerprint,
            ps.last_complete_crawl_id,
            ps.last_checked_at,
            ps.last_activity_at,
            ps.last_complete_at,
            ps.last_full_at,
            ps.pages,
            pv.crawl_id.label("version_crawl_id"),
        )
        .select_from(post_t)
        .join(source_t, source_t.c.id == p.source_id)
        .outerjoin(post_version_t, sa.and_(pv.post_id == p.id, pv.valid_to.is_(None)))
        .outerjoin(post_state_t, ps.post_id == p.id)
        .where(source_t.c.key == source_key)
    )
    known = []
    for r in conn.execute(query):
        pages = _pages(r.pages)
        # Page bodies stand for an unchanged post only while the current version is the
        # last complete crawl's (or older).
        same_post = r.version_crawl_id is not None and r.version_crawl_id <= (
            r.last_complete_crawl_id or 0
        )
        known.append(
            KnownPost(
                external_id=r.external_id,
                url=r.url,
                published_at=r.published_at,
                fingerprint=r.fingerprint,
                complete_before=r.last_complete_crawl_id is not None,
                last_complete_crawl_id=r.last_complete_crawl_id,
                last_checked_at=r.last_checked_at,
                last_activity_at=r.last_activity_at,
                last_complete_at=r.last_complete_at,
                last_full_at=r.last_full_at,
                deleted=bool(r.deleted),
                pages=pages,
                bodies={url_key(pg.url): pg.sha256 for pg in pages if pg.sha256} if same_post else {},
            )
        )
    return known


def _aware(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def finished_threads(
    conn: Connection, source_key: str, *, window: timedelta, now: datetime | None = None
) -> FinishedThreads:
    """The threads finished by the latest run of `aborted` crawls of the source.

    Walks back from the newest finished crawl while crawls are `aborted` (a crawl killed
    twice resumes both), stopping at any other status or beyond `window`.
    """
    since = (now or datetime.now(UTC)) - window
    c = crawl_t.c
    crawls = conn.execute(
        sa.select(c.id, c.status, c.started_at)
        .join(source_t, source_t.c.id == c.source_id)
        .where(source_t.c.key == source_key, c.status != "running")
        .order_by(c.id.desc())
        .limit(_RECENT_CRAWLS)
    ).all()
    ids: list[int] = []
    for crawl in crawls:
        started = _aware(crawl.started_at)
        if crawl.status != "aborted" or (started is not None and started < since):
            break
        ids.append(crawl.id)
    if not ids:
        return FinishedThreads()
    rows = conn.execute(
        sa.select(post_t.c.external_id, post_t.c.url)
        .join(post_state_t, post_state_t.c.post_id == post_t.c.id)
        .where(post_state_t.c.last_complete_crawl_id.in_(ids))
    ).all()
    return FinishedThreads(
        crawl_ids=tuple(ids),
        post_ids=frozenset(r.external_id for r in rows),
        urls=frozenset(url_key(r.url) for r in rows),
    )


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return dict(value or {})


def crawl_captures(conn: Connection, crawl_id: int) -> CrawlCaptures:
    """The crawl's WARC file names and recorded digests; InputError if there is no such crawl."""
    row = conn.execute(
        sa.select(source_t.c.key, crawl_t.c.stats, crawl_t.c.warc_sha256)
        .join(source_t, source_t.c.id == crawl_t.c.source_id)
        .where(crawl_t.c.id == crawl_id)
    ).one_or_none()
    if row is None:
        raise InputError(f"--crawl {crawl_id}: no such crawl")
    query = sa.select(fetch_t.c.warc_file).where(fetch_t.c.crawl_id == crawl_id).distinct()
    names = {name for name in conn.scalars(query) if name}
    digests = _json(row.warc_sha256) or _json(row.stats).get("warc_sha256") or {}
    return CrawlCaptures(
        source_key=str(row.key),
        warc_files=tuple(sorted(names | set(digests))),
        digests={str(k): str(v) for k, v in digests.items()},
    )


def archived_texts(conn: Connection, source_key: str, post_external_id: str) -> list[ArchivedText]:
    """Each distinct text of every archived version of the post's comments, tombstones
    and deleted comments' last versions included (a tombstone repeats its last text)."""
    c, cv, p, s = comment_t.c, comment_version_t.c, post_t.c, source_t.c
    query = (
        sa.select(c.external_id, cv.published_at, cv.body_html, cv.body_text)
        .distinct()
        .select_from(
            comment_version_t.join(comment_t, c.id == cv.comment_id)
            .join(post_t, p.id == c.post_id)
            .join(source_t, s.id == p.source_id)
        )
        .where(s.key == source_key, p.external_id == post_external_id)
        .order_by(c.external_id)  # the order of one comment's texts does not matter
    )
    return [
        ArchivedText(external_id=r.external_id, published_at=r.published_at,
                     body_html=r.body_html, body_text=r.body_text)
        for r in conn.execute(query)
    ]  # fmt: skip
