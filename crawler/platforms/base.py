"""What a platform adapter is: the questions the spider asks, and the answers' types.

An adapter is a pure module (no Scrapy, no SQLAlchemy, no I/O, no clock): given URLs and
fetched `Page`s, it says where a source's posts are listed, which requests fetch one
thread and how to read each response into records. The spider (`crawler.spiders.archive`)
does the fetching and asks. A platform is one or more routes (`Route`): ways of reading
threads, such as WordPress's REST API and its HTML pages; the platform says which route
discovery starts on and where it falls back to when a route is not there.

Two kinds of thread start exist:

* a listing names posts with their records (an API): the thread's pages are
  `route.thread_urls(post)`, and its post is the listing's;
* a listing names post URLs (feeds, sitemaps, archive pages): the post page is the
  thread's first page, and reading it gives the post (`ThreadPage.post`).

Whatever page of a thread an adapter cannot read raises `ValueError` naming the URL and
what is missing; the spider makes that a problem on the thread (partial), never a record.
A comment item whose author or text cannot be found is left out of `ThreadPage.comments`
and named in `ThreadPage.unread`: a problem on the thread too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from crawler.page import Page
from crawler.parsers.unread import UnreadComment
from storage.records import CommentRecord, PostRecord, RemovalRecord

__all__ = [
    "Activity",
    "Glimpse",
    "Listing",
    "ListingRequest",
    "NoRevisitSignals",
    "Platform",
    "Route",
    "ThreadPage",
]


@dataclass(frozen=True, kw_only=True)
class ListingRequest:
    """A page that lists posts: its URL, the route that reads it, its number in its list."""

    url: str
    route: str
    page_no: int = 1
    # True for the one listing whose failure means the route is not there at all (an API's
    # first page): the platform's `fallback` then says what to try instead.
    probe: bool = False
    # A guessed URL (a feed or archive the site may not have): its failure is no error.
    guess: bool = False


@dataclass(frozen=True, kw_only=True)
class Listing:
    """What one listing page says: posts with their records, or post URLs, and more pages."""

    posts: tuple[PostRecord, ...] = ()
    post_urls: tuple[str, ...] = ()
    more: tuple[ListingRequest, ...] = ()
    total: int | None = None  # posts the whole listing holds, when the platform says


@dataclass(frozen=True, kw_only=True)
class ThreadPage:
    """One page of a thread, read: this page's comments and where the thread goes on."""

    number: int  # the page's place in the thread, from 1
    comments: tuple[CommentRecord, ...]
    fingerprint: str  # == route.glimpse(page).fingerprint
    # Every page of the thread this page names, as (number, URL): queued if not fetched.
    links: tuple[tuple[int, str], ...] = ()
    post: PostRecord | None = None  # the post, on a page that shows it
    expected: int | None = None  # the thread's comment count as the platform states it
    # The page was cut short or lost comments to broken markup: the thread is partial.
    cut_off: bool = False
    # Comment items found but not read (no author or no text): the thread is partial.
    unread: tuple[UnreadComment, ...] = ()
    # Where the page shows its comments live instead (crawler.parsers.site: "comments are
    # loaded by Disqus (forum 'x'): not in the HTML"): the thread is partial, not empty.
    elsewhere: str | None = None
    site: str | None = None  # what the page says the site is, in one line (Site.describe)
    # Comments the page shows only as placeholders (deleted or flagged, no text and no
    # author): never records, but counted against the platform's count (exact_count).
    withheld: int = 0
    # Comments the service states were removed, each in its own word (Ghost's "hidden",
    # Disqus's "spam", ...): the archive tombstones what it holds of them, from a partial
    # thread too. A placeholder among them is still counted in `withheld`.
    removals: tuple[RemovalRecord, ...] = ()
    # What makes the thread partial that only the platform can say, each naming what is
    # missing (a subscriber-only thread, a count the page contradicts, a comment
    # service's cursor that stopped early, its pages the source cannot reach); the
    # spider puts the page's URL before each.
    problems: tuple[str, ...] = ()
    # `expected` is the thread's count whichever page this is (a comment service's first
    # page, not the post page, states it).
    counts_thread: bool = False
    # Set when only the post was read (`Route.read_post_only`): no comments, and these
    # notes say why a full read would be needed (empty: the post-only read is sound).
    notes: tuple[str, ...] = ()
    # A post page that names no post id (`post` None): the URL whose answer does (a page of
    # Ghost's RSS feed: crawler.platforms.ghost_closed); the spider asks it as the post page instead.
    post_at: str | None = None
    # Why the post has no comments to read ("comments closed: ..."): the thread is empty
    # and complete, not unread, and the crawl summary names the post.
    closed: str | None = None


