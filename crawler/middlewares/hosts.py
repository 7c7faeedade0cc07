"""Per-host politeness on Scrapy's download slots: Crawl-delay, Retry-After, backoff, pausing.

Scrapy's downloader keeps one slot per host (`Downloader.slots`, keyed by
`Downloader.get_slot_key`: the hostname, or the request's ``download_slot``) and the slot
does the gating: at most `concurrency` requests at a time (CONCURRENT_REQUESTS_PER_DOMAIN
or DOWNLOAD_SLOTS) and each started `delay` seconds after the one before (DOWNLOAD_DELAY,
moved by AutoThrottle). This middleware, in place of RetryMiddleware, sets those numbers
from what each host asks and decides what a fault means:

- robots.txt ``Crawl-delay`` (Scrapy parses it but does not apply it) is a floor under
  the slot's delay, capped by ``PALIMPSEST_CRAWL_DELAY_MAX``;
- a 429/503 with ``Retry-After`` pauses the slot until then (capped by
  ``PALIMPSEST_RETRY_AFTER_MAX``; a longer demand pauses the host for good); any other
  retryable status or network error pauses it for a backoff (``PALIMPSEST_BACKOFF_BASE``
  × 2^attempt, at most ``PALIMPSEST_BACKOFF_MAX``), and the request is retried
  (``RETRY_TIMES``);
- after ``PALIMPSEST_HOST_MAX_FAILURES`` failures in a row the host is paused for the
  rest of the crawl: the requests waiting in its slot and every later one are dropped
  (each logged), and the crawl ends partial with the reason.

A failed response is judged on `response_downloaded`, which the downloader sends before
its slot starts the next request, so a pause holds that request back;
`process_response` then retries. A network error arrives only after the slot has moved
on (no signal comes first): with no delay, one more request can leave for that host.

With the shared host pace on (`crawler.shared_pace`), the Crawl-delay and Retry-After
heard here are also written to the archive, where they slow every crawl of the host.

Every fault is logged with its URL through `crawler.faultlog`.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

from scrapy import Request, Spider, signals
from scrapy.core.downloader import Downloader
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object

from crawler.faultlog import PRIOR_FETCHES, exception_kind, note_fault, note_partial
from crawler.fetches import record_for_response
from crawler.retry_after import parse_retry_after
from crawler.shared_pace import shared_pace
from storage.records import FetchRecord

__all__ = ["HostPolitenessMiddleware"]

logger = logging.getLogger(__name__)

# The least delay of a slot that needs one. Scrapy's slot counts a request as
# transferring only once its download task has run, so with no delay at all it starts
# every queued request at once (Scrapy 2.19): its concurrency holds only where it is not
# below the downloader's total, which caps the queue. With a delay it starts one, then
# looks again after the delay, when the task has run. A slot looks at the clock only when
# its delay is not zero, too, so a pause needs one. A millisecond: no host notices. A slot
# that needs neither keeps a delay of 0, since a delay costs a timer per request.
MIN_DELAY = 0.001


@dataclass
class _Host:
    """What one download slot's host has asked for, and how it has been failing."""

    crawl_delay: float = 0.0  # robots.txt: the slot's delay never goes below it
    resume_at: float = 0.0  # monotonic: the slot starts no request before
    failures: int = 0  # in a row; reset by any answer that is not a fault
    paused: str | None = None  # why the host is left alone for the rest of the crawl


@dataclass(frozen=True)
class _Fault:
    """One failed attempt, as judged: what to log, and whether another may follow."""

    key: str  # the download slot
    kind: str
    reason: str
    retryable: bool
    wait: float


