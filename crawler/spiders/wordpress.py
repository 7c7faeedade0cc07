"""The `wordpress` spider: finds a blog's on-topic posts and fetches every page of their threads.

Navigation only; parsing is `crawler.parsers`, thread assembly `crawler.thread`,
normalization `crawler.normalize`. Two routes, chosen per crawl:

* REST: /wp-json/wp/v2/posts (or ?rest_route= when pretty permalinks are off), then
  /wp/v2/comments for each on-topic post, every page of both.
* HTML, when the REST API is blocked or disabled: feeds, wp-sitemap.xml, the home page
  and its pagination, and the topic's tag/category archives discover post URLs; each
  post page is fetched, filtered, then every comment page of its thread.

Each thread becomes ONE item, a ThreadSnapshot. A thread with a page that failed is
yielded with complete=False and its problems, so the archive infers no deletions from it.

    scrapy crawl wordpress -a source=KEY [-a config=PATH]
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.config import Config, Source, load_config
from crawler.encoding import normalize_page
from crawler.faultlog import note_fault
from crawler.fetches import fetch_failed
from crawler.normalize.thread import normalize_thread
from crawler.parsers import get_parser
from crawler.politeness import politeness_settings
from crawler.recrawl import (
    KnownPost,
    KnownPosts,
    conditional_headers,
    load_known_posts,
    page_state,
    url_key,
)
from crawler.thread import assemble_thread, thread_fingerprint
from crawler.topic import TopicFilter
from storage.records import (
    CommentRecord,
    Page,
    PageState,
    PostGone,
    PostRecord,
    ThreadSnapshot,
)

__all__ = ["WordPressSpider"]

logger = logging.getLogger(__name__)

# Request priorities: finish threads already begun before discovering more posts, so
# items flow steadily and memory stays flat on big sites.
LISTING, POST, THREAD = 0, 10, 20
REST_PER_PAGE = 100
# The year and month of a date-based permalink (/2025/03/slug/).
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/")
MAX_PROBLEMS_KEPT = 200
# Pages of recent comments read before the revisit policy gives up for the night.
MAX_ACTIVITY_PAGES = 20


@dataclass(eq=False)
class ThreadInProgress:
    """A thread whose pages are being fetched: the post and each page's comments so far."""

    post: PostRecord
    url: str
    pending: list[str] = field(default_factory=list)  # HTML: comment page URLs, in order
    waiting: set[int] = field(default_factory=set)  # REST: comment pages requested, not back
    requested: set[str] = field(default_factory=set)
    pages: dict[int, tuple[CommentRecord, ...]] = field(default_factory=dict)
    fingerprints: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    expected: int | None = None
    route: str = "html"
    # HTML pages after the first of a thread the last complete crawl saw whole are only
    # fingerprinted; they are parsed (in fetch order) only if the thread's fingerprint
    # then differs from that crawl's (crawler.recrawl).
    defer: bool = False
    deferred: list[tuple[Page, str]] = field(default_factory=list)
    # Conditional requests: the archive's record of the thread, each page's validators as
    # seen now, and whether a page answered 304 (no body: a changed thread is refetched).
    rest_deferred: dict[int, Page] = field(default_factory=dict)  # REST pages, only hashed
    rest_pages: int = 1  # X-WP-TotalPages of the comments, once page 1 is read
    known: KnownPost | None = None
    page_states: dict[str, PageState] = field(default_factory=dict)
    not_modified: bool = False
    post_not_modified: bool = False


