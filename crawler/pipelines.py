"""The archive pipeline: hands each fetched thread to `storage.archive`, one crawl row per run.

`open_spider` takes the crawl's Archive (the spider's) and starts the crawl row; `process_item` records one
thread (one transaction in the writer); `close_spider` writes the last fetch rows and
finishes the crawl row with its status and stats. Fetch rows (every HTTP response, and
every request that got none) are collected from signals and written in batches.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Self, TypeVar

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.faultlog import (
    ABORT_REASON,
    EXCEPTIONS_KEY,
    PARTIAL_KEY,
    PRIOR_FETCHES,
    faults_of,
    note_exception,
    note_fault,
)
from crawler.fetches import (
    decode_response,
    fetch_failed,
    record_for_failure,
    record_for_response,
    thread_recorded,
)
from crawler.thread_fetch import FinishedThread
from crawler.warc import close_warc
from storage.records import FetchRecord, PostGone

__all__ = ["ArchivePipeline", "crawl_status"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

TRIGGERS = ("manual", "schedule", "demo", "test", "reparse")  # reparse: crawler.reparse


def crawl_status(*, aborted: bool, ok_responses: int, threads: int,
                 partial_threads: int, errors: int) -> str:
    """ok | partial | failed | aborted, from what the crawl saw.

    `failed`: the site never answered usefully (no successful response and no thread),
    which is what an unreachable or wholly broken site looks like. `partial`: something
    was missed (a partial thread, or any counted error), so researchers know the night
    has gaps even though what was recorded is good.
    """
    if aborted:
        return "aborted"
    if ok_responses == 0 and threads == 0:
        return "failed"
    if partial_threads or errors:
        return "partial"
    return "ok"


class ArchivePipeline:
    """Records threads through `storage.archive.Archive`; settings via `from_crawler`."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.trigger: str = settings.get("PALIMPSEST_TRIGGER")
        if self.trigger not in TRIGGERS:
            raise ValueError(f"PALIMPSEST_TRIGGER must be one of {TRIGGERS}, not {self.trigger!r}")
        self.batch_size: int = settings.getint("PALIMPSEST_FETCH_BATCH")
        self.archive: Any = None
        self.crawl_id: int | None = None
        self.fetches: list[FetchRecord] = []
        self.counts: Counter[str] = Counter()
        self.heartbeat: Any = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        crawler.signals.connect(pipeline.fetch_failed, signal=fetch_failed)
        return pipeline

    # -- lifecycle ----------------------------------------------------------------------

    def open_spider(self, spider: Spider | None = None) -> None:
        # The crawl's one Archive is the spider's (crawler.spiders.archive).
        spider = spider or self.crawler.spider
        source = spider.source  # type: ignore[union-attr]
        self.archive = spider.archive  # type: ignore[union-attr]
        assert self.archive is not None
        self.archive.ensure_source(source.key, source.name, source.url, source.platform)
        self.crawl_id = self.archive.start_crawl(
            source.key, self.trigger, software_version=_software_version()
        )
        self.started = time.monotonic()
        stats = self.crawler.stats
        assert stats is not None
        stats.set_value("palimpsest/crawl_id", self.crawl_id)
        stats.set_value("palimpsest/source", source.key)
        logger.info("crawl %s of %s (%s) started", self.crawl_id, source.key, source.url)
        # crawl.heartbeat_at says the crawl is alive while it runs (docs/schema.md), at the
        # cadence the crawl lock is renewed.
        from twisted.internet.task import LoopingCall

        self.heartbeat = LoopingCall(self._beat)
        self.heartbeat.start(self.crawler.settings.getfloat("PALIMPSEST_LOCK_HEARTBEAT"), now=False)

    def _beat(self) -> None:
        try:
            assert self.archive is not None and self.crawl_id is not None
            self.archive.heartbeat(self.crawl_id)
        except Exception as exc:  # noqa: BLE001 - a missed beat is no reason to stop the crawl
            logger.warning("crawl %s: heartbeat not written: %s", self.crawl_id, exc)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        assert self.archive is not None and self.crawl_id is not None
        crawl_id = self.crawl_id
        if isinstance(item, PostGone):
            gone = self._guarded(item.url, lambda: self.archive.record_gone(item, crawl_id))
            self.counts["posts_tombstoned"] += int(bool(gone and gone.tombstoned))
            return item
        if not isinstance(item, FinishedThread):
            return item
        thread = item.snapshot
        result = self._guarded(thread.post.url, lambda: self._record(item))
        if result is None and thread.complete:
            # The writer failed on the whole thread: keep what it can as a partial thread,
            # from which no deletion is inferred.
            item = replace(item, snapshot=replace(thread, complete=False),
                           check=replace(item.check, complete=False))
            result = self._guarded(thread.post.url, lambda: self._record(item))
        self.counts["threads"] += 1
        self.counts["threads_partial"] += 0 if item.snapshot.complete else 1
        if result is None:
            return item
        # A thread skipped as unchanged carries no comments; the writer counts the ones
        # it saw again.
        self.counts["comments"] += result.unchanged_comments if item.unchanged else len(thread.comments)
        self.counts["new_post_versions"] += result.new_post_versions
        self.counts["new_comment_versions"] += result.new_comment_versions
        self.counts["tombstones"] += result.tombstones
        self.counts["unchanged_comments"] += result.unchanged_comments
        self.counts["rederived_comments"] += result.rederived_comments
        self.crawler.signals.send_catch_log(
            thread_recorded, thread=item, result=result, spider=self.crawler.spider
        )
        return item

    def _record(self, item: FinishedThread) -> Any:
        """One thread into the archive, through its verb: seen unchanged, or recorded."""
        assert self.archive is not None and self.crawl_id is not None
        thread, check = item.snapshot, item.check
        if item.unchanged:
            return self.archive.record_unchanged(thread.source_key, thread.post, self.crawl_id,
                                                 check, post_read=item.post_read)
        return self.archive.record(thread, self.crawl_id, check)

    def _guarded(self, url: str, write: Callable[[], T]) -> T | None:
        """Run one write; an exception is counted with its URL (the crawl ends partial)
        instead of dropping the item silently."""
        try:
            return write()
        except Exception as exc:  # the error contract: counted, never silent
            logger.exception("%s: the archive could not record it", url)
            stats = self.crawler.stats
            assert stats is not None
            note_exception(stats, url, exc)
            stats.inc_value("palimpsest/errors")
            stats.inc_value("palimpsest/errors/writer")
            return None

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.archive is None or self.crawl_id is None:
            return
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        self._flush_fetches()
        warc_digests = close_warc(self.crawler)
        status, stats = self._summary(warc_digests)
        stats_obj = self.crawler.stats
        assert stats_obj is not None
        stats_obj.set_value("palimpsest/status", status)
        stats_obj.set_value("palimpsest/summary", stats)
        self.archive.finish_crawl(self.crawl_id, status, stats, error=stats.get("error"))
        logger.info("crawl %s finished: %s %s", self.crawl_id, status, stats)

    # -- fetch rows ---------------------------------------------------------------------

    def response_received(self, response: Any, request: Any, spider: Any = None) -> None:
        self.counts["responses"] += 1
        if 200 <= response.status < 300:
            self.counts["ok_responses"] += 1
        self._add_prior_fetches(request)
        self._add_fetch(record_for_response(response, request))
        decoded = decode_response(response)
        if decoded is not None and decoded.problem is not None:
            # Read with another charset than declared: the response is kept as sent, the
            # parsers read its text in the encoding the fetch row names.
            stats = self.crawler.stats
            assert stats is not None
            stats.inc_value("palimpsest/encoding_repairs")
            note_fault(stats, f"encoding_{decoded.problem}", response.url,
                       f"declared {decoded.declared or 'nothing'}, decoded as {decoded.encoding}",
                       "decoded")

    def fetch_failed(self, request: Any, failure: Any, spider: Any = None) -> None:
        self.counts["failed_requests"] += 1
        self._add_prior_fetches(request)
        self._add_fetch(record_for_failure(request, failure))

    def _add_prior_fetches(self, request: Any) -> None:
        """The failed attempts before this one (retried 5xx, timeouts): fetch rows too."""
        for record in request.meta.get(PRIOR_FETCHES, ()) if request is not None else ():
            self._add_fetch(record)

    def _add_fetch(self, record: FetchRecord) -> None:
        self.fetches.append(record)
        if len(self.fetches) >= self.batch_size:
            self._flush_fetches()

    def _flush_fetches(self) -> None:
        if self.fetches and self.archive is not None and self.crawl_id is not None:
            batch, self.fetches = self.fetches, []
            self.archive.record_fetches(self.crawl_id, batch)

    # -- summary ------------------------------------------------------------------------

    def _summary(self, warc_digests: dict[str, str]) -> tuple[str, dict[str, Any]]:
        scrapy_stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        mine = {k.removeprefix("palimpsest/"): v for k, v in scrapy_stats.items()
                if k.startswith("palimpsest/") and not isinstance(v, (dict, list))}
        c = self.counts
        errors = int(mine.get("errors", 0))
        aborted = not getattr(self.crawler, "crawling", True)  # a shutdown, not the end
        status = crawl_status(
            aborted=aborted, ok_responses=c["ok_responses"],
            threads=c["threads"], partial_threads=c["threads_partial"], errors=errors,
        )
        stats: dict[str, Any] = {
            "pages": c["responses"],
            "failed_requests": c["failed_requests"],
            "posts": c["threads"],
            "threads_partial": c["threads_partial"],
            "comments": c["comments"],
            "new_versions": c["new_post_versions"] + c["new_comment_versions"],
            "new_post_versions": c["new_post_versions"],
            "new_comment_versions": c["new_comment_versions"],
            "tombstones": c["tombstones"],
            "posts_tombstoned": c["posts_tombstoned"],
            "unchanged_comments": c["unchanged_comments"],
            # unchanged comments whose quotes' sources or @-targets were derived anew
            "rederived_comments": c["rederived_comments"],
            "errors": errors,
            "duration_seconds": round(time.monotonic() - self.started, 3),
            "finished_at": datetime.now(UTC).isoformat(),
        }
        for key, value in sorted(mine.items()):
            if key.startswith(("errors/", "posts_", "faults/")) or key in (
                "count_mismatch", "discovery_misses", "route", "threads_unchanged", "threads_refetched",
                "threads_vouched", "pages_vouched", "unreadable_comments", "site",
            ):
                stats[key] = value
        # Faults seen by the downloader middlewares (crawler.faultlog), with their URLs.
        faults = faults_of(scrapy_stats)
        if faults:
            stats["faults"] = faults[:1000]
        partial_reasons = list(scrapy_stats.get(PARTIAL_KEY) or [])
        if partial_reasons:
            stats["partial_reasons"] = partial_reasons
            if status == "ok":
                status = "partial"
        exceptions = scrapy_stats.get(EXCEPTIONS_KEY)
        if exceptions:
            stats["exceptions"] = list(exceptions)
        problems = scrapy_stats.get("palimpsest/problems")
        if problems:
            stats["problems"] = list(problems)[:100]
        closed = scrapy_stats.get("palimpsest/posts_closed_why")
        if closed:  # posts archived with no comments to read, and why (ThreadPage.closed)
            stats["posts_closed_why"] = list(closed)[:100]
        if warc_digests:
            stats["warc_sha256"] = dict(warc_digests)
        # crawler.resume: the aborted crawls this one resumed, and the threads not refetched.
        resumed = scrapy_stats.get("palimpsest/resumed_from")
        if resumed:
            stats["resumed_from"] = list(resumed)
            stats["resume_skipped_threads"] = int(
                scrapy_stats.get("palimpsest/resume/skipped_threads", 0)
            )
        if status == "failed":
            stats["error"] = next(iter(problems or ()), "no page of the site could be fetched")
        elif status == "aborted" and scrapy_stats.get(ABORT_REASON):
            stats["error"] = scrapy_stats[ABORT_REASON]
        return status, stats


def _software_version() -> str:
    try:
        from importlib.metadata import version

        return version("palimpsest-archive")
    except ImportError:  # PackageNotFoundError: a checkout that is not installed
        return "dev"
