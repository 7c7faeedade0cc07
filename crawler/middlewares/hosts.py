"""Per-host politeness and failure handling: Crawl-delay, Retry-After, backoff, pausing.

Replaces Scrapy's RetryMiddleware (which retries at once, ignores Retry-After and never
gives up on a host) with one that, per host:

- waits ``Crawl-delay`` from robots.txt between requests (Scrapy parses it but does not
  apply it);
- on 429/503 with ``Retry-After`` holds every request to the host until then (capped by
  ``PALIMPSEST_RETRY_AFTER_MAX``; a longer demand counts as a failure);
- on other retryable statuses and network errors retries with exponential backoff
  (``PALIMPSEST_BACKOFF_BASE`` × 2^attempt, at most ``PALIMPSEST_BACKOFF_MAX``);
- after ``PALIMPSEST_HOST_MAX_FAILURES`` failures in a row pauses the host for the rest
  of the crawl: its requests are dropped (each logged) and the crawl ends partial with
  the reason, instead of looping on a dead site.

Every fault is logged with its URL through `crawler.faultlog`.
"""

from __future__ import annotations

import logging
import random
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Self

from scrapy import Request, Spider, signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object
from twisted.internet.defer import Deferred

from crawler.faultlog import PRIOR_FETCHES, note_fault, note_partial
from crawler.fetches import record_for_response
from storage.records import FetchRecord

__all__ = ["HostPolitenessMiddleware", "parse_retry_after"]

logger = logging.getLogger(__name__)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date), else None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class _Host:
    """What we know about one host (netloc) during the crawl."""

    crawl_delay: float = 0.0
    next_allowed: float = 0.0  # monotonic time before which no request may start
    failures: int = 0  # in a row; reset by any answer that is not a fault
    paused: str | None = None  # why the host was given up on
    inflight: dict[int, float] = field(default_factory=dict)  # id(request) -> let through at
    waiters: deque[Deferred[None]] = field(default_factory=deque)

    def wake(self, everyone: bool = False) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if waiter.called:  # already woken by its re-check timer
                continue
            waiter.callback(None)
            if not everyone:
                return


