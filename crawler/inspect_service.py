"""`palimpsest inspect --source KEY` for a source whose comments live in a service (Disqus,
a Discourse forum, Substack's API): the thread read from the service too, as a crawl
reads it.

    read_service_thread(page, source, fetch) -> ServiceThread | None

`fetch` is the one-GET fetcher of `crawler.inspect` (I/O stays with the caller's choice);
the pages are read by the source's own platform routes (`crawler.platforms.disqus`,
`.discourse_embed`, `.substack`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crawler.page import Page
from crawler.parsers.site import thread_id
from crawler.parsers.unread import unread_problem
from crawler.platforms import platform_for
from crawler.platforms.base import Route
from crawler.platforms.discourse_embed import DiscourseEmbedRoute
from crawler.platforms.disqus import DisqusComments
from crawler.platforms.substack import SubstackRoute
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


def _service(route: Route) -> tuple[str, Callable[[str], bool]] | None:
    """The service a source's post pages send their threads to, and which URLs are its."""
    if isinstance(route, DisqusComments):
        return "Disqus", route.service.owns
    if isinstance(route, DiscourseEmbedRoute):
        return "Discourse", route.owns
    return None


_Start = tuple[str, Route, Callable[[str], bool], list[str], list[str]]


def _first_links(page: Page, source: Source) -> _Start | None:
    """(service, its name, the route reading its pages, which URLs are its, the first pages
    to read, the problems of the post page) for `page`, or None when it has no service."""
    platform = platform_for(source)
    if isinstance(platform.post_pages, SubstackRoute) or source.platform == "substack":
        route = platform.routes["api"]
        assert isinstance(route, SubstackRoute)
        post_id = thread_id("substack", page.body)
        if post_id is None:
            return "Substack", route, route.owns, [], [f"{page.url}: the page names no Substack post id"]
        return "Substack", route, route.owns, [route.comments_url(post_id)], []
    found = _service(platform.post_pages)
    if found is None:
        return None
    name, owns = found
    first = platform.post_pages.read(page)
    problems = [f"{page.url}: {why}" for why in first.problems]  # as the spider names them
    return name, platform.post_pages, owns, [url for _, url in first.links if owns(url)], problems


def read_service_thread(page: Page, source: Source, fetch: Callable[[str], Page]) -> ServiceThread | None:
    """The thread of post `page` from `source`'s comment service; None when it has none."""
    start = _first_links(page, source)
    if start is None:
        return None
    name, route, owns, queue, problems = start
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
        if read.counts_thread or (expected is None and read.expected is not None):
            expected = read.expected
        problems += [*(f"{url}: {why}" for why in read.problems), *(unread_problem(url, u) for u in read.unread)]
        queue += [link for _, link in read.links if link not in seen and owns(link)]
    if queue:
        problems.append(f"{page.url}: more than {MAX_SERVICE_PAGES} {name} pages; inspect stopped")
    return ServiceThread(service=name, comments=tuple(comments.values()), expected=expected,
                         pages=len(seen), problems=tuple(problems))
