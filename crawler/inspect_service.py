"""`palimpsest inspect --source KEY` for a source whose comments live in a service (Disqus):
the thread read from the service too, as a crawl reads it.

    read_service_thread(page, source, fetch) -> ServiceThread | None

`fetch` is the one-GET fetcher of `crawler.inspect` (I/O stays with the caller's choice);
the pages are read by the source's own platform routes (`crawler.platforms.disqus`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crawler.page import Page
from crawler.parsers.unread import unread_problem
from crawler.platforms import platform_for
from crawler.platforms.disqus import DisqusComments
from storage.errors import ConfigError
from storage.records import CommentRecord

if TYPE_CHECKING:
    from crawler.config import Source

__all__ = ["MAX_SERVICE_PAGES", "ServiceThread", "read_service_thread"]

MAX_SERVICE_PAGES = 20  # inspect is a look, not a crawl


@dataclass(frozen=True, kw_only=True)
class ServiceThread:
    """The comments a service holds for one post page, and what went wrong reading them."""

    service: str  # "Disqus"
    comments: tuple[CommentRecord, ...]
    expected: int | None  # the service's count of the thread
    pages: int  # service pages read
    problems: tuple[str, ...]


def read_service_thread(page: Page, source: Source, fetch: Callable[[str], Page]) -> ServiceThread | None:
    """The thread of post `page` from `source`'s comment service; None when it has none."""
    route = platform_for(source).post_pages
    if not isinstance(route, DisqusComments):
        return None
    first = route.read(page)
    problems = list(first.problems)
    queue = [url for _, url in first.links if route.service.owns(url)]
    seen: set[str] = set()
    comments: dict[str, CommentRecord] = {}
    expected = None
    while queue and len(seen) < MAX_SERVICE_PAGES:
        url = queue.pop(0)
        seen.add(url)
        try:
            read = route.read(fetch(url))
        except (ConfigError, ValueError) as exc:  # the fetcher's one-line error, or a page not read
            problems.append(f"{url}: {exc}")
            break
        comments.update((c.external_id, c) for c in read.comments)
        expected = read.expected if read.counts_thread else expected
        problems += [*read.problems, *(unread_problem(url, u) for u in read.unread)]
        queue += [link for _, link in read.links if link not in seen]
    if queue:
        problems.append(f"{page.url}: more than {MAX_SERVICE_PAGES} Disqus pages; inspect stopped")
    return ServiceThread(service="Disqus", comments=tuple(comments.values()), expected=expected,
                         pages=len(seen), problems=tuple(problems))
