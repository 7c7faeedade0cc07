"""Resuming a killed crawl: threads the dead crawl finished are not fetched or archived again.

A crawl killed with SIGKILL (or stopped) leaves its crawl row `running`; the next start
marks it `aborted` (`storage.locks.mark_stale_crawls_aborted`). Everything it recorded is
safe: each thread is one transaction. What a restart must not do is spend hours
re-fetching the threads already done, so this spider middleware reads the archive's own
record of them (`post_state.last_complete_crawl_id`) for the run of `aborted` crawls just
before this one, and drops the requests that would start those threads again.

Why not Scrapy's JOBDIR: the spider assembles each thread in memory across its comment
pages, and a pickled request queue would restore the requests without that state. The
archive knows exactly which threads are complete; that is the record to trust.

Settings: ``PALIMPSEST_RESUME`` (default True), ``PALIMPSEST_RESUME_WINDOW_HOURS`` (an
aborted crawl older than this is not resumed: the threads are due a fresh look).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import timedelta
from typing import Any, Self

from storage.known import FinishedThreads, url_key

__all__ = ["FinishedThreads", "ResumeSpiderMiddleware"]

logger = logging.getLogger(__name__)


class ResumeSpiderMiddleware:
    """Drop requests that would start a thread an aborted crawl already finished.

    A thread starts with its post page (HTML route: the request's URL is the post's) or
    with its first REST comments page (the request carries the thread, whose post id
    is known). Their later pages follow from those, so nothing else needs filtering.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("PALIMPSEST_RESUME")
        hours = crawler.settings.getfloat("PALIMPSEST_RESUME_WINDOW_HOURS")
        self.window = timedelta(hours=hours)
        self.finished = FinishedThreads()
        self.skipped: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        from scrapy import signals

        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider: Any) -> None:
        settings = self.crawler.settings
        source = getattr(spider, "source", None)
        archive = getattr(spider, "archive", None)  # the crawl's one Archive
        # A reparse re-derives every thread of one crawl: nothing to resume there.
        if (
            not self.enabled
            or source is None
            or archive is None
            or settings.get("PALIMPSEST_TRIGGER") == "reparse"
        ):
            return
        self.finished = archive.finished_threads(source.key, window=self.window)
        if self.finished.crawl_ids:
            stats = self.crawler.stats
            stats.set_value("palimpsest/resumed_from", list(self.finished.crawl_ids))
            logger.info(
                "%s: resuming aborted crawl(s) %s: %d finished threads will not be fetched again",
                source.key,
                ", ".join(map(str, self.finished.crawl_ids)),
                len(self.finished.post_ids),
            )

    def _keep(self, request: Any) -> bool:
        if not self.finished.crawl_ids:
            return True
        thread = (getattr(request, "cb_kwargs", None) or {}).get("thread")
        post = getattr(thread, "post", None)
        if post is not None and post.external_id in self.finished.post_ids:
            key = post.external_id
        elif request.url in self.finished:
            key = url_key(request.url)
        else:
            return True
        # Discovery finds a post by several routes (home, sitemap, archives): count it once.
        self.skipped.add(key)
        self.crawler.stats.set_value("palimpsest/resume/skipped_threads", len(self.skipped))
        return False

    def process_spider_output(
        self, response: Any, result: Iterable[Any], spider: Any = None
    ) -> Iterator[Any]:
        for item in result:
            if not _is_request(item) or self._keep(item):
                yield item

    async def process_spider_output_async(
        self, response: Any, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        async for item in result:
            if not _is_request(item) or self._keep(item):
                yield item

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in start:
            if not _is_request(item) or self._keep(item):
                yield item


def _is_request(item: Any) -> bool:
    from scrapy import Request

    return isinstance(item, Request)
