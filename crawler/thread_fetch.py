"""A thread being fetched: what each of its pages came back as, and what to do next.

Pure: no Scrapy, no I/O. The spider creates one `ThreadFetch` per thread, hands it each
page's outcome (`take`) and asks it what to do next (`next_step`):

* `Fetch(urls)`: request these pages (all that are queued when the route's pages are
  independent, else the next one);
* `WAIT`: pages are in flight;
* `Parse(pages)`: the thread turned out changed, so the pages only glimpsed so far must be
  read after all (the spider reads each and takes the outcome);
* `REFETCH`: the thread changed but a page answered 304 Not Modified, so its body is
  missing: fetch the whole thread again without validators;
* `DONE`: every page is in; `finish()` gives the thread's result.

A page comes back as one of four outcomes:

* `NotModified`: a 304 to a conditional request, with the state the last complete crawl
  stored for the page;
* `Unread`: the page, kept but not read: its bytes are the last complete crawl's, or its
  fingerprint (comment region, payload hash) was taken and the comments left unparsed;
* `Read`: the page's comments, read;
* `Failed`: it could not be fetched or read; the thread is partial.

A thread whose pages all fingerprint as at the last complete crawl is unchanged: nothing
of it is read, and the archive records it as seen (`FinishedThread.unchanged`). A page
that vouches for the rest (`Glimpse.vouches`: a comment service's first page, stating the
thread's count) and fingerprints as last time, in a thread matching so far whose latest
check was complete, stands for the pages not fetched yet: they are taken as the last
complete crawl stored them (`NotModified`) without a request, until the last crawl that
fetched every page (`post_state.last_full_at`) is FULL_READ_EVERY old: then the thread is
read whole. Should the thread turn out changed after all, a 304's rule applies: it is
fetched again whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from crawler.page import Page
from crawler.parsers.unread import unread_problem
from crawler.platforms.base import ThreadPage
from crawler.recrawl import KnownPost
from crawler.thread import assemble_thread, thread_fingerprint
from storage.records import (
    CommentRecord,
    PageState,
    PostRecord,
    RemovalRecord,
    ThreadCheck,
    ThreadSnapshot,
)

__all__ = [
    "DONE",
    "FULL_READ_EVERY",
    "REFETCH",
    "WAIT",
    "Failed",
    "Fault",
    "Fetch",
    "FinishedThread",
    "NotModified",
    "Parse",
    "Read",
    "ThreadFetch",
    "Unread",
]


# The longest a vouching page stands for the pages after it: a thread is fetched whole
# when no crawl has fetched every page for this long.
FULL_READ_EVERY = timedelta(days=7)


@dataclass(frozen=True)
class NotModified:
    url: str
    state: PageState  # as the last complete crawl stored it

    @property
    def fingerprint(self) -> str:
        return self.state.fingerprint


@dataclass(frozen=True)
class Unread:
    url: str
    page: Page  # kept to be read if the thread changed
    fingerprint: str
    state: PageState
    decoded: bool  # False: the raw body, not yet decoded for reading
    number: int | None = None  # its place in the thread, when known
    links: tuple[tuple[int, str], ...] = ()
    expected: int | None = None
    vouches: bool = False  # Glimpse.vouches


@dataclass(frozen=True)
class Read:
    url: str
    page: ThreadPage
    state: PageState

    @property
    def fingerprint(self) -> str:
        return self.page.fingerprint


@dataclass(frozen=True)
class Failed:
    url: str
    why: str


Outcome = NotModified | Unread | Read | Failed


@dataclass(frozen=True)
class Fault:
    """A logged, counted error of the crawl that a thread's outcome caused."""

    kind: str
    url: str
    why: str


@dataclass(frozen=True)
class Fetch:
    urls: tuple[str, ...]


@dataclass(frozen=True)
class Parse:
    pages: tuple[Unread, ...]


class _Step:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


WAIT, REFETCH, DONE = _Step("WAIT"), _Step("REFETCH"), _Step("DONE")
Step = Fetch | Parse | _Step


@dataclass(frozen=True, kw_only=True)
class FinishedThread:
    """A thread fetched: its snapshot (content), and what the crawl saw of its pages."""

    snapshot: ThreadSnapshot  # comments empty when `unchanged`
    # Every page fingerprinted as at the last complete crawl: the comments were not read.
    unchanged: bool
    # False: the post page was not read either (304, or its very bytes): `snapshot.post`
    # holds only the post's ids.
    post_read: bool
    check: ThreadCheck  # the fingerprint, and each page's validators and body hash
    closed: str | None = None  # why the post has no comments to read (ThreadPage.closed)


