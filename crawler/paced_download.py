"""The HTTP download handler that waits for the host's shared pace before each request.

Scrapy's download slot decides when a request of this crawl may start; other crawls of
the same host (other sources, other workers) are invisible to it. Here, in the download
handler, the one place a request passes after its slot let it go and right before it
is sent, the request reserves its start time in the archive (`storage.host_pace`) and
waits for it, so the gaps a host sees hold across every crawl. With the shared pace off
(`crawler.shared_pace`) this is Scrapy's own HTTP/1.1 handler.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import reactor
from twisted.internet.task import deferLater
from twisted.internet.threads import deferToThread

from crawler.shared_pace import shared_pace

__all__ = ["PacedDownloadHandler"]

logger = logging.getLogger(__name__)

# A reactor that wakes this late this often is overloaded; the request then goes.
MAX_RESERVATIONS = 5


class PacedDownloadHandler(HTTP11DownloadHandler):
    """HTTP(S) downloads, each started no sooner than the host's shared pace allows."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.pace = shared_pace(crawler)
        self.delay = crawler.settings.getfloat("DOWNLOAD_DELAY")

    async def download_request(self, request: Request) -> Response:
        if self.pace is not None:
            await self._wait_for_turn(urlparse_cached(request).hostname or "")
        return await super().download_request(request)

    async def _wait_for_turn(self, host: str) -> None:
        """Reserve a start on `host` and wait for it; reserve again if woken too late.

        The reactor's thread also runs parsing and the archive's writes, so a wake-up
        can come late; sent then, this request would reach the host too soon before the
        one reserved after it. A late start is given up: the next free one is taken.
        """
        assert self.pace is not None
        late_by = self.pace.margin / 2
        for _ in range(MAX_RESERVATIONS):
            asked = time.monotonic()  # the database's now() is no earlier than this
            # The reservation is a database round trip: off the reactor's thread.
            wait = await maybe_deferred_to_future(
                deferToThread(self.pace.reserve, host, self.delay)
            )
            remaining = asked + wait - time.monotonic()
            if remaining > 0:
                await maybe_deferred_to_future(deferLater(reactor, remaining, lambda: None))
            if time.monotonic() - (asked + wait) <= late_by:
                return
            logger.debug("woke late for %s: reserving another start", host)
        logger.warning("shared pace: %d late starts in a row for %s; sending", MAX_RESERVATIONS,
                       host)

    async def close(self) -> None:
        if self.pace is not None:
            self.pace.engine.dispose()
        await super().close()
