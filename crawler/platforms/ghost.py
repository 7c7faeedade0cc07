"""The `ghost` platform: a Ghost site with native comments, read through its members API.

Discovery: the sitemap index (/sitemap.xml, then its /sitemap-posts.xml), or the RSS
feed (/rss/, /rss/2/, ...) when the site has no sitemap. A thread starts on the post
page (the post, and the comments-ui script's `data-post-id`), which names the thread's
API pages; those are independent and fetched at once:

    page 1          the post page
    page 2 + N      /members/api/comments/post/POST/?limit=100&order=created_at%20asc&page=N
    (hashed)        /members/api/comments/COMMENT/replies/?limit=100&page=N, for a comment
                    with more replies than the thread page embeds (three)

Ghost's /members/api/comments/counts/ would give the thread's count, but every Ghost's
robots.txt disallows it, so each API page is checked against its own pagination
instead (a page with fewer comments than its `meta.pagination` promises is cut off:
the thread is partial). Parsing: `crawler.parsers.ghost_post`, `ghost_comments`,
`ghost_listing`. Ghost has no site-wide list of recent comments nor a comment feed, so
the revisit policy's signal is the post's age; every page is asked with its ETag, so an
unchanged thread costs 304s.

A post page without the comments-ui script (comments off on the site, or a members-only
post) names no post id: `crawler.platforms.ghost_closed` finds it in the site's feed,
and the post is archived with an empty, complete thread that says why.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from crawler.page import Page
from crawler.parsers import ghost_comments, ghost_listing, ghost_post
from crawler.platforms.base import (
    Glimpse,
    Listing,
    ListingRequest,
    NoRevisitSignals,
    Route,
    ThreadPage,
)
from crawler.platforms.ghost_closed import ClosedPosts
from storage.records import PostRecord

__all__ = ["Ghost", "GhostRoute", "thread_page_number"]

ROUTE = "ghost"
PER_PAGE = 100  # the members API's cap (TryGhost/Ghost max-limit-cap.test.js)
_API = "members/api/comments/"
_POST_PAGES = re.compile(r"/members/api/comments/post/([^/]+)/$")
_REPLIES = re.compile(r"/members/api/comments/([^/]+)/replies/$")

def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))

def _page_no(url: str) -> int:
    value = _query(url).get("page", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1

def _paged(page_no: int) -> str:
    # Oldest first, so new comments land on the last page; a space as %20, as Ghost's
    # own client writes it.
    return urlencode({"limit": PER_PAGE, "order": "created_at asc", "page": page_no}, quote_via=quote)

def comments_url(site: str, post_id: str, page_no: int) -> str:
    return f"{site}{_API}post/{post_id}/?{_paged(page_no)}"

def replies_url(site: str, comment_id: str, page_no: int) -> str:
    return f"{site}{_API}{comment_id}/replies/?{_paged(page_no)}"

def thread_page_number(url: str) -> int:
    """A page's place in its thread, from its URL alone (the spider keys pages by it)."""
    path = urlsplit(url).path
    if _POST_PAGES.search(path):
        return 2 + _page_no(url)
    m = _REPLIES.search(path)
    if m:
        # After every thread page, one block of 10**4 pages per comment (stable, unique).
        slot = int(hashlib.sha256(m.group(1).encode()).hexdigest()[:15], 16)
        return 10**9 + slot * 10**4 + _page_no(url)
    return 1

def _site_of(url: str) -> str:
    """The site URL an API page belongs to (everything before /members/api/)."""
    return url.split(_API, 1)[0]


