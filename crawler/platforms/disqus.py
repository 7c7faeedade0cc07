"""Disqus as the comment service of a blog source (`comments = "disqus"`): a route wrapper.

A blog whose posts embed Disqus keeps its post pages, listings and revisit signals (its
platform's routes read them); only the thread's comments come from Disqus. Each route of
the platform is wrapped in a `DisqusComments`, which reads the post page as before and
adds the thread's Disqus pages to it:

* without a key, the public embed page `<base>/embed/comments/?base=default&f=<forum>&
  t_u=<url>&t_i=<identifier>&s_o=default`, whose `disqus-threadData` holds the first page
  of posts; later pages need the API, so a thread that has more is partial, and says so;
* with the source's own registered `disqus_api_key`, API 3.0 `threads/listPosts.json`
  (`forum` and `thread:ident` or `thread:link`, 100 a page, oldest first), following
  `cursor.next` while `cursor.hasNext`.

A cursor that stops early (an error, or an empty page that still says `hasNext`) makes
the thread partial: no deletion is inferred. On a recrawl the first listPosts page
vouches for the rest (`Glimpse.vouches`): its fingerprint covers its posts and the
thread's `cursor.total`, so when it is as the last complete crawl's, the later pages are
not fetched (`crawler.thread_fetch`); a page without a total vouches for nothing. Disqus pages are numbered in the thread by
their URL (a cursor names no page number), above any page of the blog's own.
The forum comes from the page (`crawler.parsers.disqus.embed_config`), else the source's
`disqus_forum`; `disqus_base` (default https://disqus.com) is for tests and mirrors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawler.page import Page
from crawler.parsers import disqus
from crawler.parsers.wordpress_common import strip_comment_page
from crawler.platforms.base import Glimpse, Listing, ListingRequest, Platform, Route, ThreadPage
from storage.records import PostRecord

__all__ = ["DEFAULT_BASE", "DisqusComments", "DisqusService", "with_disqus"]

DEFAULT_BASE = "https://disqus.com"
PER_PAGE = 100
# Disqus pages sit above every page number a blog's own pagination can reach.
_FIRST_NUMBER = 1_000_000


@dataclass(frozen=True, kw_only=True)
class DisqusService:
    """A source's Disqus settings."""

    forum: str | None = None  # the source's disqus_forum: used when the page names none
    api_key: str | None = None  # the source's own registered public key
    base: str = DEFAULT_BASE

    def first_url(self, config: disqus.EmbedConfig, page_url: str) -> str | None:
        """The thread's first Disqus page, or None when no forum is known."""
        forum = config.forum or self.forum
        if forum is None:
            return None
        url = config.url or strip_comment_page(page_url)
        if self.api_key:
            return self.api_url(forum, config.identifier, url, None)
        query = {"base": "default", "f": forum, "t_u": url}
        if config.identifier:
            query["t_i"] = config.identifier
        query["s_o"] = "default"
        return f"{self.base.rstrip('/')}/embed/comments/?{urlencode(query)}"

    def api_url(self, forum: str, identifier: str | None, url: str, cursor: str | None) -> str:
        query = {"api_key": self.api_key or "", "forum": forum}
        if identifier:
            query["thread:ident"] = identifier
        else:
            query["thread:link"] = url
        query.update({"limit": str(PER_PAGE), "order": "asc"})
        if cursor:
            query["cursor"] = cursor
        return f"{self.base.rstrip('/')}/api/3.0/threads/listPosts.json?{urlencode(query)}"

    def owns(self, url: str) -> bool:
        return url.startswith(self.base.rstrip("/") + "/")


def number_of(url: str) -> int:
    """A Disqus page's place in the thread, from its URL alone."""
    return _FIRST_NUMBER + int.from_bytes(hashlib.sha256(url.encode("utf-8")).digest()[:4], "big")


def _next_url(service: DisqusService, page_url: str, cursor: str) -> str:
    """The listPosts page after `page_url`: the same query with the next cursor."""
    parts = urlsplit(page_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "cursor"] + [("cursor", cursor)]
    return f"{service.base.rstrip('/')}{parts.path}?{urlencode(query)}"