class WordPressSpider(Spider):
    """One crawl of one WordPress source from the config."""

    name = "wordpress"

    def __init__(self, source: str | None = None, config: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source_key = source
        self.config_path = config
        # Set by from_crawler, which alone sees the settings.
        self.config: Config
        self.source: Source
        self.topic: TopicFilter
        self.parser = get_parser("wordpress")
        self.seen_posts: set[str] = set()
        self.listing_pages = 0
        # crawler.recrawl: the archive's posts of this source, loaded once in start().
        self.known = KnownPosts()
        self.revisit = False  # apply the revisit policy (scheduled crawls, or the setting)
        self.requested_posts: set[str] = set()  # url_key of every post page requested
        self.not_due: set[str] = set()  # known posts the revisit policy leaves for later
        self.active: set[str] = set()  # known posts with comments newer than their last check
        self.probed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WordPressSpider:
        spider: WordPressSpider = super().from_crawler(crawler, *args, **kwargs)
        if not spider.source_key:
            raise ValueError("give the source to crawl: scrapy crawl wordpress -a source=KEY")
        spider.config = load_config(spider.config_path or crawler.settings.get("PALIMPSEST_CONFIG"))
        spider.source = spider.config.source(spider.source_key)
        spider.topic = TopicFilter(spider.config.topic)
        spider.parser = get_parser(spider.source.platform)
        spider._apply_politeness(crawler)
        crawler.signals.connect(spider._probe_unseen, signal=signals.spider_idle)
        return spider

    def _apply_politeness(self, crawler: Crawler) -> None:
        """Per-source delay, concurrency, User-Agent and WARC capture (crawler.politeness).

        Done here rather than in the runner so `scrapy crawl wordpress` gets them too;
        Scrapy still allows changing settings in from_crawler (they freeze right after).
        """
        settings = crawler.settings
        per_source = politeness_settings(
            self.config, self.source,
            warc_dir=settings.get("PALIMPSEST_WARC_DIR") or None,
            scheduled=settings.get("PALIMPSEST_TRIGGER") == "schedule",
        )
        settings.update(per_source, priority="spider")

    @property
    def base(self) -> str:
        return self.source.url if self.source.url.endswith("/") else self.source.url + "/"

    # -- start ----------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        self._load_known()
        if self.revisit and self.source.use_rest and len(self.known):
            yield self._activity_request(1)  # then _discovery()
            return
        for request in self._discovery():
            yield request

    def _discovery(self) -> Iterator[Request]:
        if self.source.use_rest:
            yield self._rest_posts_request("pretty", 1)
        else:
            yield from self._html_discovery()

    # -- recent comment activity (revisit policy) ------------------------------------------

    def _activity_request(self, page_no: int) -> Request:
        """The site's newest comments since the oldest last check (a day of slack, since
        WordPress reads `after` in the site's time zone)."""
        checked = [k.last_checked_at for k in self.known.by_id.values() if k.last_checked_at]
        query: dict[str, Any] = {"per_page": REST_PER_PAGE, "page": page_no, "orderby": "date",
                                 "order": "desc", "_fields": "post,date_gmt"}
        if checked:
            query["after"] = (min(checked) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
        return Request(
            self._rest_url("pretty", "comments", **query), callback=self.parse_activity,
            errback=self.activity_failed, cb_kwargs={"page_no": page_no}, priority=LISTING,
        )

    def parse_activity(self, response: Response, page_no: int) -> Iterator[Request]:
        try:
            if response.status != 200:
                raise ValueError(f"HTTP {response.status}")
            activity = self.parser.parse_rest_activity(self._page(response, clean=False))
        except ValueError as exc:
            yield from self._without_activity(str(exc))
            return
        for post_id, when in activity.comments:
            known = self.known.get(post_id)
            if known is not None and (known.last_checked_at is None or when > known.last_checked_at):
                self.active.add(post_id)
        pages = activity.total_pages or 1
        if page_no < pages and page_no < MAX_ACTIVITY_PAGES:
            yield self._activity_request(page_no + 1)
            return
        if pages > MAX_ACTIVITY_PAGES:
            yield from self._without_activity(f"more than {MAX_ACTIVITY_PAGES} pages of new comments")
            return
        self._stats().set_value("palimpsest/posts_active", len(self.active))
        yield from self._discovery()

    def activity_failed(self, failure: Failure) -> Iterator[Request]:
        self._send_failure(failure.request, failure)  # type: ignore[attr-defined]
        yield from self._without_activity(_reason(failure))

    def _without_activity(self, why: str) -> Iterator[Request]:
        # Not knowing which old posts got comments, look at every post this time:
        # missing a thread is worse than fetching some more.
        logger.info("%s: no recent-comment list (%s); every post is due", self.source.key, why)
        self.revisit = False
        yield from self._discovery()

    # -- REST route -----------------------------------------------------------------

    def _rest_url(self, route: str, endpoint: str, **query: Any) -> str:
        params = urlencode(query, safe=",:")
        if route == "pretty":
            return f"{self.base}wp-json/wp/v2/{endpoint}?{params}"
        return f"{self.base}?rest_route=/wp/v2/{endpoint}&{params}"

    def _rest_posts_request(self, route: str, page_no: int) -> Request:
        query: dict[str, Any] = {"_embed": "author,wp:term", "per_page": REST_PER_PAGE, "page": page_no}
        if self.source.since:
            # `after` is read in the site's time zone; a day of slack, and `_wanted` applies
            # the exact UTC date, so both routes keep the same posts.
            query["after"] = f"{(self.source.since - timedelta(days=1)).isoformat()}T00:00:00"
        return Request(
            self._rest_url(route, "posts", **query),
            callback=self.parse_rest_posts,
            errback=self.rest_posts_failed,
            cb_kwargs={"route": route, "page_no": page_no},
            priority=LISTING,
        )

    def parse_rest_posts(self, response: Response, route: str, page_no: int) -> Iterator[Any]:
        page = self._page(response, clean=False)
        try:
            if response.status != 200:
                raise ValueError(f"HTTP {response.status}")
            result = self.parser.parse_rest_posts(page)
        except ValueError as exc:
            yield from self._rest_unavailable(response.url, route, page_no, str(exc))
            return
        if page_no == 1:
            self._stats().set_value("palimpsest/rest", route)
            logger.info("%s: REST API (%s) lists %s posts", self.source.key, route, result.total)
            for n in range(2, (result.total_pages or 1) + 1):
                yield self._rest_posts_request(route, n)
        for post in result.posts:
            if self._wanted(post):
                thread = ThreadInProgress(post=post, url=post.url, route=route,
                                          defer=self.known.may_skip(post.external_id))
                yield self._rest_comments_request(thread, 1)

    def rest_posts_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        self._send_failure(request, failure)
        kw = request.cb_kwargs
        yield from self._rest_unavailable(request.url, kw["route"], kw["page_no"], _reason(failure))

    def _rest_unavailable(self, url: str, route: str, page_no: int, why: str) -> Iterator[Request]:
        if page_no > 1:  # the API works but lost a page: posts on it are missed
            self._fault("rest_posts", url, why)
        elif route == "pretty":
            logger.info("%s: no REST API at %s (%s); trying ?rest_route=", self.source.key, url, why)
            yield self._rest_posts_request("plain", 1)
        else:
            logger.info("%s: REST API unavailable (%s); discovering posts from HTML", self.source.key, why)
            self._stats().set_value("palimpsest/rest", "unavailable")
            yield from self._html_discovery()

    def _rest_comments_request(self, thread: ThreadInProgress, page_no: int) -> Request:
        url = self._rest_url(
            thread.route, "comments", post=thread.post.external_id, per_page=REST_PER_PAGE,
            page=page_no, orderby="id", order="asc",  # id order: new comments land on the last page
        )
        thread.waiting.add(page_no)
        return Request(
            url, callback=self.parse_rest_comments, errback=self.thread_page_failed,
            cb_kwargs={"thread": thread, "page_no": page_no}, priority=THREAD, dont_filter=True,
        )

    def parse_rest_comments(self, response: Response, thread: ThreadInProgress, page_no: int) -> Iterator[Any]:
        thread.waiting.discard(page_no)
        if thread.defer and response.status == 200:
            # Hash now, parse only if the thread's payloads differ from the last complete
            # crawl's; the page count is in the headers (X-WP-Total, X-WP-TotalPages).
            page = self._page(response, clean=False)
            thread.rest_deferred[page_no] = page
            thread.fingerprints.append(hashlib.sha256(response.body).hexdigest())
            if page_no == 1:
                thread.expected = _header_int(page, "x-wp-total")
                for n in range(2, (_header_int(page, "x-wp-totalpages") or 1) + 1):
                    yield self._rest_comments_request(thread, n)
        else:
            read = self._read_rest_comments(thread, page_no, self._page(response, clean=False))
            if page_no == 1 and read:
                for n in range(2, thread.rest_pages + 1):
                    yield self._rest_comments_request(thread, n)
        if not thread.waiting:
            if thread.rest_deferred and (
                thread.problems
                or not self.known.unchanged(thread.post.external_id, thread_fingerprint(thread.fingerprints))
            ):
                deferred, thread.rest_deferred = thread.rest_deferred, {}
                for n, page in sorted(deferred.items()):
                    thread.fingerprints.remove(hashlib.sha256(page.body).hexdigest())
                    self._read_rest_comments(thread, n, page)
            yield self._finish(thread)

    def _read_rest_comments(self, thread: ThreadInProgress, page_no: int, page: Page) -> bool:
        """Parse one REST comments page into the thread; False (noted) when unusable."""
        try:
            if page.status != 200:
                raise ValueError(f"HTTP {page.status}")
            result = self.parser.parse_rest_comments(page)
        except ValueError as exc:
            thread.problems.append(f"{page.url}: {exc}")
            self._fault("comment_page", page.url, str(exc))
            return False
        thread.pages[page_no] = result.comments
        thread.fingerprints.append(hashlib.sha256(page.body).hexdigest())
        if page_no == 1:
            # All further pages at once: REST pages are independent of each other.
            thread.expected = result.total
            thread.rest_pages = result.total_pages or 1
        return True

    # -- HTML route -----------------------------------------------------------------

    def _html_discovery(self) -> Iterator[Request]:
        b = self.base
        urls = [b, f"{b}feed/", f"{b}?feed=rss2", f"{b}wp-sitemap.xml", f"{b}?sitemap=index"]
        for tag in self.config.topic.tags:
            slug = "-".join(tag.lower().split())
            urls += [f"{b}tag/{slug}/", f"{b}category/{slug}/", f"{b}?tag={slug}", f"{b}?category_name={slug}"]
        for url in urls:
            yield self._listing_request(url)

    def _listing_request(self, url: str) -> Request:
        self.listing_pages += 1
        return Request(url, callback=self.parse_listing, errback=self.listing_failed, priority=LISTING)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        if response.status != 200:
            self._discovery_miss(response.url, f"HTTP {response.status}")
            return
        try:
            listing = self.parser.parse_listing(self._page(response, clean=False))
        except ValueError as exc:
            self._discovery_miss(response.url, str(exc))
            return
        for url in listing.post_urls:
            if self._dated_before_since(url):
                self._stats().inc_value("palimpsest/posts_skipped_by_url_date")
                continue
            known = self.known.for_url(url)
            if not self._due(known):
                continue
            self.requested_posts.add(url_key(url))
            yield self._post_request(url, known)
        limit = self.settings.getint("PALIMPSEST_MAX_LISTING_PAGES", 2000)
        for url in listing.next_urls:
            if self.listing_pages < limit:
                yield self._listing_request(url)

    def _dated_before_since(self, url: str) -> bool:
        """True for a /YYYY/MM/ permalink clearly older than `since`: on a big blog the
        sitemaps list every post ever, and fetching each one nightly would be wasteful.
        One month of slack, because the URL has the site's local month, not UTC's."""
        since = self.source.since
        match = _URL_MONTH.search(urlsplit(url).path) if since else None
        if since is None or match is None:
            return False
        slack = (since.year, since.month - 1) if since.month > 1 else (since.year - 1, 12)
        return (int(match[1]), int(match[2])) < slack

    def listing_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self._send_failure(request, failure)
        self._fault("network", request.url, _reason(failure))

    def parse_post(self, response: Response) -> Iterator[Any]:
        probe: KnownPost | None = response.meta.get("probe")
        if probe is not None and response.status in (404, 410):
            # A known post gone from the site: storage.gone counts it, and tombstones it
            # when the previous crawl found it gone too.
            yield PostGone(source_key=self.source.key, external_id=probe.external_id,
                           url=response.url, status=response.status, fetched_at=datetime.now(UTC))
            self._stats().inc_value("palimpsest/posts_gone")
            return
        known: KnownPost | None = response.meta.get("known")
        if response.status == 304 and known is not None:
            yield from self._post_not_modified(response, known)
            return
        if response.status != 200:
            self._fault(f"http_{response.status}", response.url, "post page not fetched")
            return
        if not _is_html(response):
            self._fault("not_html", response.url, f"post page is {_content_type(response)!r}")
            return
        page = self._page(response)
        try:
            parsed = self.parser.parse_post_page(page)
        except ValueError as exc:
            self._fault("parse", response.url, str(exc))
            return
        # A refetch (crawler.recrawl: a 304 thread that changed after all) was wanted already.
        if not response.meta.get("refetch") and not self._wanted(parsed.post):
            return
        thread = ThreadInProgress(post=parsed.post, url=response.url, expected=parsed.post.comment_count_displayed)
        thread.known = self.known.get(parsed.post.external_id)
        thread.page_states[response.url] = page_state(response.url, parsed.fingerprint, page.headers)
        thread.defer = self.known.may_skip(parsed.post.external_id) and not response.meta.get("refetch")
        thread.requested.add(response.url)
        self._take_comment_page(thread, response.url, parsed)
        yield from self._next_comment_page(thread)

    def post_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self._send_failure(request, failure)
        self._fault("network", request.url, _reason(failure))

    def parse_comment_page(self, response: Response, thread: ThreadInProgress) -> Iterator[Any]:
        why = None
        stored = thread.known.page(response.url) if thread.known is not None else None
        if response.status == 304 and stored is not None:
            thread.not_modified = True
            thread.fingerprints.append(stored.fingerprint)
            thread.page_states[response.url] = stored
        elif response.status != 200:
            why = f"HTTP {response.status}"
        elif not _is_html(response):
            why = f"not HTML: {_content_type(response)!r}"
        elif thread.defer:
            page = self._page(response)
            fingerprint = self.parser.fingerprint_only(page)
            thread.fingerprints.append(fingerprint)
            thread.deferred.append((page, fingerprint))
            thread.page_states[page.url] = page_state(page.url, fingerprint, page.headers)
        else:
            why = self._read_comment_page(thread, self._page(response))
        if why:
            thread.problems.append(f"{response.url}: {why}")
            self._fault("comment_page", response.url, why)
        yield from self._next_comment_page(thread)

    def _read_comment_page(self, thread: ThreadInProgress, page: Page) -> str | None:
        """Parse one comment page into the thread; why it is unusable, or None."""
        try:
            parsed = self.parser.parse_post_page(page)
        except ValueError as exc:
            return str(exc)
        if parsed.post.external_id != thread.post.external_id:
            return f"shows post {parsed.post.external_id}, not {thread.post.external_id}"
        self._take_comment_page(thread, page.url, parsed)
        thread.page_states[page.url] = page_state(page.url, parsed.fingerprint, page.headers)
        return None

    def _parse_deferred(self, thread: ThreadInProgress) -> None:
        """The thread changed after all: parse the pages that were only fingerprinted."""
        thread.defer = False
        deferred, thread.deferred = thread.deferred, []
        for page, fingerprint in deferred:
            thread.fingerprints.remove(fingerprint)  # _take_comment_page adds it back
            why = self._read_comment_page(thread, page)
            if why:
                thread.problems.append(f"{page.url}: {why}")
                self._fault("comment_page", page.url, why)

    def _take_comment_page(self, thread: ThreadInProgress, url: str, parsed: Any) -> None:
        """Keep one page's comments; queue comment pages not yet requested."""
        thread.pages[parsed.comment_page or 1] = parsed.comments
        thread.fingerprints.append(parsed.fingerprint)
        if parsed.truncated:
            thread.problems.append(f"{url}: page is cut off")
            self._fault("truncated", url, "page is cut off mid-thread")
        limit = self.settings.getint("PALIMPSEST_MAX_COMMENT_PAGES", 500)
        for n, page_url in enumerate(parsed.comment_page_urls, start=1):
            # `n in thread.pages`: the post URL already showed this page (WordPress puts
            # the newest comment page there), so its comment-page-N twin is not refetched.
            if n == parsed.comment_page or n in thread.pages or page_url in thread.requested:
                continue
            if len(thread.requested) >= limit:
                thread.problems.append(f"{url}: more than {limit} comment pages; stopped")
                self._fault("comment_page_limit", url, f"more than {limit} comment pages")
                break
            thread.requested.add(page_url)
            thread.pending.append(page_url)

    def _next_comment_page(self, thread: ThreadInProgress) -> Iterator[Any]:
        # One page at a time per thread: concurrency comes from many threads at once, and a
        # failed page never leaves sibling requests orphaned.
        changed = not thread.pending and (
            bool(thread.problems)
            or not self.known.unchanged(thread.post.external_id, thread_fingerprint(thread.fingerprints))
        )
        if changed and thread.not_modified:
            # A page answered 304, so its body is missing, and the thread changed after all:
            # fetch it again whole, without validators.
            self._stats().inc_value("palimpsest/threads_refetched")
            yield self._post_request(thread.url, thread.known, refetch=True)
            return
        if not thread.pending and thread.deferred and (
            thread.problems
            or not self.known.unchanged(thread.post.external_id, thread_fingerprint(thread.fingerprints))
        ):
            self._parse_deferred(thread)  # may queue pages the fingerprinted ones link to
        if thread.pending:
            url = thread.pending.pop(0)
            stored = thread.known.page(url) if thread.known is not None and thread.defer else None
            yield Request(
                url, callback=self.parse_comment_page, errback=self.thread_page_failed,
                cb_kwargs={"thread": thread}, priority=THREAD, dont_filter=True,
                headers=conditional_headers(stored) or None,
            )
        else:
            yield self._finish(thread)

    def thread_page_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        thread: ThreadInProgress = request.cb_kwargs["thread"]
        why = _reason(failure)
        self._send_failure(request, failure)
        thread.problems.append(f"{request.url}: {why}")
        self._fault("comment_page", request.url, why)
        if thread.route == "html":
            yield from self._next_comment_page(thread)
        else:
            thread.waiting.discard(request.cb_kwargs["page_no"])
            if not thread.waiting:
                yield self._finish(thread)

    # -- shared ---------------------------------------------------------------------

    def _wanted(self, post: PostRecord) -> bool:
        """First sighting of an on-topic post published on or after `since`."""
        stats = self._stats()
        if post.external_id in self.seen_posts:
            return False
        self.seen_posts.add(post.external_id)
        stats.inc_value("palimpsest/posts_seen")
        since = self.source.since
        if since and post.published_at and post.published_at.date() < since:
            stats.inc_value("palimpsest/posts_before_since")
            return False
        if not self.topic.is_on_topic(post):
            stats.inc_value("palimpsest/posts_off_topic")
            return False
        stats.inc_value("palimpsest/posts_on_topic")
        return self._due(self.known.get(post.external_id))

    def _finish(self, thread: ThreadInProgress) -> ThreadSnapshot:
        fingerprint = thread_fingerprint(thread.fingerprints) if thread.fingerprints else None
        if not thread.problems and self.known.unchanged(thread.post.external_id, fingerprint):
            # Every page as the last complete crawl saw it: the writer records the post
            # and marks the comments seen, without normalizing or comparing them.
            self._stats().inc_value("palimpsest/threads_unchanged")
            unchanged = ThreadSnapshot(
                source_key=self.source.key, post=thread.post, comments=(), complete=True,
                fetched_at=datetime.now(UTC), expected_comment_count=thread.expected,
                fingerprint=fingerprint, comments_unchanged=True,
                post_unchanged=thread.post_not_modified, page_states=tuple(thread.page_states.values()),
            )
            return normalize_thread(unchanged, aliases=self.source.aliases)
        captured = len({c.external_id for page in thread.pages.values() for c in page})
        if thread.route != "html" and thread.expected is not None and captured < thread.expected:
            # X-WP-Total counts exactly what the paged query returns, so fewer comments
            # means pages shifted under us (a comment deleted between two page fetches):
            # a comment may be missing, so infer no deletions from this thread.
            thread.problems.append(
                f"{thread.url}: captured {captured} comments of X-WP-Total {thread.expected}"
            )
        snapshot = assemble_thread(
            source_key=self.source.key,
            post=thread.post,
            pages=[thread.pages[n] for n in sorted(thread.pages)],
            complete=not thread.problems,
            fetched_at=datetime.now(UTC),
            expected_comment_count=thread.expected,
            fingerprint=fingerprint,
            problems=thread.problems,
        )
        snapshot = replace(snapshot, page_states=tuple(thread.page_states.values()))
        if thread.expected is not None and thread.expected != len(snapshot.comments):
            # The site's own count disagrees: log and count; the thread's completeness is
            # decided by its pages, since displayed counts include held or filtered comments.
            self._stats().inc_value("palimpsest/count_mismatch")
            logger.warning(
                "%s: captured %d comments, the site says %d", thread.url, len(snapshot.comments), thread.expected
            )
        if not snapshot.complete:
            logger.warning("%s: partial thread: %s", thread.url, "; ".join(thread.problems))
        return normalize_thread(snapshot, aliases=self.source.aliases)

    # -- recrawl: known posts, revisit policy, gone posts (crawler.recrawl) -------------

    def _load_known(self) -> None:
        db_url = self.settings.get("PALIMPSEST_DB_URL")
        setting = self.settings.get("PALIMPSEST_REVISIT", "schedule")
        scheduled = self.settings.get("PALIMPSEST_TRIGGER") == "schedule"
        self.revisit = setting == "always" or (setting == "schedule" and scheduled)
        if not db_url:
            return
        from storage.engine import open_engine

        engine = open_engine(db_url)
        try:
            self.known = load_known_posts(engine, self.source.key)
        finally:
            engine.dispose()

    def _post_request(self, url: str, known: KnownPost | None, *, refetch: bool = False) -> Request:
        """A post page request; conditional when the last complete crawl kept validators."""
        conditional = not refetch and known is not None and self.known.may_skip(known.external_id)
        headers = conditional_headers(known.page(url)) if conditional and known else {}
        return Request(
            url, callback=self.parse_post, errback=self.post_failed, priority=POST,
            headers=headers or None, meta={"known": known, "refetch": refetch}, dont_filter=refetch,
        )

    def _post_not_modified(self, response: Response, known: KnownPost) -> Iterator[Any]:
        """The post page answered 304: its other pages are asked with their validators too,
        and the thread is recorded unchanged only if every page then matches."""
        first = known.page(response.url)
        if first is None:
            yield self._post_request(response.url, known, refetch=True)
            return
        self.seen_posts.add(known.external_id)
        self._stats().inc_value("palimpsest/posts_seen")
        self._stats().inc_value("palimpsest/posts_not_modified")
        post = PostRecord(external_id=known.external_id, url=known.url, title="", author_raw="", author_key="")
        thread = ThreadInProgress(post=post, url=response.url, known=known, defer=True,
                                  not_modified=True, post_not_modified=True)
        thread.fingerprints.append(first.fingerprint)
        thread.page_states[response.url] = first
        thread.requested.add(response.url)
        for state in known.pages:
            if url_key(state.url) != url_key(response.url) and state.url not in thread.requested:
                thread.requested.add(state.url)
                thread.pending.append(state.url)
        yield from self._next_comment_page(thread)

    def _due(self, known: KnownPost | None) -> bool:
        """The revisit policy, on crawls that apply it; counted when it says "not now"."""
        policy = self.config.revisit_policy(self.source)
        if not self.revisit or known is None or known.external_id in self.active:
            return True
        if self.known.due(known, datetime.now(UTC), policy):
            return True
        if known.external_id not in self.not_due:  # listings repeat posts: count once
            self.not_due.add(known.external_id)
            self.seen_posts.add(known.external_id)  # not due is not gone
            self._stats().inc_value("palimpsest/posts_not_due")
        return False

    def _probe_unseen(self) -> None:
        """Once discovery is over: fetch the permalinks of due known posts it did not list,
        so a post deleted from the site answers 404/410 (storage.gone counts it)."""
        if self.probed:
            return
        self.probed = True
        if not self._stats().get_value("palimpsest/posts_seen"):
            return  # a site that lists nothing is broken, not empty: infer no deletion
        since = self.source.since
        # Threads an aborted crawl finished are skipped on purpose (crawler.resume), not missing.
        resumed = set(self._stats().get_value("palimpsest/resumed_from") or ())
        probes = [
            k for k in self.known.unseen(self.seen_posts, self.requested_posts)
            if not (since and k.published_at and k.published_at.date() < since)
            and k.last_complete_crawl_id not in resumed and self._due(k)
        ]
        for known in probes:
            self.requested_posts.add(url_key(known.url))
            self.crawler.engine.crawl(Request(
                known.url, callback=self.parse_post, errback=self.post_failed, priority=POST,
                meta={"probe": known}, dont_filter=True,
            ))
        if probes:
            self._stats().inc_value("palimpsest/posts_probed", len(probes))
            raise DontCloseSpider

    def _page(self, response: Response, *, clean: bool = True) -> Page:
        headers = {str(k).lower(): str(v) for k, v in response.headers.to_unicode_dict().items()}
        page = Page(url=response.url, body=response.body, fetched_at=datetime.now(UTC),
                    status=response.status, headers=headers)
        if not clean:
            return page
        fixed, problem = normalize_page(page)
        if problem:
            self._stats().inc_value("palimpsest/encoding_repairs")
            logger.info("%s: %s", response.url, problem)
        return fixed

    def _fault(self, kind: str, url: str, why: str) -> None:
        """A counted, logged error naming the URL; the crawl goes on."""
        logger.warning("%s: %s: %s", kind, url, why)
        stats = self._stats()
        stats.inc_value("palimpsest/errors")
        stats.inc_value(f"palimpsest/errors/{kind}")
        note_fault(stats, kind, url, why, outcome="skipped")
        problems = stats.get_value("palimpsest/problems") or []
        if len(problems) < MAX_PROBLEMS_KEPT:
            stats.set_value("palimpsest/problems", [*problems, f"{kind}: {url}: {why}"])

    def _discovery_miss(self, url: str, why: str) -> None:
        # Not every site has every feed, sitemap form or topic archive: not an error.
        logger.debug("no listing at %s (%s)", url, why)
        self._stats().inc_value("palimpsest/discovery_misses")

    def _send_failure(self, request: Request, failure: Failure) -> None:
        self.crawler.signals.send_catch_log(fetch_failed, request=request, failure=failure, spider=self)

    def _stats(self) -> Any:
        return self.crawler.stats


def _header_int(page: Page, name: str) -> int | None:
    value = page.headers.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _reason(failure: Failure) -> str:
    return f"{type(failure.value).__name__}: {failure.getErrorMessage()}"


def _content_type(response: Response) -> str:
    value = response.headers.get("Content-Type") or b""
    return value.decode("latin-1")


def _is_html(response: Response) -> bool:
    ctype = _content_type(response).lower()
    if ctype:
        return "html" in ctype
    return response.body.lstrip()[:1] == b"<"
