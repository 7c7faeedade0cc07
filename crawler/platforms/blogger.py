"""The `blogger` platform: a blog's feeds (GData, Atom), its post pages as the fallback.

Discovery reads `/feeds/posts/default` (every page, by its `next` link); a thread is the
post's comment feed `/feeds/<postId>/comments/default`, paged by `start-index` in pages
of 50 (the first page's `openSearch:totalResults` names them all, so they are fetched
at once). Without the feeds (a 404 or a blog that turned them off) discovery falls back
to the post pages (`sitemap.xml`, the home page and its "older posts" links), read with
the shared comment reader. Revisit signals: the blog's comment feed
`/feeds/comments/default`, newest first. Parsing: crawler.parsers.blogger_feed and
crawler.parsers.engine_page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

from lxml import etree

from crawler.page import Page
from crawler.parsers import blogger_feed
from crawler.parsers.engine_page import PageMarkup
from crawler.parsers.engine_post import PostMarkup
from crawler.parsers.htmltext import Element
from crawler.parsers.source_selectors import SourceSelectors
from crawler.platforms.base import Activity, Glimpse, Listing, ListingRequest, Route, ThreadPage
from crawler.platforms.page_route import PageRoute, guessed_listings
from storage.records import CommentRecord, PostRecord

__all__ = ["POST_PAGE_MARKUP", "Blogger", "FeedRoute", "post_id_of_page"]

PER_PAGE = 50  # comments per feed page (the template's own batch)
POSTS_PER_PAGE = 25
_ACTIVITY_PER_PAGE = 100
_ID_META = etree.XPath("//meta[@itemprop='postId']/@content | //*[@data-post-id]/@data-post-id")
_POST_BODY_ID = etree.XPath("//div[starts-with(@id, 'post-body-')]/@id")
# The page's JS: `'postId': '123'`, `"postId":"123"`, `postId=123`.
_JS_POST_ID = re.compile(r"""["']?postId["']?\s*[:=]\s*["']?(\d{3,})""")


def post_id_of_page(doc: Element, url: str) -> str | None:
    """The post id a Blogger post page shows: `meta[itemprop=postId]`, `data-post-id`,
    `div#post-body-N`, else `postId` in its scripts."""
    for value in _ID_META(doc):
        if str(value).strip().isdigit():
            return str(value).strip()
    for ident in _POST_BODY_ID(doc):
        digits = str(ident).removeprefix("post-body-")
        if digits.isdigit():
            return digits
    for script in doc.iter("script"):
        m = _JS_POST_ID.search(script.text or "")
        if m:
            return m.group(1)
    return None


def _xp(expr: str) -> etree.XPath:
    return etree.XPath(expr)


POST_PAGE_MARKUP = PageMarkup(
    post=PostMarkup(
        name="blogger", post_id=post_id_of_page,
        title=(_xp("//*[contains(@class, 'post-title')]"),),
        body=(_xp("//div[contains(@class, 'post-body')]"),),
        author=(_xp("//*[contains(@class, 'post-author')]//*[contains(@class, 'fn')]//a"),
                _xp("//*[contains(@class, 'post-author')]//*[contains(@class, 'fn')]")),
        published=(_xp("//*[contains(@class, 'post-timestamp')]//abbr[@title]"),
                   _xp("//*[contains(@class, 'post-timestamp')]//time[@datetime]")),
        tags=(_xp("//*[contains(@class, 'post-labels')]//a[@rel='tag']"),),
    ),
    removed_class="deleted-comment",
    stamp_link=re.compile(r"[?&]showComment=(\d{10,})#c(\d+)"),
    more_by_script=_xp("//div[contains(concat(' ', @class, ' '), ' loadmore ')"
                       " and not(contains(concat(' ', @class, ' '), ' hidden '))]"),
)


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


class FeedRoute:
    """Posts and comment threads through the blog's feeds."""

    name = "feed"
    parallel = True  # start-index pages are independent once the total is known
    conditional = False
    exact_count = False  # the total counts deleted comments too; each page checks its size
    vouching = False  # every page is fetched: no page stands for the others

    def __init__(self, base: str) -> None:
        self.base = base

    def posts_request(self, start: int = 1) -> ListingRequest:
        url = f"{self.base}feeds/posts/default?" + urlencode({"max-results": POSTS_PER_PAGE, "start-index": start})
        return ListingRequest(url=url, route=self.name, page_no=(start - 1) // POSTS_PER_PAGE + 1,
                              probe=start == 1)

    def read_listing(self, request: ListingRequest, page: Page) -> Listing:
        feed = blogger_feed.parse_posts_feed(page)
        more: tuple[ListingRequest, ...] = ()
        if feed.next_url:  # on Blogger's host the link names it; kept on ours
            start = _query(feed.next_url).get("start-index", "")
            if start.isdigit():
                more = (self.posts_request(int(start)),)
        return Listing(posts=feed.posts, more=more, total=feed.total)

    def comments_url(self, post_id: str, start: int = 1) -> str:
        query = {"orderby": "published", "max-results": PER_PAGE, "start-index": start}
        return f"{self.base}feeds/{post_id}/comments/default?" + urlencode(query)

    def thread_urls(self, post: PostRecord) -> tuple[str, ...]:
        return (self.comments_url(post.external_id),)

    def unreadable(self, page: Page) -> str | None:
        return None  # a body that is not a feed fails to read, naming the URL

    def _links(self, url: str, total: int | None) -> tuple[tuple[int, str], ...]:
        if _query(url).get("start-index", "1") != "1" or not total:
            return ()
        post_id = urlsplit(url).path.split("/feeds/", 1)[-1].split("/", 1)[0]
        return tuple((n // PER_PAGE + 1, self.comments_url(post_id, n + 1))
                     for n in range(PER_PAGE, total, PER_PAGE))

    def read(self, page: Page) -> ThreadPage:
        feed = blogger_feed.parse_comment_feed(page)
        number = (feed.start_index - 1) // PER_PAGE + 1
        # A page holding fewer entries than the total leaves for it was cut (or the
        # thread shifted between pages): partial, never deletions.
        short = feed.total is not None and feed.entries < min(PER_PAGE, feed.total - feed.start_index + 1)
        return ThreadPage(
            number=number,
            comments=tuple(_paged(c, number) for c in feed.comments),
            fingerprint=feed.fingerprint,
            links=self._links(page.url, feed.total),
            expected=feed.total - len(feed.removed) if feed.total is not None and number == 1 else None,
            cut_off=short,
            unread=feed.unread,
        )

    def read_post_only(self, page: Page) -> ThreadPage | None:
        return None

    def glimpse(self, page: Page) -> Glimpse:
        parsed = self.read(page)
        return Glimpse(fingerprint=parsed.fingerprint, links=parsed.links, expected=parsed.expected)


def _paged(comment: CommentRecord, number: int) -> CommentRecord:
    return replace(comment, page=number)


class Blogger:
    """One Blogger blog: its feeds, and its post pages."""

    name = "blogger"

    def __init__(self, base: str, *, selectors: SourceSelectors | None = None) -> None:
        self.base = base
        self.feed = FeedRoute(base)
        self.pages = PageRoute(POST_PAGE_MARKUP, selectors)
        self.routes: dict[str, Route] = {"feed": self.feed, "html": self.pages}
        self.post_pages: Route = self.pages
        self.use_feeds = selectors is None  # selectors describe HTML: read the pages

    def discovery(self) -> Sequence[ListingRequest]:
        if self.use_feeds:
            return [self.feed.posts_request()]
        return self._page_discovery()

    def _page_discovery(self) -> list[ListingRequest]:
        return guessed_listings(self.base, ("", "sitemap.xml"), "html")

    def fallback(self, failed: ListingRequest) -> Sequence[ListingRequest]:
        return self._page_discovery() if failed.route == "feed" else []

    def activity_url(self, page_no: int, after: datetime | None) -> str | None:
        if not self.use_feeds:
            return None
        query: dict[str, str | int] = {"max-results": _ACTIVITY_PER_PAGE,
                                       "start-index": (page_no - 1) * _ACTIVITY_PER_PAGE + 1}
        if after is not None:
            query["published-min"] = after.strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{self.base}feeds/comments/default?" + urlencode(query)

    def read_activity(self, page: Page) -> Activity:
        found = blogger_feed.parse_activity_feed(page)
        pages = -(-found.total // _ACTIVITY_PER_PAGE) if found.total is not None else None
        return Activity(comments=found.comments, total_pages=pages)

    def comment_feed_url(self, post_url: str) -> str | None:
        return None  # the blog-wide comment feed is the revisit signal

    def newest_in_feed(self, page: Page) -> datetime | None:
        return None
