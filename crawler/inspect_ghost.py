"""`palimpsest inspect` on a Ghost post page: the post, and its thread from the members API.

    read_ghost_thread(page, fetch) -> GhostThread

The post page is read by the crawl's own route (`crawler.platforms.ghost`), then every
API page it names is fetched with `fetch` (one GET each, as the crawl would: the
thread's first page, its later pages, the replies pages) and read the same way. A page
that cannot be fetched or read is a problem, never a silent gap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from crawler.page import Page
from crawler.parsers import ghost_post
from crawler.parsers.site import Site
from crawler.parsers.unread import unread_problem
from crawler.platforms.base import ThreadPage
from crawler.platforms.ghost import GhostRoute
from storage.errors import ConfigError
from storage.records import CommentRecord, PostRecord

__all__ = ["GhostThread", "is_ghost_page", "read_ghost_thread"]

MAX_PAGES = 200  # an inspection reads one thread, not a crawl's worth


@dataclass(frozen=True, kw_only=True)
class GhostThread:
    post: PostRecord
    comments: tuple[CommentRecord, ...]
    problems: tuple[str, ...]
    site: Site


def is_ghost_page(page: Page) -> bool:
    """Whether the page carries Ghost's comments-ui script, or says Ghost made it (a post
    whose comments are off or for members: crawler.platforms.ghost_closed)."""
    return b"data-ghost-comments" in page.body or b'<meta name="generator" content="Ghost ' in page.body


def read_ghost_thread(page: Page, fetch: Callable[[str], Page]) -> GhostThread:
    """The post page read, and its thread's API pages fetched and read. ValueError when
    the page is no Ghost post page with comments."""
    route = GhostRoute()
    first = route.read(page)
    generator = ghost_post.parse_post_page(page).generator or ""  # "Ghost 5.130"
    version = generator.removeprefix("Ghost").strip() or None
    if first.post is None:  # no comments script: the post's id is in the feed
        return _closed_post(route, first, fetch, version)
    problems: list[str] = []
    comments: dict[str, CommentRecord] = {}
    queue = [url for _, url in first.links]
    seen = set(queue)
    while queue and len(seen) <= MAX_PAGES:
        url = queue.pop(0)
        try:
            read = route.read(fetch(url))
        except (ValueError, ConfigError) as exc:  # ConfigError: fetch_page's InspectError
            problems.append(f"{url}: {exc}")
            continue
        comments.update((c.external_id, c) for c in read.comments)
        problems += [unread_problem(url, u) for u in read.unread]
        if read.cut_off:
            problems.append(f"{url}: fewer comments than the page's pagination says")
        for _, link in read.links:
            if link not in seen:
                seen.add(link)
                queue.append(link)
    if queue:
        problems.append(f"{page.url}: more than {MAX_PAGES} API pages; stopped")
    site = Site(platform="ghost", version=version, comment_system="Ghost native")
    return GhostThread(post=first.post, comments=tuple(comments.values()), problems=tuple(problems), site=site)


def _closed_post(route: GhostRoute, first: ThreadPage, fetch: Callable[[str], Page],
                 version: str | None) -> GhostThread:
    """A post page without a comments script: its feed pages fetched until one names it."""
    read = first
    for _ in range(MAX_PAGES):
        if read.post is not None or read.post_at is None:
            break
        # As asked: the fragment says for which post (an HTTP client drops it).
        read = route.read(replace(fetch(read.post_at), url=read.post_at))
    if read.post is None:
        raise ValueError("no item of the site's feed names this post: its id cannot be known")
    site = Site(platform="ghost", version=version, comment_system="closed" if read.closed else "none")
    return GhostThread(post=read.post, comments=(), problems=read.problems, site=site)