class DisqusComments:
    """A route of the blog's platform whose threads' comments come from Disqus."""

    exact_count = False  # thread.posts counts what Disqus shows, not deleted posts with replies

    def __init__(self, inner: Route, service: DisqusService, *, reads_posts: bool) -> None:
        self.inner = inner
        self.service = service
        self.name = inner.name
        # One page at a time: each Disqus page names the next (a cursor), and on a recrawl
        # the first may vouch for the rest, which are then not fetched at all.
        self.parallel = False
        self.conditional = inner.conditional
        self.vouching = bool(service.api_key)  # only API pages have later pages to vouch for
        # The platform's post-page route (WordPress's HTML) reads the post from its page; an
        # API route's post is the listing's, and its post page is fetched only for the way
        # to Disqus.
        self.reads_posts = reads_posts

    # -- the blog's side --------------------------------------------------------------

    def read_listing(self, request: ListingRequest, page: Page) -> Listing:
        return self.inner.read_listing(request, page)

    def thread_urls(self, post: PostRecord) -> tuple[str, ...]:
        # The post page names the Disqus thread (forum, identifier), so it comes first.
        return (post.url,)

    def unreadable(self, page: Page) -> str | None:
        if self.service.owns(page.url):
            return None  # a body that is not Disqus's fails to read, naming the URL
        if self.reads_posts:
            return self.inner.unreadable(page)
        ctype = page.headers.get("content-type", "")
        return None if not ctype or "html" in ctype.lower() else f"not HTML: {ctype!r}"

    def read(self, page: Page) -> ThreadPage:
        if self.service.owns(page.url):
            return self._read_disqus(page)
        base = self.inner.read(page) if self.reads_posts else _bare(page)
        return self._with_thread(base, page)

    def read_post_only(self, page: Page) -> ThreadPage | None:
        only = self.inner.read_post_only(page)
        return None if only is None else self._with_thread(only, page)

    def glimpse(self, page: Page) -> Glimpse:
        if self.service.owns(page.url):
            parsed = self._parse(page)
            return Glimpse(fingerprint=parsed.fingerprint, links=self._links(page, parsed),
                           expected=parsed.total, vouches=_vouches(page, parsed))
        first = self.service.first_url(disqus.embed_config(page.body), page.url)
        base = self.inner.glimpse(page) if self.reads_posts else Glimpse(fingerprint=_bare(page).fingerprint)
        links = ((number_of(first), first),) if first else ()
        return replace(base, links=base.links + links)

    def _with_thread(self, base: ThreadPage, page: Page) -> ThreadPage:
        """The post page with the thread's first Disqus page among its links."""
        config = disqus.embed_config(page.body)
        first = self.service.first_url(config, page.url)
        if first is None:
            why = ("comments are in Disqus but the page names no forum: "
                   "set disqus_forum for the source")
            return replace(base, problems=(*base.problems, why))
        forum = config.forum or self.service.forum
        site = base.site
        if site and base.elsewhere:
            site = site.replace(base.elsewhere, f"comments: Disqus (forum {forum!r}), read from Disqus")
        return replace(base, links=(*base.links, (number_of(first), first)), elsewhere=None,
                       expected=None, site=site)

    # -- Disqus's side --------------------------------------------------------------------

    def _parse(self, page: Page) -> disqus.DisqusPage:
        if page.status != 200:
            raise ValueError(f"HTTP {page.status}")
        if "/api/3.0/" in page.url:
            return disqus.parse_list_posts(page)
        return disqus.parse_embed_page(page)

    def _links(self, page: Page, parsed: disqus.DisqusPage) -> tuple[tuple[int, str], ...]:
        if not parsed.has_next or not parsed.next_cursor or not self.service.api_key:
            return ()
        if "/api/3.0/" not in page.url:
            return ()  # a keyed thread starts on the API; an embed page has no key to go on
        url = _next_url(self.service, page.url, parsed.next_cursor)
        return ((number_of(url), url),)

    def _read_disqus(self, page: Page) -> ThreadPage:
        parsed = self._parse(page)
        problems: list[str] = []
        if parsed.has_next and not parsed.comments and not parsed.unread and not parsed.removals:
            problems.append("Disqus says more posts follow, but this page has none")
        elif parsed.has_next and not self._links(page, parsed):
            problems.append("the Disqus thread has more posts than its embed page "
                            f"shows ({parsed.total} in all); set disqus_api_key to read the rest")
        return ThreadPage(
            number=number_of(page.url), comments=parsed.comments, fingerprint=parsed.fingerprint,
            links=self._links(page, parsed), expected=parsed.total, unread=parsed.unread,
            counts_thread=parsed.total is not None, problems=tuple(problems),
            removals=parsed.removals,
        )


def _vouches(page: Page, parsed: disqus.DisqusPage) -> bool:
    """True for a thread's first listPosts page that states the thread's total: its
    fingerprint then changes with any post Disqus adds to the thread or drops from its
    listing, on whatever page (an edit there, or a deletion Disqus keeps as a placeholder
    for its replies, shows only when the thread is next read whole)."""
    if "/api/3.0/" not in page.url or parsed.total is None:
        return False
    return all(k != "cursor" for k, _ in parse_qsl(urlsplit(page.url).query))


def _bare(page: Page) -> ThreadPage:
    """A post page of a route whose post came from a listing: only the way to Disqus."""
    config = disqus.embed_config(page.body)
    digest = hashlib.sha256(b"disqus-post-v1\0" + repr(config).encode("utf-8")).hexdigest()
    return ThreadPage(number=1, comments=(), fingerprint=digest)


def with_disqus(platform: Platform, service: DisqusService) -> Platform:
    """`platform` with every route wrapped (in place) so its threads' comments come from Disqus."""
    wrapped: dict[str, Route] = {
        name: DisqusComments(route, service, reads_posts=route is platform.post_pages)
        for name, route in platform.routes.items()
    }
    platform.post_pages = wrapped[platform.post_pages.name]
    platform.routes = wrapped
    return platform