@dataclass(eq=False)
class ThreadFetch:
    """The pages of one thread, as they come back."""

    post: PostRecord
    url: str  # the thread's first page (the post page, or an API's first page)
    route: str
    known: KnownPost | None = None
    # Pages may be glimpsed instead of read: the last complete crawl left a fingerprint.
    skimming: bool = False
    parallel: bool = False
    exact_count: bool = False
    # False: the post page was not read (a 304, or the same bytes as last time).
    post_read: bool = True
    # The post page's bytes were the last complete crawl's and its fingerprint matched,
    # so this parser's fingerprints are that crawl's: a comment page with the very same
    # bytes may keep its stored fingerprint unhashed.
    same_version: bool = False
    max_pages: int = 500
    expected: int | None = None
    pending: list[str] = field(default_factory=list)
    requested: set[str] = field(default_factory=set)
    in_flight: set[str] = field(default_factory=set)
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # by URL, in arrival order
    numbers: set[int] = field(default_factory=set)  # page numbers whose place is known
    problems: list[str] = field(default_factory=list)
    done: bool = False  # finish() was called
    vouched: int = 0  # pages taken as unchanged on a vouching page's word, unfetched
    # When this fetch began: the last full read's age (FULL_READ_EVERY) is measured from it.
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    closed: str | None = None  # ThreadPage.closed: why the post has no comments to read

    def __post_init__(self) -> None:
        self.requested.add(self.url)

    # -- what the last complete crawl saw ---------------------------------------------

    @property
    def baseline(self) -> str | None:
        """The last complete crawl's fingerprint of the thread, if one may be compared."""
        return self.known.baseline if self.known is not None else None

    def stored(self, url: str) -> PageState | None:
        """The page as the last complete crawl stored it (None: not to be relied on)."""
        return self.known.page(url) if self.known is not None and self.baseline else None

    def queue_known_pages(self) -> None:
        """The thread's other pages, as the last complete crawl found them."""
        if self.known is None:
            return
        first = self.known.page(self.url)
        for state in self.known.pages:
            if state is not first and state.url not in self.requested:
                self.requested.add(state.url)
                self.pending.append(state.url)

    # -- outcomes -----------------------------------------------------------------------

    def take(self, outcome: Outcome) -> list[Fault]:
        """Record one page's outcome; the faults it makes the crawl log."""
        url = outcome.url
        self.in_flight.discard(url)
        faults: list[Fault] = []
        if isinstance(outcome, Read):
            post = outcome.page.post
            if post is not None and post.external_id != self.post.external_id:
                outcome = Failed(url, f"shows post {post.external_id}, not {self.post.external_id}")
        if isinstance(outcome, Failed):
            self.problems.append(f"{url}: {outcome.why}")
            faults.append(Fault("comment_page", url, outcome.why))
        elif isinstance(outcome, Read):
            faults += self._take_read(outcome)
        elif isinstance(outcome, Unread):
            if url == self.url and outcome.expected is not None:
                self.expected = outcome.expected
            if outcome.number is not None:
                self.numbers.add(outcome.number)
            self.outcomes[url] = outcome
            if outcome.vouches:
                self._vouch(outcome)
            faults += self._queue(url, outcome.number, outcome.links)
        self.outcomes[url] = outcome
        return faults

    def _vouch(self, page: Unread) -> None:
        """Take the stored pages not fetched yet as unchanged, when `page` may stand for
        them: it and every page so far fingerprint as at the last complete crawl, the
        latest check was complete (what a partial one missed is fetched in full), and a
        crawl fetched every page within FULL_READ_EVERY (what a vouching page cannot
        show, an edit or a mark on a later page, waits no longer than that)."""
        known = self.known
        if known is None or self.baseline is None or known.last_check_partial or self.problems:
            return
        if known.last_full_at is None or known.last_full_at < self.started_at - FULL_READ_EVERY:
            return
        for o in self.outcomes.values():
            stored = self.stored(o.url)
            if isinstance(o, Failed) or stored is None or stored.fingerprint != o.fingerprint:
                return
        for state in known.pages:
            if state.url in self.outcomes or state.url in self.in_flight:
                continue
            if state.url in self.pending:
                self.pending.remove(state.url)
            self.requested.add(state.url)
            self.outcomes[state.url] = NotModified(state.url, state)
            self.vouched += 1

    def _take_read(self, outcome: Read) -> list[Fault]:
        url, page = outcome.url, outcome.page
        if url == self.url:
            if not self.post_read and page.post is not None:
                self.post, self.post_read = page.post, True  # read after all: it changed
            self.expected = page.expected
        if page.counts_thread:
            self.expected = page.expected
        if page.closed:
            self._take_closed(url, page.closed)
        self.numbers.add(page.number)
        faults = [Fault("comment_page", url, why) for why in page.problems]
        if page.cut_off:
            self.problems.append(f"{url}: page is cut off")
            faults.append(Fault("truncated", url, "page is cut off mid-thread"))
        if page.elsewhere:
            self.problems.append(f"{url}: {page.elsewhere}")
            faults.append(Fault("comments_elsewhere", url, page.elsewhere))
        self.problems += [f"{url}: {why}" for why in page.problems]
        if page.unread:
            self.problems += [unread_problem(url, u) for u in page.unread]
            ids = ", ".join(u.external_id for u in page.unread)
            faults.append(Fault("unreadable_comments", url,
                                f"{len(page.unread)} comments not read (no author or text found): {ids}"))
        return faults + self._queue(url, page.number, page.links)

    def _take_closed(self, url: str, closed: str) -> None:
        """A thread with no comments to read. Complete, unless the archive read its
        comments from other pages before (the post had comments shown): they are hidden
        now, not deleted, so no deletion is inferred."""
        self.closed = closed
        # An empty thread is one page; a thread the last complete crawl read in more pages
        # (or whose pages the archive forgot after a partial crawl) had its comments shown.
        if self.known is not None and len(self.known.pages) != 1:
            self.problems.append(f"{url}: {closed}, but the archive read this post's comments before: "
                                 "they are kept, and no deletion is inferred")

    def _queue(self, url: str, number: int | None, links: tuple[tuple[int, str], ...]) -> list[Fault]:
        """Queue the pages `url` names that are not requested yet."""
        for n, link in links:
            # `n in self.numbers`: a page already showed that place in the thread (the post
            # URL shows WordPress's newest comment page), so its twin is not fetched.
            if n == number or n in self.numbers or link in self.requested:
                continue
            if len(self.requested) >= self.max_pages:
                self.problems.append(f"{url}: more than {self.max_pages} comment pages; stopped")
                return [Fault("comment_page_limit", url, f"more than {self.max_pages} comment pages")]
            self.requested.add(link)
            self.pending.append(link)
        return []

    # -- what next ----------------------------------------------------------------------

    def fingerprint(self) -> str | None:
        prints = [o.fingerprint for o in self.outcomes.values() if not isinstance(o, Failed)]
        return thread_fingerprint(prints) if prints else None

    def changed(self) -> bool:
        """True when a page failed or the pages do not fingerprint as the last complete
        crawl's did."""
        return bool(self.problems) or self.baseline is None or self.fingerprint() != self.baseline

    def next_step(self) -> Step:
        if self.pending and (self.parallel or not self.in_flight):
            urls = tuple(self.pending) if self.parallel else (self.pending[0],)
            del self.pending[: len(urls)]
            self.in_flight.update(urls)
            return Fetch(urls)
        if self.in_flight:
            return WAIT
        if self.changed():
            if any(isinstance(o, NotModified) for o in self.outcomes.values()):
                return REFETCH
            unread = tuple(o for o in self.outcomes.values() if isinstance(o, Unread))
            if unread:
                self.skimming = False  # from now on every page is read
                return Parse(unread)
        return DONE

    # -- the result ---------------------------------------------------------------------

    def withheld(self) -> int:
        """Placeholders read (deleted, flagged): no records, but places in the platform's count."""
        return sum(o.page.withheld for o in self.outcomes.values() if isinstance(o, Read))

    def finish(self, *, source_key: str, now: datetime) -> FinishedThread:
        """The thread's result, once `next_step()` says DONE."""
        self.done = True
        states = tuple(o.state for o in self.outcomes.values() if not isinstance(o, Failed))
        if not self.changed():
            snapshot = ThreadSnapshot(
                source_key=source_key, post=self.post, comments=(), complete=True,
                fetched_at=now, expected_comment_count=self.expected,
            )
            check = ThreadCheck(checked_at=now, fingerprint=self.fingerprint(), pages=states,
                                vouched=self.vouched > 0)
            return FinishedThread(snapshot=snapshot, unchanged=True, post_read=self.post_read,
                                  check=check, closed=self.closed)
        by_number: dict[int, tuple[CommentRecord, ...]] = {}
        removals: list[RemovalRecord] = []
        for o in self.outcomes.values():
            if isinstance(o, Read):
                by_number[o.page.number] = o.page.comments
                removals += o.page.removals
        captured = len({c.external_id for comments in by_number.values() for c in comments})
        captured += self.withheld()
        if self.exact_count and self.expected is not None and captured < self.expected:
            # The count is exact, so fewer comments mean pages shifted under us (a comment
            # deleted between two page fetches): one may be missing; infer no deletions.
            self.problems.append(f"{self.url}: captured {captured} comments of {self.expected}")
        snapshot = assemble_thread(
            source_key=source_key,
            post=self.post,
            pages=[by_number[n] for n in sorted(by_number)],
            complete=not self.problems,
            fetched_at=now,
            expected_comment_count=self.expected,
            problems=self.problems,
            removals=removals,
        )
        check = ThreadCheck(checked_at=now, fingerprint=self.fingerprint(), pages=states,
                            complete=snapshot.complete, vouched=self.vouched > 0)
        return FinishedThread(snapshot=snapshot, unchanged=False, post_read=self.post_read,
                              check=check, closed=self.closed)
