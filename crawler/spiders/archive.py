"""The `archive` spider: one crawl of one source, on any platform, by asking its adapter.

Navigation only. The platform adapter (`crawler.platforms`) says where posts are listed,
which requests fetch a thread and how to read each response; which posts to take is
`crawler.post_choice`; the state of each thread being fetched is a pure
`crawler.thread_fetch.ThreadFetch`. Each thread becomes ONE item, a `FinishedThread`,
which the pipeline hands to the archive. One callback per kind of request:

    parse_activity      the site's newest comments (revisit policy), before discovery
    parse_listing       a page that lists posts (an API page, a feed, a sitemap, an archive)
    parse_post_page     a post's own page: the first page of a thread found by URL
    parse_thread_page   any further page of a thread
    parse_comment_feed  a post's comment feed (revisit policy, where there is no API)

Any exception in a callback is a problem of the crawl (type, message, URL in its stats)
and, when it hit a thread's page, of that thread too, which is then partial.

    scrapy crawl archive -a source=KEY [-a config=PATH]
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

# Imported here, where the stack is short, not by the first download deep in the reactor:
# Scrapy builds its deprecated TLS aliases with inspect.stack(), whose cost grows with the
# stack's depth and the modules loaded (0.38 G instructions less per crawl, callgrind).
import scrapy.core.downloader.contextfactory  # noqa: F401
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.config import Config, Source, load_config
from crawler.encoding import normalize_page
from crawler.faultlog import failure_reason, note_exception, note_fault
from crawler.fetches import body_sha256, decode_response, fetch_failed
from crawler.normalize.thread import normalize_thread
from crawler.page import Page, asked_for, form_post_body
from crawler.platforms import platform_for
from crawler.platforms.base import ListingRequest, Platform, Route
from crawler.politeness import politeness_settings
from crawler.post_choice import PostChoice
from crawler.recrawl import KnownPost, KnownPosts, conditional_headers, page_state
from crawler.revisit import is_new_activity
from crawler.thread_fetch import (
    DONE,
    REFETCH,
    WAIT,
    Failed,
    Fetch,
    FinishedThread,
    NotModified,
    Outcome,
    Parse,
    Read,
    ThreadFetch,
    Unread,
)
from crawler.topic import TopicFilter
from storage.archive import Archive
from storage.known import ArchivedText
from storage.records import PostGone, PostRecord, ThreadSnapshot

__all__ = ["ArchiveSpider"]

logger = logging.getLogger(__name__)

# Request priorities: finish threads already begun before discovering more posts, so
# items flow steadily and memory stays flat on big sites.
LISTING, POST, THREAD = 0, 10, 20
MAX_PROBLEMS_KEPT = 200
# Pages of recent comments read before the revisit policy gives up for the night.
MAX_ACTIVITY_PAGES = 20


def guarded(callback: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """Run a callback so that any exception it raises is a counted problem, not a lost
    page: its thread (if the request was for one) takes the page as failed and goes on."""

    @functools.wraps(callback)
    def run(self: ArchiveSpider, response: Response, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from callback(self, response, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the error contract: nothing is dropped silently
            yield from self._callback_failed(response.url, exc, kwargs.get("thread"))

    return run


class ArchiveSpider(Spider):
    """One crawl of one source from the config."""

    name = "archive"

    def __init__(self, source: str | None = None, config: str | Config | None = None,
                 archive: Archive | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source_key = source
        self.config_arg = config  # the runner's loaded Config, or a path (scrapy crawl)
        # The crawl's one Archive (one engine per crawl process): the runner's, or opened
        # in from_crawler when Scrapy runs the spider alone, and then closed with it.
        self.archive = archive
        self.own_engine: Any = None
        # Set by from_crawler, which alone sees the settings.
        self.config: Config
        self.source: Source
        self.platform: Platform
        self.choice: PostChoice
        self.known = KnownPosts()
        self.listing_pages = 0
        self.feed_probed: set[str] = set()  # known posts whose comment feed was asked
        self.probed = False
        # Crawls whose stored fingerprints this parser reproduced (_same_post_page).
        self.fingerprints_checked: set[int | None] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ArchiveSpider:
        spider: ArchiveSpider = super().from_crawler(crawler, *args, **kwargs)
        if not spider.source_key:
            raise ValueError("give the source to crawl: scrapy crawl archive -a source=KEY")
        given = spider.config_arg
        spider.config = given if isinstance(given, Config) else load_config(
            given or crawler.settings.get("PALIMPSEST_CONFIG"))
        spider.source = spider.config.source(spider.source_key)
        if spider.archive is None:
            from storage.engine import open_engine

            spider.own_engine = open_engine(crawler.settings.get("PALIMPSEST_DB_URL"))
            spider.archive = Archive(spider.own_engine)
        spider.platform = platform_for(spider.source, spider.config.topic.tags)
        spider._apply_politeness(crawler)
        crawler.signals.connect(spider._probe_unseen, signal=signals.spider_idle)
        return spider

    def _apply_politeness(self, crawler: Crawler) -> None:
        """Per-source delay, concurrency, User-Agent and WARC capture (crawler.politeness).

        Done here rather than in the runner so `scrapy crawl archive` gets them too;
        Scrapy still allows changing settings in from_crawler (they freeze right after).
        """
        settings = crawler.settings
        per_source = politeness_settings(
            self.config, self.source,
            warc_dir=settings.get("PALIMPSEST_WARC_DIR") or None,
            scheduled=settings.get("PALIMPSEST_TRIGGER") == "schedule",
        )
        settings.update(per_source, priority="spider")

    # -- start ----------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        self._load_known()
        if self.choice.revisit and len(self.known) and self.platform.activity_url(1, None):
            yield self._activity_request(1)  # then _discovery()
            return
        for request in self._discovery():
            yield request

    def closed(self, reason: str) -> None:
        if self.own_engine is not None:  # after the pipeline's close_spider
            self.own_engine.dispose()

    def _load_known(self) -> None:
        """The archive's posts of this source, and whether the revisit policy applies."""
        setting = self.settings.get("PALIMPSEST_REVISIT")
        scheduled = self.settings.get("PALIMPSEST_TRIGGER") == "schedule"
        assert self.archive is not None
        self.known = KnownPosts.from_list(self.archive.known_posts(self.source.key))
        self.choice = PostChoice(
            topic=TopicFilter(self.config.topic), since=self.source.since, known=self.known,
            policy=self.config.revisit_policy(self.source), stats=self._stats(),
            revisit=setting == "always" or (setting == "schedule" and scheduled),
        )

    def _discovery(self) -> Iterator[Request]:
        listings = self.platform.discovery()
        if listings:  # the route discovery is on; a fallback changes it
            self._stats().set_value("palimpsest/route", listings[0].route)
        for listing in listings:
            yield self._listing_request(listing)

    # -- recent comment activity (revisit policy) ------------------------------------------

    def _activity_request(self, page_no: int) -> Request:
        """The site's newest comments since the oldest last check (a day of slack, since
        WordPress reads `after` in the site's time zone)."""
        checked = [k.last_checked_at for k in self.known.by_id.values() if k.last_checked_at]
        after = min(checked) - timedelta(days=1) if checked else None
        url = self.platform.activity_url(page_no, after)
        assert url is not None
        return Request(url, callback=self.parse_activity, errback=self.activity_failed,
                       cb_kwargs={"page_no": page_no}, priority=LISTING)

    @guarded
    def parse_activity(self, response: Response, page_no: int) -> Iterator[Request]:
        try:
            activity = self.platform.read_activity(self._decoded(self._page(response)))
        except ValueError as exc:
            yield from self._without_activity(str(exc))
            return
        for post_id, when in activity.comments:
            known = self.known.get(post_id)
            if known is not None and is_new_activity(when, known.last_checked_at):
                self.choice.active.add(post_id)
        pages = activity.total_pages or 1
        if page_no < pages and page_no < MAX_ACTIVITY_PAGES:
            yield self._activity_request(page_no + 1)
            return
        if pages > MAX_ACTIVITY_PAGES:
            yield from self._without_activity(f"more than {MAX_ACTIVITY_PAGES} pages of new comments")
            return
        # Counted: the posts that only their new comments make due tonight.
        now = datetime.now(UTC)
        revived = [k for k in self.choice.active
                   if not self.known.due(self.known.get(k), now, self.choice.policy)]
        self._stats().set_value("palimpsest/posts_active", len(revived))
        yield from self._discovery()

    def activity_failed(self, failure: Failure) -> Iterator[Request]:
        self._send_failure(failure.request, failure)  # type: ignore[attr-defined]
        yield from self._without_activity(failure_reason(failure))

    def _without_activity(self, why: str) -> Iterator[Request]:
        # Not knowing which old posts got comments, look at every post this time:
        # missing a thread is worse than fetching some more.
        logger.info("%s: no recent-comment list (%s); every post is due", self.source.key, why)
        self.choice.revisit = False
        yield from self._discovery()

    # -- listings -------------------------------------------------------------------

    def _listing_request(self, listing: ListingRequest) -> Request:
        self.listing_pages += 1
        return Request(listing.url, callback=self.parse_listing, errback=self.listing_failed,
                       cb_kwargs={"listing": listing}, priority=LISTING)

    @guarded
    def parse_listing(self, response: Response, listing: ListingRequest) -> Iterator[Request]:
        route = self.platform.routes[listing.route]
        try:
            found = route.read_listing(listing, self._decoded(self._page(response)))
        except ValueError as exc:
            yield from self._listing_unusable(listing, response.url, str(exc))
            return
        if listing.probe:
            logger.info("%s: %s lists %s posts", self.source.key, listing.route, found.total)
        for post in found.posts:
            if self.choice.wanted(post):
                yield from self._start_thread(route, post)
        for url in found.post_urls:
            if self.choice.dated_before_since(url):
                self._stats().inc_value("palimpsest/posts_skipped_by_url_date")
                continue
            known = self.known.for_url(url)
            if not self.choice.due(known):
                yield from self._probe_feed(url, known)
                continue
            self.choice.ask(url)
            yield self._post_request(url, known)
        limit = self.settings.getint("PALIMPSEST_MAX_LISTING_PAGES")
        for more in found.more:
            if self.listing_pages < limit:
                yield self._listing_request(more)

    def listing_failed(self, failure: Failure) -> Iterator[Request]:
        request = failure.request  # type: ignore[attr-defined]
        self._send_failure(request, failure)
        listing: ListingRequest = request.cb_kwargs["listing"]
        if listing.guess:
            self._fault("network", request.url, failure_reason(failure))
        else:
            yield from self._listing_unusable(listing, request.url, failure_reason(failure))

    def _listing_unusable(self, listing: ListingRequest, url: str, why: str) -> Iterator[Request]:
        if listing.probe:
            instead = self.platform.fallback(listing)
            logger.info("%s: no %s listing at %s (%s); trying %s", self.source.key,
                        listing.route, url, why, instead[0].route if instead else "nothing")
            if instead:
                self._stats().set_value("palimpsest/route", instead[0].route)
            for other in instead:
                yield self._listing_request(other)
        elif listing.guess:
            # Not every site has every feed, sitemap form or topic archive: not an error.
            logger.debug("no listing at %s (%s)", url, why)
            self._stats().inc_value("palimpsest/discovery_misses")
        else:  # the listing works but lost a page: posts on it are missed
            self._fault("listing", url, why)

    # -- threads whose post a listing gave -----------------------------------------------

    def _start_thread(self, route: Route, post: PostRecord) -> Iterator[Any]:
        urls = route.thread_urls(post)
        thread = self._thread(route, post, urls[0], self.known.get(post.external_id))
        thread.skimming = thread.baseline is not None
        thread.pending.extend(urls)
        thread.requested.update(urls)
        yield from self._advance(thread)

    def _thread(self, route: Route, post: PostRecord, url: str, known: KnownPost | None) -> ThreadFetch:
        return ThreadFetch(
            post=post, url=url, route=route.name, known=known, parallel=route.parallel,
            exact_count=route.exact_count,
            max_pages=self.settings.getint("PALIMPSEST_MAX_COMMENT_PAGES"),
        )

    # -- post pages -----------------------------------------------------------------

    def _post_request(self, url: str, known: KnownPost | None, *, refetch: bool = False) -> Request:
        """A post page request; conditional when the last complete crawl kept validators."""
        conditional = not refetch and known is not None and known.baseline is not None
        headers = conditional_headers(known.page(url)) if conditional and known else {}
        return Request(
            url, callback=self.parse_post_page, errback=self.post_page_failed, priority=POST,
            headers=headers or None, meta={"known": known, "refetch": refetch}, dont_filter=refetch,
        )

    @guarded
    def parse_post_page(self, response: Response) -> Iterator[Any]:
        probe: KnownPost | None = response.meta.get("probe")
        if probe is not None and response.status in (404, 410):
            # A known post gone from the site: the archive counts it, and tombstones it
            # when the previous crawl found it gone too.
            yield PostGone(source_key=self.source.key, external_id=probe.external_id,
                           url=response.url, status=response.status, fetched_at=datetime.now(UTC))
            self._stats().inc_value("palimpsest/posts_gone")
            return
        known: KnownPost | None = response.meta.get("known")
        refetch = bool(response.meta.get("refetch"))
        route = self.platform.post_pages
        if response.status == 304 and known is not None:
            yield from self._post_not_modified(route, _asked_url(response), known)
            return
        if response.status != 200:
            self._fault(f"http_{response.status}", response.url, "post page not fetched")
            return
        page = self._page(response)
        why = route.unreadable(page)
        if why:
            self._fault("not_html", response.url, f"post page: {why}")
            return
        sha256 = body_sha256(response)
        if known is not None and not refetch and self._same_post_page(route, page, sha256, known):
            yield from self._post_body_unchanged(route, page, known)
            return
        page = self._decoded(page)
        try:
            read = self._read_post_page(route, page, sha256, known, refetch=refetch)
        except ValueError as exc:
            self._fault("parse", response.url, str(exc))
            return
        if isinstance(read, str):
            # The page names no post id; this URL's answer does. Asked for this post (its
            # `known`), though other posts may ask the same page.
            yield self._post_request(read, known, refetch=refetch).replace(dont_filter=True)
            return
        outcome, post = read
        # A refetch (a 304 thread that changed after all) was wanted already.
        if not refetch and not self.choice.wanted(post):
            return
        thread = self._thread(route, post, page.url, self.known.get(post.external_id))
        thread.skimming = thread.baseline is not None and not refetch
        self._take(thread, outcome)
        yield from self._advance(thread)

    def _read_post_page(self, route: Route, page: Page, sha256: str, known: KnownPost | None, *,
                        refetch: bool) -> tuple[Outcome, PostRecord] | str:
        """The post page read, comments left unread when its comment region hashes as at
        the last complete crawl (the thread is then most likely unchanged, and reading
        50 comments is most of a page's parse); or, for a page that names no post id, the
        URL to read the post from instead (`ThreadPage.post_at`)."""
        stored = known.page(page.url) if known is not None and not refetch else None
        if (
            known is not None
            and stored is not None
            and known.baseline is not None
            and route.glimpse(page).fingerprint == stored.fingerprint
        ):
            only = route.read_post_only(page)
            if only is not None and only.post is not None \
                    and only.post.external_id == known.external_id and not only.notes:
                state = page_state(page.url, only.fingerprint, page.headers, sha256)
                return Unread(page.url, page, only.fingerprint, state, decoded=True,
                              number=only.number, links=only.links, expected=only.expected), only.post
        parsed = route.read(page)
        if parsed.post is None and parsed.post_at:
            return parsed.post_at
        if parsed.post is None:
            raise ValueError(f"{page.url}: no post on the post page")
        return Read(page.url, parsed, page_state(page.url, parsed.fingerprint, page.headers, sha256)), parsed.post

    def _same_post_page(self, route: Route, page: Page, sha256: str, known: KnownPost) -> bool:
        """True when the post page is byte for byte the last complete crawl's (its stored
        body hash) and that crawl's fingerprint of it still holds (a parser with a new
        fingerprint version must not skip it): reading the post would change nothing.

        The fingerprint is recomputed until one matches for that crawl: identical bytes
        fingerprint alike under one version, and the stored fingerprints of the pages a
        crawl fetched whole were all made (or so checked) under its version, so one match
        shows the parser's version is that crawl's."""
        stored = known.page(page.url)
        if (
            stored is None
            or known.external_id in self.choice.seen
            or known.baseline is None
            or not known.same_body(page.url, sha256)
        ):
            return False
        crawl = known.last_complete_crawl_id
        if crawl not in self.fingerprints_checked:
            if route.glimpse(page).fingerprint != stored.fingerprint:
                return False
            self.fingerprints_checked.add(crawl)
        return True

    def _unread_thread(self, route: Route, known: KnownPost, url: str, stat: str) -> ThreadFetch:
        """A thread whose post page is as the last complete crawl saw it (a 304, or the
        same bytes): the post is not read; its record holds only the ids."""
        self.choice.seen.add(known.external_id)
        self._stats().inc_value("palimpsest/posts_seen")
        self._stats().inc_value(f"palimpsest/{stat}")
        post = PostRecord(external_id=known.external_id, url=known.url, title="", author_raw="", author_key="")
        thread = self._thread(route, post, url, known)
        thread.skimming, thread.post_read = True, False
        return thread

    def _post_body_unchanged(self, route: Route, page: Page, known: KnownPost) -> Iterator[Any]:
        """The post page as the last complete crawl saw it: treated as a 304 would be (the
        post is not read), but its body is kept, to be read if another page changed."""
        stored = known.page(page.url)
        assert stored is not None
        thread = self._unread_thread(route, known, page.url, "posts_body_unchanged")
        thread.same_version = True
        state = page_state(page.url, stored.fingerprint, page.headers, stored.sha256)
        self._take(thread, Unread(page.url, page, stored.fingerprint, state, decoded=False))
        thread.queue_known_pages()
        yield from self._advance(thread)

    def _post_not_modified(self, route: Route, url: str, known: KnownPost) -> Iterator[Any]:
        """The post page answered 304: its other pages are asked with their validators too,
        and the thread is recorded unchanged only if every page then matches."""
        first = known.page(url)
        if first is None:
            yield self._post_request(url, known, refetch=True)
            return
        thread = self._unread_thread(route, known, url, "posts_not_modified")
        self._take(thread, NotModified(url, first))
        thread.queue_known_pages()
        yield from self._advance(thread)

    def post_page_failed(self, failure: Failure) -> None:
        """Errback of post page requests: counted, and the crawl goes on."""
        request = failure.request  # type: ignore[attr-defined]
        self._send_failure(request, failure)
        self._fault("network", request.url, failure_reason(failure))

    # -- the pages of a thread ------------------------------------------------------------

    def _advance(self, thread: ThreadFetch) -> Iterator[Any]:
        """Do what the thread says is next, until it waits for pages or is done."""
        while True:
            step = thread.next_step()
            if isinstance(step, Fetch):
                for url in step.urls:
                    yield self._thread_page_request(thread, url)
                return
            if step is WAIT:
                return
            if step is REFETCH:
                # A page answered 304, so its body is missing, and the thread changed after
                # all: fetch it again whole, without validators (only routes with post
                # pages send validators).
                self._stats().inc_value("palimpsest/threads_refetched")
                yield self._post_request(thread.url, thread.known, refetch=True)
                return
            if isinstance(step, Parse):
                route = self.platform.routes[thread.route]
                for unread in step.pages:
                    page = unread.page if unread.decoded else self._decoded(unread.page)
                    self._take(thread, self._read(route, page, unread.state.sha256))
                continue
            assert step is DONE
            yield self._finish(thread)
            return

    def _thread_page_request(self, thread: ThreadFetch, url: str) -> Request:
        route = self.platform.routes[thread.route]
        form = form_post_body(url)
        if form is not None:  # a plugin's load-more request (crawler.page.form_post_url)
            return Request(
                url, method="POST", body=form, callback=self.parse_thread_page,
                errback=self.thread_page_failed, cb_kwargs={"thread": thread}, priority=THREAD,
                dont_filter=True, headers={"Content-Type": "application/x-www-form-urlencoded",
                                           "X-Requested-With": "XMLHttpRequest"},
            )
        stored = thread.stored(url) if route.conditional and thread.skimming else None
        return Request(
            url, callback=self.parse_thread_page, errback=self.thread_page_failed,
            cb_kwargs={"thread": thread}, priority=THREAD, dont_filter=True,
            headers=conditional_headers(stored) or None,
        )

    @guarded
    def parse_thread_page(self, response: Response, thread: ThreadFetch) -> Iterator[Any]:
        self._take(thread, self._outcome(thread, response))
        yield from self._advance(thread)

    def _outcome(self, thread: ThreadFetch, response: Response) -> Outcome:
        url = _asked_url(response)
        route = self.platform.routes[thread.route]
        stored = thread.stored(url)
        if response.status == 304 and stored is not None:
            return NotModified(url, stored)
        if response.status != 200:
            return Failed(url, f"HTTP {response.status}")
        page = self._page(response)
        why = route.unreadable(page)
        if why:
            return Failed(url, why)
        sha256 = body_sha256(response)
        if not thread.skimming:
            return self._read(route, self._decoded(page), sha256)
        if thread.same_version and stored is not None and thread.known is not None \
                and not route.vouching and thread.known.same_body(url, sha256):
            # The very bytes the stored fingerprint was taken from: nothing to decode or hash.
            state = page_state(url, stored.fingerprint, page.headers, sha256)
            return Unread(url, page, stored.fingerprint, state, decoded=False)
        page = self._decoded(page)
        glimpse = route.glimpse(page)
        state = page_state(url, glimpse.fingerprint, page.headers, sha256)
        return Unread(url, page, glimpse.fingerprint, state, decoded=True, links=glimpse.links,
                      expected=glimpse.expected, vouches=glimpse.vouches)

    def _read(self, route: Route, page: Page, sha256: str | None) -> Outcome:
        try:
            parsed = route.read(page)
        except ValueError as exc:
            return Failed(page.url, str(exc))
        return Read(page.url, parsed, page_state(page.url, parsed.fingerprint, page.headers, sha256))

    def thread_page_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        thread: ThreadFetch = request.cb_kwargs["thread"]
        self._send_failure(request, failure)
        self._take(thread, Failed(request.url, failure_reason(failure)))
        yield from self._advance(thread)

    def _take(self, thread: ThreadFetch, outcome: Outcome) -> None:
        if isinstance(outcome, Read):
            if outcome.page.unread:
                self._stats().inc_value("palimpsest/unreadable_comments", len(outcome.page.unread))
            if outcome.page.site and self._stats().get_value("palimpsest/site") is None:
                # What the first post page says the site is, for the summary.
                logger.info("%s: %s", outcome.url, outcome.page.site)
                self._stats().set_value("palimpsest/site", outcome.page.site)
        for fault in thread.take(outcome):
            self._fault(fault.kind, fault.url, fault.why)

    def _finish(self, thread: ThreadFetch) -> FinishedThread:
        """The thread's one item, normalized; counted and logged."""
        finished = thread.finish(source_key=self.source.key, now=datetime.now(UTC))
        snapshot = finished.snapshot
        if thread.vouched and finished.unchanged:
            # Pages not fetched at all: a vouching page (a comment service's count and
            # first posts) stood for them.
            self._stats().inc_value("palimpsest/threads_vouched")
            self._stats().inc_value("palimpsest/pages_vouched", thread.vouched)
        if thread.closed:
            # No comments to read, and why: the summary names the post.
            logger.info("%s: %s", snapshot.post.url, thread.closed)
            self._stats().inc_value("palimpsest/posts_closed")
            _keep_line(self._stats(), "palimpsest/posts_closed_why", f"{snapshot.post.url}: {thread.closed}")
        if finished.unchanged:
            self._stats().inc_value("palimpsest/threads_unchanged")
        elif snapshot.expected_comment_count is not None \
                and snapshot.expected_comment_count != len(snapshot.comments) + thread.withheld():
            # The site's own count disagrees: log and count; the thread's completeness is
            # decided by its pages, since displayed counts include held or filtered comments.
            self._stats().inc_value("palimpsest/count_mismatch")
            logger.warning("%s: captured %d comments, the site says %d", thread.url,
                           len(snapshot.comments) + thread.withheld(), snapshot.expected_comment_count)
        if not snapshot.complete:
            logger.warning("%s: partial thread: %s", thread.url, "; ".join(snapshot.problems))
        archived = self._archived_texts(thread, snapshot)
        normalized = normalize_thread(snapshot, aliases=self.source.aliases, archived=archived)
        return replace(finished, snapshot=normalized)

    def _archived_texts(self, thread: ThreadFetch, snapshot: ThreadSnapshot) -> list[ArchivedText]:
        """What the archive holds of the thread's earlier comment versions, for its quotes'
        sources: read only for an archived post with a blockquote in some comment."""
        if thread.known is None or self.archive is None or not any(
            "<blockquote" in c.body_html.lower() for c in snapshot.comments
        ):
            return []
        return self.archive.archived_texts(self.source.key, snapshot.post.external_id)

    # -- comment feeds (revisit policy, HTML) ---------------------------------------------

    def _probe_feed(self, url: str, known: KnownPost | None) -> Iterator[Request]:
        """A listed post the revisit policy says is not due: where the platform has no list
        of recent comments, ask the post's own comment feed whether it got one since its
        last check. A feed that cannot tell makes the post due."""
        feed = self.platform.comment_feed_url(url) if known is not None else None
        if feed is None or known is None or known.external_id in self.feed_probed:
            return
        self.feed_probed.add(known.external_id)
        self._stats().inc_value("palimpsest/posts_feed_probed")
        yield Request(
            feed, callback=self.parse_comment_feed, errback=self.comment_feed_failed,
            priority=LISTING, cb_kwargs={"post_url": url, "known": known},
            meta={"handle_httpstatus_all": True, "dont_redirect": False},
        )

    @guarded
    def parse_comment_feed(self, response: Response, post_url: str, known: KnownPost) -> Iterator[Any]:
        if response.status != 200:
            yield from self._due_after_all(post_url, known, f"comment feed: HTTP {response.status}")
            return
        try:
            newest = self.platform.newest_in_feed(self._decoded(self._page(response)))
        except ValueError as exc:
            yield from self._due_after_all(post_url, known, str(exc))
            return
        if newest is not None and is_new_activity(newest, known.last_checked_at):
            self._stats().inc_value("palimpsest/posts_active")
            yield from self._due_after_all(post_url, known, None)

    def comment_feed_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        self._send_failure(request, failure)
        kwargs = request.cb_kwargs
        yield from self._due_after_all(kwargs["post_url"], kwargs["known"], failure_reason(failure))

    def _due_after_all(self, post_url: str, known: KnownPost, why: str | None) -> Iterator[Any]:
        """Undo the "not due" verdict and fetch the thread: it has new comments (`why` is
        None) or its feed could not tell."""
        if why is not None:
            logger.info("%s: no answer from the comment feed (%s); the post is due", post_url, why)
            self._stats().inc_value("palimpsest/posts_feed_failed")
        self.choice.revive(known)
        self.choice.ask(post_url)
        yield self._post_request(post_url, known)

    # -- after discovery: known posts it missed ------------------------------------------

    def _probe_unseen(self) -> None:
        """Once discovery is over: fetch the permalinks of due known posts it did not list,
        so a post deleted from the site answers 404/410 (the archive counts it)."""
        if self.probed:
            return
        self.probed = True
        if not self._stats().get_value("palimpsest/posts_seen"):
            return  # a site that lists nothing is broken, not empty: infer no deletion
        # Threads an aborted crawl finished are skipped on purpose (crawler.resume), not missing.
        resumed = set(self._stats().get_value("palimpsest/resumed_from") or ())
        probes = self.choice.unseen(resumed)
        for known in probes:
            self.choice.ask(known.url)
            self.crawler.engine.crawl(Request(
                known.url, callback=self.parse_post_page, errback=self.post_page_failed,
                priority=POST, meta={"probe": known}, dont_filter=True,
            ))
        if probes:
            self._stats().inc_value("palimpsest/posts_probed", len(probes))
            raise DontCloseSpider

    # -- pages, faults, stats ----------------------------------------------------------

    def _page(self, response: Response) -> Page:
        """The response as a parser's input: its body as received (decompressed), and the
        encoding the fetch decided for it (crawler.fetches.decode_response)."""
        headers = {str(k).lower(): str(v) for k, v in response.headers.to_unicode_dict().items()}
        decoded = decode_response(response)
        return Page(url=_asked_url(response), body=response.body, fetched_at=datetime.now(UTC),
                    status=response.status, headers=headers,
                    encoding=decoded.encoding if decoded is not None else None)

    def _decoded(self, page: Page) -> Page:
        """The page as parsers read it: its text in the encoding decided at the fetch,
        handed on as UTF-8 (crawler.encoding.normalize_page)."""
        return normalize_page(page)[0] if page.encoding else page

    def _fault(self, kind: str, url: str, why: str) -> None:
        """A counted, logged error naming the URL; the crawl goes on."""
        logger.warning("%s: %s: %s", kind, url, why)
        stats = self._stats()
        stats.inc_value("palimpsest/errors")
        stats.inc_value(f"palimpsest/errors/{kind}")
        note_fault(stats, kind, url, why, outcome="skipped")
        _keep_line(stats, "palimpsest/problems", f"{kind}: {url}: {why}")

    def _callback_failed(self, url: str, exc: Exception, thread: ThreadFetch | None) -> Iterator[Any]:
        """An exception escaped a callback: counted with its type, message and URL; the
        thread whose page it was takes the page as failed (partial), and goes on."""
        logger.exception("%s: %s in a callback", url, type(exc).__name__)
        note_exception(self._stats(), url, exc)
        why = f"{type(exc).__name__}: {exc}"
        self._fault("exception", url, why)
        if thread is not None and not thread.done:
            thread.problems.append(f"{url}: {why}")
            thread.in_flight.discard(url)
            yield from self._advance(thread)

    def _send_failure(self, request: Request, failure: Failure) -> None:
        self.crawler.signals.send_catch_log(fetch_failed, request=request, failure=failure, spider=self)

    def _stats(self) -> Any:
        return self.crawler.stats


def _keep_line(stats: Any, key: str, line: str) -> None:
    """Add `line` to the crawl stat `key`, a list of at most MAX_PROBLEMS_KEPT lines."""
    lines = stats.get_value(key) or []
    if len(lines) < MAX_PROBLEMS_KEPT:
        stats.set_value(key, [*lines, line])


def _asked_url(response: Response) -> str:
    """The response's URL, or for a POSTed thread page the URL it was asked by (its form
    and marker, crawler.page.form_post_url, which a response's URL drops)."""
    asked = response.request.url if response.request is not None else response.url
    return asked if form_post_body(asked) is not None or asked_for(asked) is not None else response.url
