"""What a recrawl already knows about a source's posts, and the decisions drawn from it.

Loaded once per crawl, in one query (`storage.archive.Archive.known_posts`): each post's URL,
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

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from crawler.revisit import RevisitPolicy, is_due
from storage.known import KnownPost, url_key
from storage.records import PageState

__all__ = [
    "KnownPost",
    "KnownPosts",
    "conditional_headers",
    "page_state",
    "url_key",
]


@dataclass
class KnownPosts:
    """The archived posts of one source, by platform id and by URL."""

    by_id: dict[str, KnownPost] = field(default_factory=dict)
    by_url: dict[str, KnownPost] = field(default_factory=dict)

    @classmethod
    def from_list(cls, posts: Iterable[KnownPost]) -> KnownPosts:
        """The posts by id and by URL (`Archive.known_posts` gives the list)."""
        known = cls()
        for post in posts:
            known.by_id[post.external_id] = post
            known.by_url[post.url_key()] = post
        for post in known.by_id.values():
            # A listing may name a thread by its first page rather than its permalink (an
            # API's post URL: Substack's /api/v1/posts/<slug>, Discourse's /t/<id>.json).
            for first in post.pages[:1]:
                known.by_url.setdefault(url_key(first.url), post)
        return known

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, external_id: str) -> KnownPost | None:
        return self.by_id.get(external_id)

    def for_url(self, url: str) -> KnownPost | None:
        return self.by_url.get(url_key(url))

    def may_skip(self, external_id: str) -> bool:
        """True when a complete crawl left a fingerprint to compare this crawl's with."""
        known = self.by_id.get(external_id)
        return known is not None and known.baseline is not None

    def unchanged(self, external_id: str, fingerprint: str | None) -> bool:
        """True when `fingerprint` equals the one the last complete crawl recorded."""
        known = self.by_id.get(external_id)
        return bool(fingerprint) and known is not None and known.baseline == fingerprint

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