class GhostRoute:
    """Ghost post pages and the members comments API."""

    name = ROUTE
    parallel = True  # the API's pages are independent
    conditional = True  # Ghost sends an ETag with every page and answers 304
    exact_count = False  # no count to check against (robots.txt disallows /counts/)
    vouching = False  # every page is fetched: no page stands for the others

    def __init__(self) -> None:
        self.closed = ClosedPosts()  # post pages without a comments script, and the feed's ids

    def read_listing(self, request: ListingRequest, page: Page) -> Listing:
        listing = ghost_listing.parse_listing(page)
        more = tuple(ListingRequest(url=u, route=ROUTE, guess=request.guess) for u in listing.next_urls)
        return Listing(post_urls=listing.post_urls, more=more)

    def thread_urls(self, post: PostRecord) -> tuple[str, ...]:
        return (post.url,)

    def unreadable(self, page: Page) -> str | None:
        return None  # each reader names what it missed

    # -- reading ------------------------------------------------------------------------

    def read(self, page: Page) -> ThreadPage:
        path = urlsplit(page.url).path
        if self.closed.owns(page.url):
            return self.closed.read_feed(page)
        if _API not in page.url:
            return self._post_page(page)
        replies = _REPLIES.search(path)
        parsed = ghost_comments.parse_comments(page, top_level=replies.group(1) if replies else None)
        return ThreadPage(number=thread_page_number(page.url), comments=parsed.comments,
                          fingerprint=_body_fingerprint(page), links=self._links(page.url, parsed),
                          unread=parsed.unread, cut_off=parsed.short, removals=parsed.tombstones)

    def _post_page(self, page: Page) -> ThreadPage:
        parsed = ghost_post.parse_post_page(page)
        embed = parsed.embed
        if embed is None:
            return self.closed.start(parsed, page)
        first = comments_url(embed.site, embed.post_id, 1)
        links = ((thread_page_number(first), first),)
        site = f"{parsed.generator or 'Ghost'}, comments: Ghost native ({embed.enabled})"
        return ThreadPage(number=1, comments=(), fingerprint=parsed.fingerprint, links=links,
                          post=parsed.post, site=site)

    def _links(self, url: str, parsed: ghost_comments.CommentsPage) -> tuple[tuple[int, str], ...]:
        site = _site_of(url)
        links: list[str] = []
        replies = _REPLIES.search(urlsplit(url).path)
        if parsed.page == 1 and parsed.pages > 1:
            if replies:
                links += [replies_url(site, replies.group(1), n) for n in range(2, parsed.pages + 1)]
            else:
                post = _POST_PAGES.search(urlsplit(url).path)
                assert post is not None
                links += [comments_url(site, post.group(1), n) for n in range(2, parsed.pages + 1)]
        links += [replies_url(site, cid, 1) for cid in parsed.more_replies]
        return tuple((thread_page_number(u), u) for u in links)

    def read_post_only(self, page: Page) -> ThreadPage | None:
        if self.closed.owns(page.url):
            return self.closed.read_feed(page)
        return self._post_page(page)  # the post page holds no comments: reading it is the post only

    def glimpse(self, page: Page) -> Glimpse:
        if self.closed.owns(page.url):
            try:
                return Glimpse(fingerprint=self.closed.read_feed(page).fingerprint)
            except ValueError:
                return Glimpse(fingerprint=_body_fingerprint(page))
        if _API not in page.url:
            try:
                post_page = self._post_page(page)
            except ValueError:
                return Glimpse(fingerprint=ghost_post.embed_fingerprint(None))
            return Glimpse(fingerprint=post_page.fingerprint, links=post_page.links)
        # An API page: its JSON holds the page count and the reply counts.
        replies = _REPLIES.search(urlsplit(page.url).path)
        listed = ghost_comments.parse_comments(page, top_level=replies.group(1) if replies else None,
                                               records=False)
        return Glimpse(fingerprint=_body_fingerprint(page), links=self._links(page.url, listed))

def _body_fingerprint(page: Page) -> str:
    """An API page is hashed as received."""
    return hashlib.sha256(page.body).hexdigest()


class Ghost(NoRevisitSignals):
    """One Ghost site."""

    name = ROUTE

    def __init__(self, base: str, *, tags: Sequence[str] = ()) -> None:
        self.base = base
        self.tags = tuple(tags)
        self.route = GhostRoute()
        self.routes: dict[str, Route] = {ROUTE: self.route}
        self.post_pages: Route = self.route

    def discovery(self) -> Sequence[ListingRequest]:
        return [ListingRequest(url=f"{self.base}sitemap.xml", route=ROUTE, probe=True)]

    def fallback(self, failed: ListingRequest) -> Sequence[ListingRequest]:
        if failed.url.endswith("sitemap.xml"):
            return [ListingRequest(url=f"{self.base}rss/", route=ROUTE)]
        return []




