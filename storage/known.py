"""What the archive knows of a source, for the crawler's decisions: plain values.

Known posts (with their `post_state`: what a recrawl may skip), the threads the latest
run of aborted crawls finished (what a resumed crawl need not fetch again), the WARC
files a crawl wrote with their digests (what a reparse replays), and the texts of a
thread's archived comment versions (what its quotes may quote): frozen dataclasses that
`storage.known_sql` reads and `storage.archive.Archive` hands to the crawler. No
SQLAlchemy here, so the crawler's pure parts can hold them. The decisions drawn from
them (revisit policy, conditional requests) are the crawler's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from storage.records import PageState

__all__ = ["ArchivedText", "CrawlCaptures", "FinishedThreads", "KnownPost", "url_key"]


def url_key(url: str) -> str:
    """A URL without fragment and trailing slash, so listing and archive spellings meet."""
    return url.split("#", 1)[0].rstrip("/")


@dataclass(frozen=True, kw_only=True)
class ArchivedText:
    """One archived version of a comment of a thread, as a quote's source: what it said."""

    external_id: str
    published_at: datetime | None
    body_html: str
    body_text: str


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
    # When a crawl last recorded the whole thread: older than `last_checked_at` when the
    # latest check was partial (None: unknown, or never complete).
    last_complete_at: datetime | None = None
    # When a crawl last fetched every page of the thread (None: never, or not known).
    last_full_at: datetime | None = None
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

    @property
    def baseline(self) -> str | None:
        """The last complete crawl's fingerprint of the thread, when one may be compared
        with this crawl's (a live post that some crawl recorded whole); else None."""
        if not self.fingerprint or not self.complete_before or self.deleted:
            return None
        return self.fingerprint

    @property
    def last_check_partial(self) -> bool:
        """True when the latest check of the thread left it partial (or no check was ever
        complete): what that check missed is not vouched for by any fingerprint."""
        if self.last_checked_at is None:
            return False
        return self.last_complete_at is None or self.last_checked_at > self.last_complete_at

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
