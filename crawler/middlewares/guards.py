"""Downloader middleware: stop redirect loops and off-site redirects, and log both.

Scrapy follows a redirect loop until REDIRECT_MAX_TIMES and drops a self-redirect through
the dupe filter, silently either way; and without `allowed_domains` it follows a
redirect to any host. This guard sits above RedirectMiddleware (650 > 600, so it sees
the 3xx first) and turns both into a logged fault and an IgnoreRequest, which the
spider's errback sees, so the thread is marked partial rather than quietly shortened.
"""

from __future__ import annotations

from typing import Any, Self
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.faultlog import PRIOR_FETCHES, note_fault
from crawler.fetches import record_for_response

__all__ = ["RedirectGuardMiddleware", "same_site"]


def _bare(host: str) -> str:
    host = host.lower().rstrip(".")
    return host.removeprefix("www.")


def same_site(host: str, other: str, allowed: list[str] | tuple[str, ...] = ()) -> bool:
    """True when `other` is `host` (give or take www.) or within an allowed domain."""
    if _bare(host) == _bare(other):
        return True
    other = other.lower().rstrip(".")
    return any(other == d or other.endswith("." + d) for d in (a.lower() for a in allowed))


class RedirectGuardMiddleware:
    """Refuse redirects that loop or leave the site; log each with its URL."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_times = crawler.settings.getint("REDIRECT_MAX_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        location = response.headers.get(b"Location")
        if not (300 <= response.status < 400) or not location or request.meta.get("dont_redirect"):
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        seen = [*request.meta.get("redirect_urls", []), request.url]
        if target in seen or len(seen) > self.max_times:
            detail = f"{response.status} to {target} after {len(seen)} hop(s)"
            note_fault(self.stats, "redirect_loop", seen[0], detail, "stopped")
            raise IgnoreRequest(f"redirect loop: {detail}")
        spider = spider or self.crawler.spider
        allowed = tuple(getattr(spider, "allowed_domains", None) or ())
        host = urlsplit(request.url).hostname or ""
        new_host = urlsplit(target).hostname or ""
        if not same_site(host, new_host, allowed):
            detail = f"{response.status} to {target}"
            note_fault(self.stats, "offsite_redirect", request.url, detail, "not followed")
            raise IgnoreRequest(f"off-site redirect: {detail}")
        # The redirect will be followed, and this response never reaches the engine:
        # its fetch row travels with the redirected request (RedirectMiddleware copies
        # the meta) and is stored with the final answer.
        earlier = request.meta.get(PRIOR_FETCHES, ())
        request.meta[PRIOR_FETCHES] = [*earlier, record_for_response(response, request)]
        return response
