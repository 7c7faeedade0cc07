"""What both routes of a WordPress crawl share: its state, the post filter, pages, faults.

`WordPressCrawl` is the base of the `wordpress` spider (`crawler.spiders.wordpress`) and
of its two routes (`wordpress_rest`, `wordpress_html`); it has no name, so Scrapy does
not list it as a spider.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.config import Config, Source
from crawler.encoding import normalize_page
from crawler.faultlog import note_fault
from crawler.fetches import fetch_failed
from crawler.page import Page
from crawler.parsers import get_parser
from crawler.recrawl import KnownPost, KnownPosts
from crawler.thread_fetch import ThreadInProgress, finish_thread
from crawler.topic import TopicFilter
from storage.records import PostRecord, ThreadSnapshot

__all__ = ["LISTING", "POST", "THREAD", "WordPressCrawl"]

logger = logging.getLogger(__name__)

# Request priorities: finish threads already begun before discovering more posts, so
# items flow steadily and memory stays flat on big sites.
LISTING, POST, THREAD = 0, 10, 20
MAX_PROBLEMS_KEPT = 200


class WordPressCrawl(Spider):
    """The state of one crawl of one WordPress source, and the helpers every route uses."""

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
        self.feed_probed: set[str] = set()  # known posts whose comment feed was asked (HTML)
        self.probed = False
        # Crawls whose stored fingerprints this parser reproduced (wordpress_html._same_post_page).
        self.fingerprints_checked: set[int | None] = set()

    @property
    def base(self) -> str:
        return self.source.url if self.source.url.endswith("/") else self.source.url + "/"

    def _html_discovery(self) -> Iterator[Request]:
        """Post URLs from feeds, sitemaps and archives: `wordpress_html.HtmlRoute`, and the
        REST route's fallback when the API is unavailable."""
        raise NotImplementedError

    # -- which posts ------------------------------------------------------------------

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

    def _finish(self, thread: ThreadInProgress) -> ThreadSnapshot:
        return finish_thread(thread, source=self.source, known=self.known, stats=self._stats())

    # -- pages, faults, stats ----------------------------------------------------------

    def _page(self, response: Response, *, clean: bool = True) -> Page:
        headers = {str(k).lower(): str(v) for k, v in response.headers.to_unicode_dict().items()}
        page = Page(url=response.url, body=response.body, fetched_at=datetime.now(UTC),
                    status=response.status, headers=headers)
        return self._clean(page) if clean else page

    def _clean(self, page: Page) -> Page:
        """The page re-encoded as UTF-8 (crawler.encoding), a repair counted and logged."""
        fixed, problem = normalize_page(page)
        if problem:
            self._stats().inc_value("palimpsest/encoding_repairs")
            logger.info("%s: %s", page.url, problem)
        return fixed

    def network_failed(self, failure: Failure) -> None:
        """Errback of listing and post page requests: counted, and the crawl goes on."""
        request = failure.request  # type: ignore[attr-defined]
        self._send_failure(request, failure)
        self._fault("network", request.url, reason(failure))

    def _page_problem(self, thread: ThreadInProgress, url: str, why: str) -> None:
        """A comment page of the thread is unusable: the thread is partial."""
        thread.problems.append(f"{url}: {why}")
        self._fault("comment_page", url, why)

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


def reason(failure: Failure) -> str:
    return f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