class HostPolitenessMiddleware:
    """Downloader middleware: register in place of RetryMiddleware (at 550)."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_retry_times = settings.getint("RETRY_TIMES")
        self.retry_codes = {int(c) for c in settings.getlist("RETRY_HTTP_CODES")}
        self.retry_exceptions = tuple(
            load_object(e) if isinstance(e, str) else e
            for e in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.backoff_base = settings.getfloat("PALIMPSEST_BACKOFF_BASE", 2.0)
        self.backoff_max = settings.getfloat("PALIMPSEST_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("PALIMPSEST_RETRY_AFTER_MAX", 120.0)
        self.max_failures = settings.getint("PALIMPSEST_HOST_MAX_FAILURES", 8)
        self.obey_crawl_delay = settings.getbool("PALIMPSEST_OBEY_CRAWL_DELAY", True)
        self.crawl_delay_max = settings.getfloat("PALIMPSEST_CRAWL_DELAY_MAX", 30.0)
        self.user_agent = settings.get("USER_AGENT", "")
        self.per_host = max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2))
        self.stale_after = 2 * settings.getfloat("DOWNLOAD_TIMEOUT", 180) + 10
        self.hosts: dict[str, _Host] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        mw = cls(crawler)
        crawler.signals.connect(mw.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(mw.request_left_downloader, signal=signals.request_left_downloader)
        return mw

    # -- robots.txt -----------------------------------------------------------------

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        if not self.obey_crawl_delay:
            return
        getter = getattr(robotparser, "crawl_delay", None)
        delay = getter(self.user_agent) if getter else None
        if delay:
            # A site asking for an hour between requests is asking not to be crawled;
            # cap it and say so rather than let one crawl run for days.
            applied = min(float(delay), self.crawl_delay_max)
            host = urlparse_cached(request).netloc
            self._host(host).crawl_delay = applied
            self.stats.set_value(f"palimpsest/crawl_delay/{host}", applied)
            logger.info("robots.txt of %s asks Crawl-delay %s; applying %ss", host, delay, applied)

    # -- requests ---------------------------------------------------------------------

    def _host(self, netloc: str) -> _Host:
        return self.hosts.setdefault(netloc, _Host())

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        # Requests wait here, not in Scrapy's download slot: once in the slot they can no
        # longer be held back by a Retry-After or dropped when the host is paused.
        host = self._host(urlparse_cached(request).netloc)
        while True:
            self._drop_if_paused(host, request)
            now = time.monotonic()
            if host.next_allowed > now:
                await maybe_deferred_to_future(_later(host.next_allowed - now))
            elif len(host.inflight) >= self.per_host and not self._forget_stale(host, now):
                waiter: Deferred[None] = Deferred()
                host.waiters.append(waiter)
                # Re-check now and then: a place whose release was missed must not
                # block the host for good (see _forget_stale).
                _later(1.0, _fire, waiter)
                await maybe_deferred_to_future(waiter)
            else:
                break
        host.inflight[id(request)] = now
        if host.crawl_delay:
            host.next_allowed = now + host.crawl_delay

    def request_left_downloader(self, request: Request, spider: Spider | None = None) -> None:
        """Backstop release for responses whose middleware chain stops above us (a
        redirect returns a new Request). Deferred by a tick so that process_response,
        which may pause the host, runs before a waiting request is let go."""
        _later(0, self.request_left, request)

    def request_left(self, request: Request) -> None:
        """Free the request's place among the host's requests in flight (idempotent)."""
        host = self.hosts.get(urlparse_cached(request).netloc)
        if host is not None and host.inflight.pop(id(request), None) is not None:
            host.wake()

    def _forget_stale(self, host: _Host, now: float) -> bool:
        """Drop places held longer than any download may take; True if one was freed.

        Every way out of the downloader releases a place (process_response,
        process_exception, request_left_downloader), except a response that a middleware
        above this one turns into a new request without a download (a redirect answered
        from a WARC during reparse). This bound keeps such a miss from stalling the host.
        """
        stale = [key for key, since in host.inflight.items() if now - since > self.stale_after]
        for key in stale:
            del host.inflight[key]
        return bool(stale)

    def _drop_if_paused(self, host: _Host, request: Request) -> None:
        if host.paused is not None:
            note_fault(self.stats, "host_paused", request.url, host.paused, "skipped")
            raise IgnoreRequest(f"host paused: {host.paused}")

    # -- responses and errors ------------------------------------------------------------

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        self.request_left(request)
        host = self._host(urlparse_cached(request).netloc)
        if request.meta.get("dont_retry") or response.status not in self.retry_codes:
            if response.status < 500 and response.status != 429:
                host.failures = 0
            return response
        wait = self._backoff(request)
        reason = f"HTTP {response.status}"
        retry_after_raw = response.headers.get(b"Retry-After")
        if response.status in (429, 503) and retry_after_raw:
            asked = parse_retry_after(retry_after_raw.decode("latin-1"))
            if asked is not None:
                reason = f"HTTP {response.status} Retry-After {asked:g}s"
                if asked > self.retry_after_max:
                    # "Come back in an hour" means: leave this host alone for this crawl.
                    self._pause(host, request, f"{reason} exceeds {self.retry_after_max:g}s")
                    self._fail(host, request, "retry_after", reason, retry=False)
                    return response
                wait = max(wait, asked)
        kind = "retry_after" if "Retry-After" in reason else f"http_{response.status}"
        attempt = record_for_response(response, request)
        retry = self._fail(host, request, kind, reason, retry=True, wait=wait, attempt=attempt)
        return retry or response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | None:
        self.request_left(request)
        host = self._host(urlparse_cached(request).netloc)
        if isinstance(exception, IgnoreRequest):
            return None
        name = type(exception).__name__
        retryable = isinstance(exception, self.retry_exceptions) and not request.meta.get(
            "dont_retry"
        )
        return self._fail(
            host,
            request,
            _exception_kind(name, str(exception)),
            f"{name}: {exception}"[:300],
            retry=retryable,
            wait=self._backoff(request),
            attempt=FetchRecord(
                url=request.url,
                status=0,
                fetched_at=datetime.now(UTC),
                size=0,
                method=request.method,
                error=f"{name}: {exception}"[:500],
            ),
        )

    # -- the policy ----------------------------------------------------------------------

    def _pause(self, host: _Host, request: Request, why: str) -> None:
        if host.paused is not None:
            return
        netloc = urlparse_cached(request).netloc
        host.paused = f"{why} ({request.url})"
        host.wake(everyone=True)  # so the waiting requests are dropped now
        note_partial(self.stats, f"host {netloc} paused: {host.paused}")
        logger.error("Pausing host %s for the rest of the crawl: %s", netloc, host.paused)

    def _backoff(self, request: Request) -> float:
        attempt = request.meta.get("retry_times", 0)
        base = min(self.backoff_max, self.backoff_base * (2**attempt))
        return base * random.uniform(0.75, 1.25)

    def _fail(
        self,
        host: _Host,
        request: Request,
        kind: str,
        reason: str,
        *,
        retry: bool,
        wait: float = 0.0,
        attempt: FetchRecord | None = None,
    ) -> Request | None:
        """Count a failed attempt; return the retry request, or None when giving up.

        The failed attempt's fetch record rides along in the retry's meta (PRIOR_FETCHES),
        since only the last attempt reaches the engine and the archive pipeline.
        """
        host.failures += 1
        if host.paused is None and host.failures >= self.max_failures:
            self._pause(host, request, f"{host.failures} failures in a row, last: {reason}")
        new_request = None
        if retry and host.paused is None:
            new_request = get_retry_request(
                request,
                spider=self.crawler.spider,
                reason=reason,
                max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            )
        if new_request is not None:
            if attempt is not None:
                new_request.meta[PRIOR_FETCHES] = [*request.meta.get(PRIOR_FETCHES, ()), attempt]
            host.next_allowed = max(host.next_allowed, time.monotonic() + wait)
            note_fault(self.stats, kind, request.url, reason, f"retried after {wait:.2f}s")
        else:
            outcome = "host paused" if host.paused else ("gave up" if retry else "not retried")
            note_fault(self.stats, kind, request.url, reason, outcome)
        return new_request


def _later(seconds: float, call: Any = None, *args: Any) -> Deferred[Any]:
    """Call `call(*args)` (or nothing) after `seconds`, on the running reactor.

    The reactor is imported here, not at module level: importing it early would install
    Twisted's default reactor before Scrapy installs the asyncio one.
    """
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    return deferLater(reactor, seconds, call or (lambda: None), *args)


def _fire(waiter: Deferred[None]) -> None:
    if not waiter.called:
        waiter.callback(None)


def _exception_kind(name: str, message: str = "") -> str:
    """A short fault kind for a download exception (class name; message for wrappers)."""
    kinds = {
        "DownloadTimeoutError": "timeout",
        "TimeoutError": "timeout",
        "ResponseDataLossError": "truncated",
        "DownloadCancelledError": "too_large",
        "ConnectionLost": "connection_lost",
        "ConnectionDone": "connection_lost",
        "DownloadConnectionRefusedError": "connection_refused",
        "ConnectionRefusedError": "connection_refused",
        "CannotResolveHostError": "dns",
    }
    if name in kinds:
        return kinds[name]
    # DownloadFailedError wraps the Twisted failures; their names are in its message.
    for inner, kind in kinds.items():
        if inner in message:
            return kind
    return "network_error"
