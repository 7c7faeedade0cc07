"""Ghost posts whose page has no comments-ui script: their ids from the site's feed.

Ghost's `{{comments}}` helper writes nothing when comments are off on the site or the
reader may not see the post (members only), and then the page names no post id, which
is the post's identity in the archive. The site's RSS feed does (each item's `guid` is
the post's id; the Content API would too, but robots.txt disallows /ghost/). So such a
post page is read as far as it goes (`crawler.parsers.ghost_post`: the post, and why
there are no comments) and kept waiting while the feed is read, page after page, until
an item names it; the feed page that does is the thread's one page, and its thread is
empty and complete, saying why (`ThreadPage.closed`). The feed pages read are
remembered for the crawl, so each is read once whatever the number of such posts.

Each feed page is asked on behalf of one post (`crawler.page.url_for`), so that the
spider's answer to it is that post's. Pure, but for that memory.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from crawler.page import Page, asked_for, url_for
from crawler.parsers import ghost_listing, ghost_post
from crawler.parsers.site import Site
from crawler.platforms.base import ThreadPage
from storage.known import url_key

__all__ = ["ClosedPosts"]

# When the page does not say why there is no script (comments on, the theme shows none).
_NO_SCRIPT = ("comments are on (the page loads Ghost's comment counts) but the page has no "
              "comments-ui script: the thread is not read")


class ClosedPosts:
    """A crawl's post pages without a comments script, and the feed ids read so far."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}  # url_key(post URL) -> Ghost post id
        self.waiting: dict[str, ghost_post.GhostPost] = {}  # by url_key(post URL)
        self.next_feed: str | None = None  # the first feed page not read yet (None: the first)
        self.feed_done = False  # the last feed page was read

    @staticmethod
    def owns(url: str) -> bool:
        """True for a feed page asked for a post (`url_for`)."""
        return asked_for(url) is not None

    def start(self, parsed: ghost_post.GhostPost, page: Page) -> ThreadPage:
        """The post page read: its thread, when the feed named the post already; else
        the feed page to ask next (`ThreadPage.post_at`)."""
        key = url_key(parsed.post.url)
        if key in self.ids:
            return self._thread(parsed, self.ids[key])
        self.waiting[key] = parsed
        feed = self._next(parsed)
        if feed is None:
            raise ValueError(f"{page.url}: {self._unnamed(parsed)}")
        return ThreadPage(number=1, comments=(), fingerprint=parsed.fingerprint,
                          post_at=url_for(feed, parsed.post.url))

    def read_feed(self, page: Page) -> ThreadPage:
        """A feed page asked for a post: that post's thread, or the next feed page to ask."""
        asker = asked_for(page.url)
        assert asker is not None
        parsed = self.waiting.get(url_key(asker))
        if parsed is None:
            raise ValueError(f"{page.url}: a feed page asked for no post page read in this crawl")
        found = ghost_listing.feed_ids(page)
        self.ids.update((url_key(u), i) for u, i in found.ids.items())
        here = page.url.split("#", 1)[0]
        if self.next_feed is None or url_key(self.next_feed) == url_key(here):
            self.next_feed, self.feed_done = found.next_url, found.next_url is None or not found.ids
        key = url_key(parsed.post.url)
        if key in self.ids:
            return self._thread(parsed, self.ids[key])
        feed = self._next(parsed)
        if feed is None:
            raise ValueError(f"{asker}: {self._unnamed(parsed)}")
        return ThreadPage(number=1, comments=(), fingerprint=hashlib.sha256(page.body).hexdigest(),
                          post_at=url_for(feed, parsed.post.url))

    def _next(self, parsed: ghost_post.GhostPost) -> str | None:
        if self.feed_done:
            return None
        return self.next_feed or parsed.feed_url

    @staticmethod
    def _unnamed(parsed: ghost_post.GhostPost) -> str:
        return ("no Ghost comments-ui script (data-post-id), and no item of the site's feed names "
                "this post: its id cannot be known, so it is not archived")

    def _thread(self, parsed: ghost_post.GhostPost, post_id: str) -> ThreadPage:
        self.waiting.pop(url_key(parsed.post.url), None)
        version = (parsed.generator or "Ghost").removeprefix("Ghost").strip() or None
        closed = parsed.closed
        site = Site(platform="ghost", version=version, comment_system="closed" if closed else "none")
        # Of what the archive keeps of this thread: the id and why it is empty (the post's
        # own changes are the writer's to see, from the post read with it).
        digest = hashlib.sha256(f"ghost-closed-v1\0{post_id}\0{closed or ''}".encode())
        return ThreadPage(
            number=1, comments=(), fingerprint=digest.hexdigest(),
            post=replace(parsed.post, external_id=post_id),
            closed=f"{site.comments_line()}: {closed}" if closed else None,
            problems=() if closed else (_NO_SCRIPT,),
            site=site.describe() + (f" ({closed})" if closed else ""),
        )
