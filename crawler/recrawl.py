"""What a recrawl already knows about a source's posts, and the decisions drawn from it.

Loaded once per crawl, in one query (`load_known_posts`): each archived post's URL,
publication time, `post_state` (fingerprint of the last complete crawl, validators,
last check and last activity) and whether its current version is a tombstone. The
spider asks it three things:

* `unchanged(post_id, fingerprint)`: the thread's pages hash to what the last
  complete crawl saw, so parsing and normalizing its comments and writing them can
  be skipped (the writer still records the post and marks the thread seen).
* `due(...)`: the revisit policy (`crawler.revisit`) says to look at the post now.
* `unseen_due(...)`: known posts this crawl's discovery did not list, which are
  fetched at their permalink so that a 404/410 can be counted (`storage.gone`).

And of a page, `KnownPost.same_body(url, sha256)`: its body is byte for byte the one the
last complete crawl's fingerprint of it was taken from (`post_state.pages`), so a 200
can be taken as a 304.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from crawler.revisit import RevisitPolicy, is_due
from storage.records import PageState

__all__ = [
    "KnownPost",
    "KnownPosts",
    "conditional_headers",
    "load_known_posts",
    "page_state",
    "url_key",
]


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

    def page(self, url: str) -> PageState | None:
        """The stored state of one of the thread's pages."""
        key = url_key(url)
        return next((p for p in self.pages if url_key(p.url) == key), None)

    def same_body(self, url: str, sha256: str) -> bool:
        """True when the page's body is byte for byte the last complete crawl's."""
        return self.bodies.get(url_key(url)) == sha256


@dataclass
class KnownPosts:
    """The archived posts of one source, by platform id and by URL."""

    by_id: dict[str, KnownPost] = field(default_factory=dict)
    by_url: dict[str, KnownPost] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, external_id: str) -> KnownPost | None:
        return self.by_id.get(external_id)

    def for_url(self, url: str) -> KnownPost | None:
        return self.by_url.get(url_key(url))

    def may_skip(self, external_id: str) -> bool:
        """True when a complete crawl left a fingerprint to compare this crawl's with."""
        known = self.by_id.get(external_id)
        return bool(known and known.fingerprint and known.complete_before and not known.deleted)

    def unchanged(self, external_id: str, fingerprint: str | None) -> bool:
        """True when `fingerprint` equals the one the last complete crawl recorded."""
        return bool(
            fingerprint
            and self.may_skip(external_id)
            and self.by_id[external_id].fingerprint == fingerprint
        )

    def due(self, known: KnownPost | None, now: datetime, policy: RevisitPolicy) -> bool:
        """The revisit policy's verdict; unknown posts are always due."""
        if known is None:
            return True
        return is_due(
            now=now,
            published_at=known.published_at,
            last_activity_at=known.last_activity_at,
            last_checked_at=known.last_checked_at,
            policy=policy,
        )

    def unseen(self, seen_ids: set[str], seen_urls: set[str]) -> list[KnownPost]:
        """Live known posts that this crawl's discovery did not reach, oldest id first."""
        return sorted(
            (
                k
                for k in self.by_id.values()
                if not k.deleted
                and k.external_id not in seen_ids
                and url_key(k.url) not in seen_urls
            ),
            key=lambda k: (len(k.external_id), k.external_id),
        )


def conditional_headers(state: PageState | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from a page's stored validators (may be empty)."""
    headers: dict[str, str] = {}
    if state is not None and state.etag:
        headers["If-None-Match"] = state.etag
    if state is not None and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def page_state(url: str, fingerprint: str, headers: dict[str, str], sha256: str | None) -> PageState:
    """A page's state from its response headers (lower-cased names), fingerprint and body
    hash."""
    return PageState(
        url=url,
        fingerprint=fingerprint,
        etag=headers.get("etag") or None,
        last_modified=headers.get("last-modified") or None,
        sha256=sha256,
    )


def _pages(raw: object) -> tuple[PageState, ...]:
    if not isinstance(raw, list):
        return ()  # NULL, or JSON text a driver did not decode
    return tuple(
        PageState(url=p["url"], fingerprint=p["fingerprint"], etag=p.get("etag"),
                  last_modified=p.get("last_modified"), sha256=p.get("sha256"))
        for p in raw
        if isinstance(p, dict) and p.get("url") and p.get("fingerprint")
    )


def load_known_posts(engine: sa.Engine, source_key: str) -> KnownPosts:
    """Every archived post of the source with its post_state, in one query."""
    from storage.models import Post, PostState, PostVersion, Source

    pv = PostVersion.__table__.c
    query = (
        sa.select(
            Post.external_id,
            Post.url,
            pv.published_at,
            pv.deleted,
            PostState.fingerprint,
            PostState.last_complete_crawl_id,
            PostState.last_checked_at,
            PostState.last_activity_at,
            PostState.pages,
            pv.crawl_id.label("version_crawl_id"),
        )
        .join(Source, Source.id == Post.source_id)
        .join(PostVersion, sa.and_(pv.post_id == Post.id, pv.valid_to.is_(None)), isouter=True)
        .join(PostState, PostState.post_id == Post.id, isouter=True)
        .where(Source.key == source_key)
    )
    known = KnownPosts()
    with engine.connect() as conn:
        for r in conn.execute(query):
            pages = _pages(r.pages)
            same_post = r.version_crawl_id is not None and r.version_crawl_id <= (r.last_complete_crawl_id or 0)
            post = KnownPost(
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
                bodies={url_key(p.url): p.sha256 for p in pages if p.sha256} if same_post else {},
            )
            known.by_id[post.external_id] = post
            known.by_url[url_key(post.url)] = post
    return known

