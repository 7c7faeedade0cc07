"""The HTML route of the `wordpress` spider: post pages and every comment page of their threads.

Feeds, wp-sitemap.xml, the home page and its pagination, and the topic's tag/category
archives discover post URLs; each post page is fetched (conditionally, with the
validators the last complete crawl kept: `crawler.recrawl`), filtered, then its comment
pages one at a time. The same post-page callback answers the known-post probes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.fetches import body_sha256
from crawler.page import Page
from crawler.parsers.wordpress_html import PostPage
from crawler.recrawl import KnownPost, conditional_headers, page_state, url_key
from crawler.spiders.comment_feeds import CommentFeeds
from crawler.spiders.wordpress_crawl import LISTING, POST, THREAD, reason
from crawler.thread_fetch import ThreadInProgress
from storage.records import PageState, PostGone, PostRecord

__all__ = ["HtmlRoute"]

# The year and month of a date-based permalink (/2025/03/slug/).
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/")


class HtmlRoute(CommentFeeds):
    """Posts and their comment threads from the blog's own HTML pages."""

    # -- discovery ----------------------------------------------------------------------

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
        return Request(url, callback=self.parse_listing, errback=self.network_failed, priority=LISTING)

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
                yield from self._skip_or_probe(url, known)  # crawler.spiders.comment_feeds
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

    # -- post pages ---------------------------------------------------------------------

    def _post_request(self, url: str, known: KnownPost | None, *, refetch: bool = False) -> Request:
        """A post page request; conditional when the last complete crawl kept validators."""
        conditional = not refetch and known is not None and self.known.may_skip(known.external_id)
        headers = conditional_headers(known.page(url)) if conditional and known else {}
        return Request(
            url, callback=self.parse_post, errback=self.network_failed, priority=POST,
            headers=headers or None, meta={"known": known, "refetch": refetch}, dont_filter=refetch,
        )

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
        same = self._same_post_page(response, known) if known is not None and not response.meta.get("refetch") else None
        if same is not None and known is not None:
            yield from self._post_body_unchanged(same, known)
            return
        page = self._page(response)
        try:
            parsed, post_only = self._read_post_page(page, known, refetch=bool(response.meta.get("refetch")))
        except ValueError as exc:
            self._fault("parse", response.url, str(exc))
            return
        # A refetch (crawler.recrawl: a 304 thread that changed after all) was wanted already.
        if not response.meta.get("refetch") and not self._wanted(parsed.post):
            return
        thread = ThreadInProgress(post=parsed.post, url=response.url, expected=parsed.post.comment_count_displayed)
        thread.known = self.known.get(parsed.post.external_id)
        thread.page_states[response.url] = page_state(response.url, parsed.fingerprint, page.headers,
                                                      body_sha256(response))
        thread.defer = self.known.may_skip(parsed.post.external_id) and not response.meta.get("refetch")
        thread.requested.add(response.url)
        if post_only:
            # Its comments were not read: parsed in full with the other deferred pages if
            # the thread turns out changed (_take_comment_page keeps an empty page till then).
            thread.deferred.append((page, parsed.fingerprint))
        self._take_comment_page(thread, response.url, parsed)
        yield from self._next_comment_page(thread)

    def _read_post_page(self, page: Page, known: KnownPost | None, *, refetch: bool) -> tuple[PostPage, bool]:
        """The post page parsed, and whether its comments were left unread: they are when
        its comment region hashes as at the last complete crawl (the thread is then most
        likely unchanged, and reading 50 comments is most of a page's parse)."""
        stored = known.page(page.url) if known is not None and not refetch else None
        if (
            known is not None
            and stored is not None
            and self.known.may_skip(known.external_id)
            and self.parser.fingerprint_only(page) == stored.fingerprint
        ):
            parsed = self.parser.parse_post_only(page)
            if parsed.post.external_id == known.external_id and not parsed.truncated and not parsed.problems:
                return parsed, True
        return self.parser.parse_post_page(page), False

    def _same_post_page(self, response: Response, known: KnownPost) -> Page | None:
        """The post page (not decoded) when it is byte for byte the last complete crawl's
        (its fetch row's hash) and that crawl's fingerprint of it still holds (a parser
        with a new fingerprint version must not skip it): reading the post would change
        nothing then. None otherwise.

        The fingerprint is recomputed until one matches for that crawl: identical bytes
        fingerprint alike under one version, and the stored fingerprints of the pages a
        crawl fetched whole were all made (or so checked) under its version, so one match
        shows the parser's version is that crawl's (a 304 keeps an older fingerprint, but
        a page that answered 304 has no body to be compared with)."""
        stored = known.page(response.url)
        if (
            stored is None
            or known.external_id in self.seen_posts
            or not self.known.may_skip(known.external_id)
            or not known.same_body(response.url, body_sha256(response))
        ):
            return None
        page = self._page(response, clean=False)
        crawl = known.last_complete_crawl_id
        if crawl not in self.fingerprints_checked:
            if self.parser.fingerprint_only(page) != stored.fingerprint:
                return None
            self.fingerprints_checked.add(crawl)
        return page

    def _post_body_unchanged(self, page: Page, known: KnownPost) -> Iterator[Any]:
        """The post page as the last complete crawl saw it: treated as a 304 would be (the
        post is not read), but its body is kept, to be parsed if another page changed."""
        stored = known.page(page.url)
        assert stored is not None
        thread = self._unread_thread(known, page.url, stored, "posts_body_unchanged",
                                     post_unread=True)
        thread.deferred.append((page, stored.fingerprint))
        thread.page_states[page.url] = page_state(page.url, stored.fingerprint, page.headers, stored.sha256)
        self._queue_known_pages(thread, page.url)
        yield from self._next_comment_page(thread)

    def _unread_thread(self, known: KnownPost, url: str, stored: PageState, stat: str, *,
                       not_modified: bool = False, post_unread: bool = False) -> ThreadInProgress:
        """A thread whose post page is as the last complete crawl saw it (a 304, or the
        same bytes): the post is not read; its record holds only the ids."""
        self.seen_posts.add(known.external_id)
        self._stats().inc_value("palimpsest/posts_seen")
        self._stats().inc_value(f"palimpsest/{stat}")
        post = PostRecord(external_id=known.external_id, url=known.url, title="", author_raw="", author_key="")
        thread = ThreadInProgress(post=post, url=url, known=known, defer=True, post_not_modified=True,
                                  not_modified=not_modified, post_unread=post_unread)
        thread.fingerprints.append(stored.fingerprint)
        return thread

    def _queue_known_pages(self, thread: ThreadInProgress, post_url: str) -> None:
        """The thread's other pages, as the last complete crawl found them."""
        thread.requested.add(post_url)
        assert thread.known is not None
        for state in thread.known.pages:
            if url_key(state.url) != url_key(post_url) and state.url not in thread.requested:
                thread.requested.add(state.url)
                thread.pending.append(state.url)

    def _post_not_modified(self, response: Response, known: KnownPost) -> Iterator[Any]:
        """The post page answered 304: its other pages are asked with their validators too,
        and the thread is recorded unchanged only if every page then matches."""
        first = known.page(response.url)
        if first is None:
            yield self._post_request(response.url, known, refetch=True)
            return
        thread = self._unread_thread(known, response.url, first, "posts_not_modified",
                                     not_modified=True)
        thread.page_states[response.url] = first
        self._queue_known_pages(thread, response.url)
        yield from self._next_comment_page(thread)

    # -- comment pages ------------------------------------------------------------------

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
            self._defer_comment_page(thread, response, stored)
        else:
            why = self._read_comment_page(thread, self._page(response), body_sha256(response))
        if why:
            self._page_problem(thread, response.url, why)
        yield from self._next_comment_page(thread)

    def _defer_comment_page(self, thread: ThreadInProgress, response: Response, stored: PageState | None) -> None:
        """Fingerprint a comment page and keep it, to be parsed if the thread changed.

        A body byte for byte the last complete crawl's, in a thread whose post page was
        too (so that crawl's fingerprint version is this parser's), keeps that crawl's
        fingerprint: nothing to decode or hash again."""
        known = thread.known
        if thread.post_unread and stored is not None and known is not None \
                and known.same_body(response.url, body_sha256(response)):
            page, fingerprint = self._page(response, clean=False), stored.fingerprint
        else:
            page = self._page(response)
            fingerprint = self.parser.fingerprint_only(page)
        thread.fingerprints.append(fingerprint)
        thread.deferred.append((page, fingerprint))
        thread.page_states[page.url] = page_state(page.url, fingerprint, page.headers, body_sha256(response))

    def _read_comment_page(self, thread: ThreadInProgress, page: Page, sha256: str | None) -> str | None:
        """Parse one comment page (body hash `sha256`) into the thread; why it is unusable, or None."""
        try:
            parsed = self.parser.parse_post_page(page)
        except ValueError as exc:
            return str(exc)
        if parsed.post.external_id != thread.post.external_id:
            return f"shows post {parsed.post.external_id}, not {thread.post.external_id}"
        if thread.post_unread and page.url == thread.url:
            # The thread changed after all: its post is read now (_post_body_unchanged).
            thread.post, thread.expected = parsed.post, parsed.post.comment_count_displayed
            thread.post_unread = thread.post_not_modified = False
        self._take_comment_page(thread, page.url, parsed)
        thread.page_states[page.url] = page_state(page.url, parsed.fingerprint, page.headers, sha256)
        return None

    def _parse_deferred(self, thread: ThreadInProgress) -> None:
        """The thread changed after all: parse the pages that were only fingerprinted."""
        thread.defer = False
        deferred, thread.deferred = thread.deferred, []
        for page, fingerprint in deferred:
            thread.fingerprints.remove(fingerprint)  # _take_comment_page adds it back
            if page.encoding is None:  # kept raw (_post_body_unchanged): decode it now
                page = self._clean(page)
            kept = thread.page_states.get(page.url)  # set when the page was deferred
            why = self._read_comment_page(thread, page, kept.sha256 if kept is not None else None)
            if why:
                self._page_problem(thread, page.url, why)

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
        changed = not thread.pending and thread.changed(self.known)
        if changed and thread.not_modified:
            # A page answered 304, so its body is missing, and the thread changed after all:
            # fetch it again whole, without validators.
            self._stats().inc_value("palimpsest/threads_refetched")
            yield self._post_request(thread.url, thread.known, refetch=True)
            return
        if changed and thread.deferred:
            self._parse_deferred(thread)  # may queue pages the fingerprinted ones link to
        if thread.pending:
            url = thread.pending.pop(0)
            stored = thread.known.page(url) if thread.known is not None and thread.defer else None
            yield Request(
                url, callback=self.parse_comment_page, errback=self.comment_page_failed,
                cb_kwargs={"thread": thread}, priority=THREAD, dont_filter=True,
                headers=conditional_headers(stored) or None,
            )
        else:
            yield self._finish(thread)

    def comment_page_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        thread: ThreadInProgress = request.cb_kwargs["thread"]
        self._send_failure(request, failure)
        self._page_problem(thread, request.url, reason(failure))
        yield from self._next_comment_page(thread)


def _content_type(response: Response) -> str:
    value = response.headers.get("Content-Type") or b""
    return value.decode("latin-1")


def _is_html(response: Response) -> bool:
    ctype = _content_type(response).lower()
    if ctype:
        return "html" in ctype
    return response.body.lstrip()[:1] == b"<"
