"""`palimpsest inspect` on a Ghost post page: the post, and its thread from the members API.

    read_ghost_thread(page, fetch) -> GhostThread

The post page is read by the crawl's own route (`crawler.platforms.ghost`), then every
API page it names is fetched with `fetch` (one GET each, as the crawl would: the
thread's first page, its later pages, the replies pages) and read the same way. A page
that cannot be fetched or read is a problem, never a silent gap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crawler.page import Page
from crawler.parsers import ghost_post
from crawler.parsers.site import Site
from crawler.parsers.unread import unread_problem
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
    """Whether the page carries Ghost's comments-ui script."""
    return b"data-ghost-comments" in page.body


def read_ghost_thread(page: Page, fetch: Callable[[str], Page]) -> GhostThread:
    """The post page read, and its thread's API pages fetched and read. ValueError when
    the page is no Ghost post page with comments."""
    route = GhostRoute()
    first = route.read(page)
    assert first.post is not None
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
    generator = ghost_post.parse_post_page(page).generator or ""  # "Ghost 5.130"
    site = Site(platform="ghost", version=generator.removeprefix("Ghost").strip() or None,
                comment_system="Ghost native")
    return GhostThread(post=first.post, comments=tuple(comments.values()), problems=tuple(problems), site=site)