class HostPolitenessMiddleware:
    """Downloader middleware: register in place of RetryMiddleware (at 550)."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.retry_codes = {int(c) for c in settings.getlist("RETRY_HTTP_CODES")}
        self.retry_exceptions = tuple(
            load_object(e) if isinstance(e, str) else e
            for e in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.backoff_base = settings.getfloat("PALIMPSEST_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("PALIMPSEST_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("PALIMPSEST_RETRY_AFTER_MAX")
        self.max_failures = settings.getint("PALIMPSEST_HOST_MAX_FAILURES")
        self.obey_crawl_delay = settings.getbool("PALIMPSEST_OBEY_CRAWL_DELAY")
        self.crawl_delay_max = settings.getfloat("PALIMPSEST_CRAWL_DELAY_MAX")
        self.user_agent = settings.get("USER_AGENT")
        self.hosts: dict[str, _Host] = {}  # by download slot key
        # Faults judged on response_downloaded, until process_response acts on them.
        self.judged: dict[Request, _Fault] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        mw = cls(crawler)
        # Connected after AutoThrottle's receiver (extensions are built before the
        # engine), so the floor and pauses are put back after it has moved the delay.
        crawler.signals.connect(mw.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(mw.request_reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(mw.response_downloaded, signal=signals.response_downloaded)
        return mw

    @property
    def downloader(self) -> Downloader:
        downloader: Downloader = self.crawler.engine.downloader  # built after us
        return downloader

    def _host(self, key: str) -> _Host:
        return self.hosts.setdefault(key, _Host())

    # -- the slot ---------------------------------------------------------------------

    def _hold(self, key: str) -> None:
        """Make the slot keep what its host asked for: the Crawl-delay floor, the pause.

        Called whenever the delay may have moved: a new slot (Scrapy drops idle ones),
        a new Crawl-delay or pause, and after AutoThrottle (whose only floor is
        DOWNLOAD_DELAY) has adjusted the delay to a response.
        """
        slot = self.downloader.slots.get(key)
        if slot is None:
            return
        host = self.hosts.get(key)
        floor = 0.0 if host is None else host.crawl_delay
        total = self.downloader.total_concurrency
        paused = host is not None and host.resume_at > time.monotonic()
        if paused or not 0 < total <= slot.concurrency:
            floor = max(floor, MIN_DELAY)
        slot.delay = max(slot.delay, floor)
        if host is not None and host.resume_at > slot.lastseen + slot.delay:
            # The slot starts its next request `delay` after `lastseen`: a pause is that
            # start moved, which expires by itself once a request has started.
            slot.lastseen = host.resume_at - slot.delay

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        if not self.obey_crawl_delay:
            return
        getter = getattr(robotparser, "crawl_delay", None)
        delay = getter(self.user_agent) if getter else None
        if delay:
            # A site asking for an hour between requests is asking not to be crawled;
            # cap it and say so rather than let one crawl run for days.
            applied = min(float(delay), self.crawl_delay_max)
            key = self.downloader.get_slot_key(request)
            self._host(key).crawl_delay = applied
            self._hold(key)
            self.stats.set_value(f"palimpsest/crawl_delay/{key}", applied)
            self._share(request, lambda pace, host: pace.note_crawl_delay(host, applied))
            logger.info("robots.txt of %s asks Crawl-delay %s; applying %ss", key, delay, applied)

    def request_reached(self, request: Request, spider: Spider | None = None) -> None:
        self._hold(request.meta[Downloader.DOWNLOAD_SLOT])

    def response_downloaded(
        self, response: Response, request: Request, spider: Spider | None = None
    ) -> None:
        key = request.meta[Downloader.DOWNLOAD_SLOT]
        fault = self._judge(key, request, response)
        if fault is not None:
            self.judged[request] = fault
        self._hold(key)

    def _share(self, request: Request, write: Any) -> None:
        """Tell the other crawls of the host (the shared pace), when it is on.

        A short write on the reactor's thread: it happens once per robots.txt or
        Retry-After, not per request.
        """
        pace = shared_pace(self.crawler)
        host = urlparse_cached(request).hostname
        if pace is not None and host:
            write(pace, host)

    # -- requests, responses, errors ----------------------------------------------------

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = self.hosts.get(self.downloader.get_slot_key(request))
        if host is not None and host.paused is not None:
            raise self._dropped(host, request)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        fault = self.judged.pop(request, None)
        if fault is None and request.meta.get(Downloader.DOWNLOAD_SLOT) is None:
            # Answered by a middleware (a WARC replay), not downloaded: judged here.
            fault = self._judge(self.downloader.get_slot_key(request), request, response)
        if fault is None:
            return response
        return self._retry(request, fault, record_for_response(response, request)) or response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | None:
        self.judged.pop(request, None)
        if isinstance(exception, IgnoreRequest):
            return None
        name = type(exception).__name__
        retryable = isinstance(exception, self.retry_exceptions) and not request.meta.get(
            "dont_retry"
        )
        fault = self._fail(
            self.downloader.get_slot_key(request),
            request,
            exception_kind(name, str(exception)),
            f"{name}: {exception}"[:300],
            retryable=retryable,
            wait=self._backoff(request),
        )
        attempt = FetchRecord(
            url=request.url,
            status=0,
            fetched_at=datetime.now(UTC),
            size=0,
            method=request.method,
            error=f"{name}: {exception}"[:500],
        )
        return self._retry(request, fault, attempt)

    # -- the policy ----------------------------------------------------------------------

    def _judge(self, key: str, request: Request, response: Response) -> _Fault | None:
        """The fault a response is, if any (counted, and its pause set), else None."""
        status = response.status
        if request.meta.get("dont_retry") or status not in self.retry_codes:
            host = self.hosts.get(key)
            if host is not None and status < 500 and status != 429:
                host.failures = 0
            return None
        kind, reason, wait = f"http_{status}", f"HTTP {status}", self._backoff(request)
        header = response.headers.get(b"Retry-After")
        asked = parse_retry_after(header.decode("latin-1")) if header else None
        if status in (429, 503) and asked is not None:
            kind, reason = "retry_after", f"HTTP {status} Retry-After {asked:g}s"
            # Every crawl of the host waits too; a day at most, whatever it asked.
            self._share(request, lambda pace, host: pace.note_retry_after(host, min(asked, 86_400)))
            if asked > self.retry_after_max:
                # "Come back in an hour" means: leave this host alone for this crawl.
                give_up = f"{reason} exceeds {self.retry_after_max:g}s"
                return self._fail(key, request, kind, reason, retryable=False, give_up=give_up)
            wait = max(wait, asked)
        return self._fail(key, request, kind, reason, retryable=True, wait=wait)

    def _fail(
        self,
        key: str,
        request: Request,
        kind: str,
        reason: str,
        *,
        retryable: bool,
        wait: float = 0.0,
        give_up: str | None = None,
    ) -> _Fault:
        """Count a failed attempt on the host; pause its slot, or the host for good."""
        host = self._host(key)
        host.failures += 1
        if give_up is None and host.failures >= self.max_failures:
            give_up = f"{host.failures} failures in a row, last: {reason}"
        if give_up is not None:
            self._pause(key, host, request, give_up)
        elif retryable:
            # A host that fails for a transient reason gets its rest, whether or not this
            # request has retries left.
            host.resume_at = max(host.resume_at, time.monotonic() + wait)
            self._hold(key)
        return _Fault(key, kind, reason, retryable, wait)

    def _pause(self, key: str, host: _Host, request: Request, why: str) -> None:
        """Leave the host alone for the rest of the crawl, its waiting requests too."""
        if host.paused is not None:
            return
        host.paused = f"{why} ({request.url})"
        note_partial(self.stats, f"host {key} paused: {host.paused}")
        logger.error("Pausing host %s for the rest of the crawl: %s", key, host.paused)
        slot = self.downloader.slots.get(key)
        while slot is not None and slot.queue:
            # Admitted to the slot before the pause; they would go out as it frees.
            waiting, result = slot.queue.popleft()
            result.errback(self._dropped(host, waiting))

    def _dropped(self, host: _Host, request: Request) -> IgnoreRequest:
        note_fault(self.stats, "host_paused", request.url, host.paused or "", "skipped")
        return IgnoreRequest(f"host paused: {host.paused}")

    def _backoff(self, request: Request) -> float:
        attempt = request.meta.get("retry_times", 0)
        spread = random.uniform(0.75, 1.25)  # so retries of many requests do not align
        return min(self.backoff_max, self.backoff_base * (2**attempt) * spread)

    def _retry(self, request: Request, fault: _Fault, attempt: FetchRecord) -> Request | None:
        """The retry of a failed request, or None when giving up; the fault logged.

        The failed attempt's fetch record rides along in the retry's meta (PRIOR_FETCHES),
        since only the last attempt reaches the engine and the archive pipeline. The
        retry waits in the slot like any request, so the pause holds it too.
        """
        paused = self._host(fault.key).paused
        retry = None
        if fault.retryable and paused is None:
            retry = get_retry_request(request, spider=self.crawler.spider, reason=fault.reason)
        if retry is not None:
            retry.meta[PRIOR_FETCHES] = [*request.meta.get(PRIOR_FETCHES, ()), attempt]
            outcome = f"retried after {fault.wait:.2f}s"
        elif paused is not None:
            outcome = "host paused"
        else:
            outcome = "gave up" if fault.retryable else "not retried"
        note_fault(self.stats, fault.kind, request.url, fault.reason, outcome)
        return retry

