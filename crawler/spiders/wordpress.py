"""The `wordpress` spider: finds a blog's on-topic posts and fetches every page of their threads.

Navigation only; parsing is `crawler.parsers`, thread assembly `crawler.thread`,
normalization `crawler.normalize`. Two routes, chosen per crawl:

* REST (`wordpress_rest`): /wp-json/wp/v2/posts (or ?rest_route= when pretty permalinks
  are off), then /wp/v2/comments for each on-topic post, every page of both.
* HTML (`wordpress_html`), when the REST API is blocked or disabled: feeds,
  wp-sitemap.xml, the home page and its pagination, and the topic's tag/category
  archives discover post URLs; each post page is fetched, filtered, then every comment
  page of its thread.

Each thread becomes ONE item, a ThreadSnapshot (`crawler.thread_fetch`). A thread with a
page that failed is yielded with complete=False and its problems, so the archive infers
no deletions from it. This module holds the entry points: the archive's known posts and
the revisit policy's recent-comment list before discovery, the probe of known posts
discovery missed after it.

    scrapy crawl wordpress -a source=KEY [-a config=PATH]
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.config import load_config
from crawler.parsers import get_parser
from crawler.politeness import politeness_settings
from crawler.recrawl import load_known_posts, url_key
from crawler.revisit import is_new_activity
from crawler.spiders.wordpress_crawl import LISTING, POST, reason
from crawler.spiders.wordpress_html import HtmlRoute
from crawler.spiders.wordpress_rest import REST_PER_PAGE, RestRoute, rest_url
from crawler.topic import TopicFilter

__all__ = ["WordPressSpider"]

logger = logging.getLogger(__name__)

# Pages of recent comments read before the revisit policy gives up for the night.
MAX_ACTIVITY_PAGES = 20


class WordPressSpider(RestRoute, HtmlRoute):
    """One crawl of one WordPress source from the config."""

    name = "wordpress"

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

    def _load_known(self) -> None:
        """The archive's posts of this source (crawler.recrawl), and whether the revisit
        policy applies to this crawl."""
        db_url = self.settings.get("PALIMPSEST_DB_URL")
        setting = self.settings.get("PALIMPSEST_REVISIT")
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
            rest_url(self.base, "pretty", "comments", **query), callback=self.parse_activity,
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
            if known is not None and is_new_activity(when, known.last_checked_at):
                self.active.add(post_id)
        pages = activity.total_pages or 1
        if page_no < pages and page_no < MAX_ACTIVITY_PAGES:
            yield self._activity_request(page_no + 1)
            return
        if pages > MAX_ACTIVITY_PAGES:
            yield from self._without_activity(f"more than {MAX_ACTIVITY_PAGES} pages of new comments")
            return
        # Counted: the posts that only their new comments make due tonight.
        policy, now = self.config.revisit_policy(self.source), datetime.now(UTC)
        revived = [k for k in self.active if not self.known.due(self.known.get(k), now, policy)]
        self._stats().set_value("palimpsest/posts_active", len(revived))
        yield from self._discovery()

    def activity_failed(self, failure: Failure) -> Iterator[Request]:
        self._send_failure(failure.request, failure)  # type: ignore[attr-defined]
        yield from self._without_activity(reason(failure))

    def _without_activity(self, why: str) -> Iterator[Request]:
        # Not knowing which old posts got comments, look at every post this time:
        # missing a thread is worse than fetching some more.
        logger.info("%s: no recent-comment list (%s); every post is due", self.source.key, why)
        self.revisit = False
        yield from self._discovery()

    # -- after discovery: known posts it missed ------------------------------------------

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
                known.url, callback=self.parse_post, errback=self.network_failed, priority=POST,
                meta={"probe": known}, dont_filter=True,
            ))
        if probes:
            self._stats().inc_value("palimpsest/posts_probed", len(probes))
            raise DontCloseSpider
