"""What the archive knows of a source, for the crawler's decisions: known posts, resume, captures.

Three reads, each one or two queries on the caller's connection (`storage.archive.Archive`
opens it): the archived posts of a source with their `post_state` (what a recrawl may
skip), the threads that the latest run of aborted crawls finished (what a resumed crawl
need not fetch again), and the WARC files a crawl wrote with their recorded digests
(what a reparse replays). The values returned are plain frozen dataclasses; the
decisions drawn from them (revisit policy, conditional requests) are the crawler's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.errors import InputError
from storage.models import Crawl, Fetch, Post, PostState, PostVersion, Source
from storage.records import PageState

__all__ = [
    "CrawlCaptures",
    "FinishedThreads",
    "KnownPost",
    "crawl_captures",
    "finished_threads",
    "known_posts",
    "url_key",
]

# How far back `finished_threads` looks for a run of aborted crawls.
_RECENT_CRAWLS = 20

post_t = cast(sa.Table, Post.__table__)
state_t = cast(sa.Table, PostState.__table__)
version_t = cast(sa.Table, PostVersion.__table__)
source_t = cast(sa.Table, Source.__table__)
crawl_t = cast(sa.Table, Crawl.__table__)
fetch_t = cast(sa.Table, Fetch.__table__)


def url_key(url: str) -> str:
    """A URL without fragment and trailing slash, so listing and archive spellings meet."""
    return url.split("#", 1)[0].rstrip("/")


@dataclass(frozen=True, kw_only=True)
class KnownPost:
    """One archived post, as far as recrawl decisions need it."""

    external_id: str
    url: str
    published_at: datetime | None
    fingerprint: str | None  # of the last complete crawl (a partial one never sets it)
    complete_before: bool  # some crawl recorded the whole thread
    last_complete_crawl_id: int | None = None
    last_checked_at: datetime | None
    last_activity_at: datetime | None
    deleted: bool  # current version is a tombstone
    pages: tuple[PageState, ...] = ()  # each page at the last complete crawl, post page first
    # sha256 of each page's body at the last complete crawl (post_state.pages), by url_key;
    # empty when the post's current version is newer than that crawl (a partial crawl
    # wrote it), since an identical body then no longer means an unchanged post.
    bodies: dict[str, str] = field(default_factory=dict)

    def url_key(self) -> str:
        """The post's URL as `url_key` spells it."""
        return url_key(self.url)

    def page(self, url: str) -> PageState | None:
        """The stored state of one of the thread's pages."""
        key = url_key(url)
        return next((p for p in self.pages if url_key(p.url) == key), None)

    def same_body(self, url: str, sha256: str) -> bool:
        """True when the page's body is byte for byte the last complete crawl's."""
        return self.bodies.get(url_key(url)) == sha256


@dataclass(frozen=True)
class FinishedThreads:
    """Threads completed by the aborted crawls that this crawl resumes."""

    crawl_ids: tuple[int, ...] = ()
    post_ids: frozenset[str] = frozenset()  # platform ids (WordPress post ID)
    urls: frozenset[str] = frozenset()  # post URLs, normalized by url_key

    def __contains__(self, key: str) -> bool:
        return key in self.post_ids or url_key(key) in self.urls


@dataclass(frozen=True, kw_only=True)
class CrawlCaptures:
    """The WARC files one crawl wrote, and the SHA-256 recorded for each."""

    source_key: str
    # distinct fetch.warc_file names of the crawl, plus names in its recorded digests, sorted
    warc_files: tuple[str, ...]
    # file name -> sha256 recorded on the crawl row (warc_sha256 column, else stats["warc_sha256"])
    digests: dict[str, str]


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
    p, ps, pv = post_t.c, state_t.c, version_t.c
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
            ps.pages,
            pv.crawl_id.label("version_crawl_id"),
        )
        .select_from(post_t)
        .join(source_t, source_t.c.id == p.source_id)
        .outerjoin(version_t, sa.and_(pv.post_id == p.id, pv.valid_to.is_(None)))
        .outerjoin(state_t, ps.post_id == p.id)
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
        .join(state_t, state_t.c.post_id == post_t.c.id)
        .where(state_t.c.last_complete_crawl_id.in_(ids))
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
