"""`palimpsest inspect`: what palimpsest reads from one page, for a researcher deciding
whether a blog is understood.

    inspect_page(page, platform=None) -> Inspection      (pure: a saved file or a fetch)
    fetch_page(url) -> Page                              (one polite GET, nothing else)
    format_inspection(i), inspection_json(i)

The page is read the way a crawl reads a post page (the platform's post-page route),
then the site is described (`crawler.parsers.site`): engine, theme, comment system. Every
problem is listed: comments that could not be read, comments that live elsewhere
(Disqus, Facebook, ...), pages cut short.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crawler.inspect_ghost import is_ghost_page, read_ghost_thread
from crawler.inspect_service import ServiceThread
from crawler.normalize.thread import normalize_thread
from crawler.page import Page
from crawler.parsers.engine_page import parse_engine_page
from crawler.parsers.site import Site
from crawler.parsers.source_selectors import SourceSelectors
from crawler.parsers.unread import unread_problem
from crawler.parsers.wordpress_html import parse_post_page
from crawler.platforms.blogger import POST_PAGE_MARKUP as BLOGGER_MARKUP
from crawler.platforms.drupal import MARKUP as DRUPAL_MARKUP
from crawler.platforms.html import MARKUP as HTML_MARKUP
from crawler.settings import USER_AGENT
from crawler.thread import assemble_thread
from storage.errors import ConfigError
from storage.records import CommentRecord, PostRecord

__all__ = ["INSPECT_PLATFORMS", "Inspection", "fetch_page", "format_inspection", "inspect_page",
           "inspection_json"]

# The platforms whose post pages inspect can read (the registry's HTML readers).
INSPECT_PLATFORMS = ("blogger", "drupal", "ghost", "html", "wordpress")
# The post-page markup of the non-WordPress engines (their platforms' HTML routes).
_ENGINE_MARKUP = {"blogger": BLOGGER_MARKUP, "drupal": DRUPAL_MARKUP, "html": HTML_MARKUP}
FETCH_TIMEOUT_S = 30
_WORDS = 12  # the first words of a comment's text shown in the text report


class InspectError(ConfigError):
    """A page inspect cannot read or fetch (a user mistake: exit 2, one line)."""


@dataclass(frozen=True, kw_only=True)
class Inspection:
    """What one page gave: the site, the post, the comments and every problem."""

    url: str
    platform: str
    site: Site
    post: PostRecord
    comments: tuple[CommentRecord, ...]
    comment_count_displayed: int | None
    problems: tuple[str, ...]
    # Where the comments were read from when a service holds them (--source with
    # comments = "disqus"): "Disqus, 2 pages"; None: the page itself.
    comments_from: str | None = None


def fetch_page(url: str) -> Page:
    """One GET of `url` with palimpsest's User-Agent (redirects followed), as a Page."""
    if not url.startswith(("http://", "https://")):
        raise InspectError(f"{url!r} is neither a file nor an http(s) URL")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:  # http(s) only: checked above
            body = response.read()
            status, final, headers = response.status, response.geturl(), response.headers
    except urllib.error.HTTPError as exc:
        raise InspectError(f"{url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise InspectError(f"{url}: could not be fetched ({getattr(exc, 'reason', exc)})") from None
    return Page(url=final, body=body, fetched_at=datetime.now(UTC), status=status,
                headers={k.lower(): v for k, v in headers.items()})


def inspect_page(page: Page, platform: str | None = None,
                 selectors: SourceSelectors | None = None,
                 service: ServiceThread | None = None,
                 fetch: Callable[[str], Page] | None = None) -> Inspection:
    """Read one post page as a crawl would (with a source's `selectors`), and describe its
    site; `service`: the thread as its comment service gave it (crawler.inspect_service).

    A Ghost post page's comments are in Ghost's members API: they are read through
    `fetch` (one GET per API page), and without it the report says they were not."""
    if platform is not None and platform not in INSPECT_PLATFORMS:
        raise InspectError(f"unknown platform {platform!r} (known: {', '.join(INSPECT_PLATFORMS)})")
    if platform == "ghost" or (platform is None and is_ghost_page(page)):
        return _inspect_ghost(page, fetch)
    try:
        parsed = parse_post_page(page, selectors, describe=True)
        site = parsed.site
        assert site is not None  # a full parse always says what the site is
        post, comments, unread, found = parsed.post, parsed.comments, parsed.unread, parsed.problems
        engine = platform or (site.platform if site.platform in _ENGINE_MARKUP else None)
        if engine in _ENGINE_MARKUP:
            # Read as that engine's platform reads its post pages (its ids, its pager).
            other = parse_engine_page(page, _ENGINE_MARKUP[engine], selectors, describe=True)
            post, comments, unread, found = other.post, other.comments, other.unread, other.problems
            site = other.site or site
    except ValueError as exc:
        raise InspectError(f"{page.url}: {exc}") from None
    problems = [*found, *(unread_problem(page.url, u) for u in unread)]
    expected = post.comment_count_displayed
    pages = [comments]
    if service is not None:
        problems += service.problems
        pages.append(service.comments)
        expected = service.expected
    elif site.elsewhere:
        problems.append(f"{page.url}: {site.comments_line()}")
    # Normalized as a crawl would (own text without quotes and @-prefixes, parents).
    thread = normalize_thread(assemble_thread(
        source_key="inspect", post=post, pages=pages, complete=not problems,
        fetched_at=page.fetched_at, expected_comment_count=expected,
    ))
    return Inspection(
        # A Substack page is read by the HTML reader too: its comments are the API's (site.comments_line).
        url=page.url, platform=platform or (site.platform if site.platform != "substack" else None) or "wordpress",
        site=site, post=thread.post,
        comments=thread.comments, comment_count_displayed=expected,
        problems=tuple(problems),
        comments_from=None if service is None else f"{service.service}, {service.pages} page{'' if service.pages == 1 else 's'}",
    )


def _inspect_ghost(page: Page, fetch: Callable[[str], Page] | None) -> Inspection:
    def no_fetch(url: str) -> Page:
        raise InspectError("not fetched (Ghost's comments are in its members API)")

    try:
        read = read_ghost_thread(page, fetch or no_fetch)
    except ValueError as exc:
        raise InspectError(f"{page.url}: {exc}") from None
    thread = normalize_thread(assemble_thread(
        source_key="inspect", post=read.post, pages=[read.comments], complete=not read.problems,
        fetched_at=page.fetched_at, expected_comment_count=None,
    ))
    return Inspection(url=page.url, platform="ghost", site=read.site, post=thread.post,
                      comments=thread.comments, comment_count_displayed=None,
                      problems=(*read.problems, *thread.problems))


def _utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value is not None else None


def inspection_json(i: Inspection) -> dict[str, Any]:
    """The `--json` object, as the README documents it."""
    return {
        "platform": i.platform,
        "comment_system": i.site.comment_system,
        "post": {"external_id": i.post.external_id, "title": i.post.title, "author": i.post.author_raw,
                 "published_at": _utc(i.post.published_at)},
        "comments": [
            {"external_id": c.external_id, "author": c.author_raw, "author_url": c.author_url,
             "published_at": _utc(c.published_at), "published_raw": c.published_raw,
             "threaded_parent_external_id": c.threaded_parent_external_id,
             "body_text": c.body_text, "own_text": c.own_text}
            for c in i.comments
        ],
        "comment_count_displayed": i.comment_count_displayed,
        "problems": list(i.problems),
        # Only where a comment service was read (--source with comments = "disqus").
        **({"comments_from": i.comments_from} if i.comments_from else {}),
    }


def format_inspection(i: Inspection) -> str:
    """The text report: site, post, one line per comment, the problems."""
    post = i.post
    says = i.comments_from.split(",")[0] if i.comments_from else "the page"
    lines = [
        f"{i.url}",
        f"  site: {i.site.describe()}",
        f"  read as: {i.platform}",
        *([f"  comments from: {i.comments_from}"] if i.comments_from else []),
        (f"  post {post.external_id}: {post.title!r} by {post.author_raw or '?'}, "
         f"published {_utc(post.published_at) or post.published_raw or 'unknown'}"),
        f"  comments read: {len(i.comments)}"
        + (f" ({says} says {i.comment_count_displayed})" if i.comment_count_displayed is not None else ""),
    ]
    for c in i.comments:
        when = _utc(c.published_at) or (f"{c.published_raw!r} (not placed in time)" if c.published_raw else "no date")
        if c.published_approximate:
            when += " (approximate)"
        parent = f" reply to {c.threaded_parent_external_id}" if c.threaded_parent_external_id else ""
        words = " ".join(c.body_text.split()[:_WORDS])
        lines.append(f"    #{c.external_id} {c.author_raw} · {when}{parent}: {words}")
    lines += [f"  problem: {p}" for p in i.problems] or ["  problems: none"]
    return "\n".join(lines)