@dataclass(frozen=True, kw_only=True)
class Glimpse:
    """A thread page seen without reading its comments: enough to tell whether it changed."""

    fingerprint: str
    links: tuple[tuple[int, str], ...] = ()  # pages it names (an API's page count)
    expected: int | None = None
    # The page states the whole thread's count beside its first comments (a comment
    # service's first page), and both are in its fingerprint: when that is as the last
    # complete crawl's, the thread's later pages are taken as unchanged unfetched.
    vouches: bool = False


@dataclass(frozen=True, kw_only=True)
class Activity:
    """Signs of life: (post id, time of a comment) pairs, and how many pages there are."""

    comments: tuple[tuple[str, datetime], ...]
    total_pages: int | None = None


class Route(Protocol):
    """One way of reading a platform's threads (an API, or the site's HTML pages)."""

    name: str
    # Thread pages are independent (an API's numbered pages): all are fetched at once.
    # Otherwise one at a time, each page naming the next ones.
    parallel: bool
    # Thread pages may be asked with the validators (ETag, Last-Modified) last seen.
    conditional: bool
    # The platform's count is exact (an API's total): fewer comments mean a lost page.
    exact_count: bool
    # Some thread page may vouch for the pages after it (`Glimpse.vouches`): thread pages
    # are then always glimpsed, never taken as unchanged by their bytes alone.
    vouching: bool

    def read_listing(self, request: ListingRequest, page: Page) -> Listing: ...

    def thread_urls(self, post: PostRecord) -> tuple[str, ...]:
        """The first pages of a thread whose post came from a listing."""
        ...

    def unreadable(self, page: Page) -> str | None:
        """Why this response cannot be a thread page (its type), or None."""
        ...

    def read(self, page: Page) -> ThreadPage: ...

    def read_post_only(self, page: Page) -> ThreadPage | None:
        """The post of a post page without its comments, or None when the route has no
        post pages."""
        ...

    def glimpse(self, page: Page) -> Glimpse: ...


class Platform(Protocol):
    """A source's platform: its routes, where discovery starts, and its revisit signals."""

    name: str
    routes: dict[str, Route]
    post_pages: Route  # reads a post's own page (a permalink probed for a 404)

    def discovery(self) -> Sequence[ListingRequest]: ...

    def fallback(self, failed: ListingRequest) -> Sequence[ListingRequest]:
        """What to list instead when a probe listing fails (empty: nothing)."""
        ...

    def activity_url(self, page_no: int, after: datetime | None) -> str | None:
        """One page of the site's newest comments, or None when the platform has none."""
        ...

    def read_activity(self, page: Page) -> Activity: ...

    def comment_feed_url(self, post_url: str) -> str | None:
        """A post's own feed of comments, newest first, or None."""
        ...

    def newest_in_feed(self, page: Page) -> datetime | None: ...


class NoRevisitSignals:
    """A platform's answers where it has no list of recent comments and no comment feeds
    (every due post is fetched), and nothing to list instead when a probe fails."""

    name: str

    def fallback(self, failed: ListingRequest) -> Sequence[ListingRequest]:
        return []

    def activity_url(self, page_no: int, after: datetime | None) -> str | None:
        return None

    def read_activity(self, page: Page) -> Activity:
        raise ValueError(f"{self.name}: no list of recent comments is read")

    def comment_feed_url(self, post_url: str) -> str | None:
        return None

    def newest_in_feed(self, page: Page) -> datetime | None:
        return None
