"""The post-page route of the non-WordPress engines: threads read from the site's own HTML pages.

One class for Blogger's post pages, Drupal's nodes and the generic `html` platform, each
with its `PageMarkup` (crawler.parsers.engine_page). Discovery lists post URLs (feeds,
sitemaps, home and archive pages: crawler.parsers.engine_listing); a thread is its post
page, then every comment page the pages name (`?page=N`, the `next_page` selector),
fetched one at a time, each naming the next.
"""

from __future__ import annotations

from crawler.page import Page
from crawler.parsers.engine_listing import parse_engine_listing
from crawler.parsers.engine_page import EnginePage, PageMarkup, parse_engine_page
from crawler.parsers.source_selectors import SourceSelectors
from crawler.platforms.base import (
    Glimpse,
    Listing,
    ListingRequest,
    NoRevisitSignals,
    Route,
    ThreadPage,
)
from storage.records import PostRecord

__all__ = ["PageRoute", "PageSite", "guessed_listings"]


def guessed_listings(base: str, paths: tuple[str, ...], route: str) -> list[ListingRequest]:
    """Listing pages a site of this engine may have: a miss is no error."""
    return [ListingRequest(url=f"{base}{path}", route=route, guess=True) for path in paths]


class PageRoute:
    """An engine's post pages and their comment pages."""

    parallel = False  # each comment page names the next
    conditional = True
    exact_count = False  # pages show no exact count
    vouching = False  # every page is fetched: no page stands for the others

    def __init__(self, markup: PageMarkup, selectors: SourceSelectors | None = None, *,
                 name: str = "html") -> None:
        self.name = name
        self.markup = markup
        self.selectors = selectors
        self.described = False  # the first page read says what the site is

    def read_listing(self, request: ListingRequest, page: Page) -> Listing:
        listing = parse_engine_listing(page)
        return Listing(
            post_urls=listing.post_urls,
            more=tuple(ListingRequest(url=u, route=self.name, guess=True) for u in listing.next_urls),
        )

    def thread_urls(self, post: PostRecord) -> tuple[str, ...]:
        return (post.url,)

    def unreadable(self, page: Page) -> str | None:
        ctype = page.headers.get("content-type", "")
        if ctype:
            return None if "html" in ctype.lower() else f"not HTML: {ctype!r}"
        return None if page.body.lstrip()[:1] == b"<" else "not HTML: ''"

    def _parse(self, page: Page) -> EnginePage:
        parsed = parse_engine_page(page, self.markup, self.selectors, describe=not self.described)
        self.described = self.described or parsed.site is not None
        return parsed

    def read(self, page: Page) -> ThreadPage:
        return _thread_page(self._parse(page), page.url)

    def read_post_only(self, page: Page) -> ThreadPage | None:
        parsed = self._parse(page)
        notes = parsed.problems if parsed.truncated else ()
        return _thread_page(parsed, page.url, comments=False, notes=notes)

    def glimpse(self, page: Page) -> Glimpse:
        parsed = parse_engine_page(page, self.markup, self.selectors)
        return Glimpse(fingerprint=parsed.fingerprint, links=parsed.pages)


def _thread_page(parsed: EnginePage, url: str, *, comments: bool = True,
                 notes: tuple[str, ...] = ()) -> ThreadPage:
    site = parsed.site
    # What makes the page partial, said as the parser says it (a truncated page, comments
    # loaded by a script, a next page without a number); the spider adds the URL.
    problems = tuple(p.removeprefix(f"{url}: ") for p in parsed.problems) if comments else ()
    return ThreadPage(
        number=parsed.number,
        comments=parsed.comments if comments else (),
        fingerprint=parsed.fingerprint,
        links=parsed.pages,
        post=parsed.post,
        cut_off=parsed.truncated and not problems,
        problems=problems,
        unread=parsed.unread if comments else (),
        elsewhere=site.comments_line() if site is not None and site.elsewhere else None,
        site=site.describe() if site is not None else None,
        notes=notes,
    )



class PageSite(NoRevisitSignals):
    """A site read from its post pages alone (a subclass names its `markup` and the
    listing `paths` discovery guesses); no revisit signal: every due post is fetched."""

    name: str
    markup: PageMarkup
    paths: tuple[str, ...]

    def __init__(self, base: str, *, selectors: SourceSelectors | None = None) -> None:
        self.base = base
        self.pages = PageRoute(self.markup, selectors)
        self.routes: dict[str, Route] = {"html": self.pages}
        self.post_pages: Route = self.pages

    def discovery(self) -> list[ListingRequest]:
        return guessed_listings(self.base, self.paths, "html")
