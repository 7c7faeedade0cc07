"""Recent comment activity on the HTML route: a post's own comment feed.

The revisit policy leaves old quiet posts for later, but "a post with new comment
activity is treated as recent again". The REST route learns which posts got comments
from one list of the site's newest comments; a site that blocks the REST API has no such
list (its site-wide comment feed holds only the last ten or so). So each known post the
policy would skip gets one small request instead: its comment feed (`POST_URL/feed/`,
or `&feed=rss2` on plain permalinks), newest comment first. A comment newer than the
post's last check makes it due tonight; anything short of a readable feed (an error,
feeds turned off, a page that is not a feed) makes it due too, since missing a thread is
worse than fetching it.

What a feed cannot show: edits and deletions of old comments, and comments approved
long after they were written (the feed dates them when written). Those wait for the
post's regular turn (weekly, then monthly).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.recrawl import KnownPost, url_key
from crawler.revisit import is_new_activity
from crawler.spiders.wordpress_crawl import LISTING, WordPressCrawl, reason

__all__ = ["CommentFeeds", "comment_feed_url"]

logger = logging.getLogger(__name__)


def comment_feed_url(post_url: str) -> str:
    """The comment feed of the post at `post_url` (pretty or plain permalink)."""
    if "?" in post_url:
        return f"{post_url}&feed=rss2"
    return post_url if post_url.endswith("/feed/") else post_url.rstrip("/") + "/feed/"


class CommentFeeds(WordPressCrawl):
    """Feed probes of the known posts the revisit policy would skip (HTML route only)."""

    def _skip_or_probe(self, url: str, known: KnownPost | None) -> Iterator[Request]:
        """Called for a listed post that `_due` says is not due: on the HTML route, ask
        its comment feed whether it got a comment since its last check."""
        if self.source.use_rest or known is None or known.external_id in self.feed_probed:
            return  # the REST route has its own list of recent comments
        self.feed_probed.add(known.external_id)
        self._stats().inc_value("palimpsest/posts_feed_probed")
        yield Request(
            comment_feed_url(url), callback=self.parse_comment_feed,
            errback=self.comment_feed_failed, priority=LISTING,
            cb_kwargs={"post_url": url, "known": known},
            meta={"handle_httpstatus_all": True, "dont_redirect": False},
        )

    def parse_comment_feed(self, response: Response, post_url: str, known: KnownPost) -> Iterator[Any]:
        if response.status != 200:
            yield from self._due_after_all(post_url, known, f"comment feed: HTTP {response.status}")
            return
        try:
            newest = self.parser.newest_feed_comment(self._page(response, clean=False))
        except ValueError as exc:
            yield from self._due_after_all(post_url, known, str(exc))
            return
        if newest is not None and is_new_activity(newest, known.last_checked_at):
            self._stats().inc_value("palimpsest/posts_active")
            yield from self._due_after_all(post_url, known, None)

    def comment_feed_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        self._send_failure(request, failure)
        kwargs = request.cb_kwargs
        yield from self._due_after_all(kwargs["post_url"], kwargs["known"], reason(failure))

    def _due_after_all(self, post_url: str, known: KnownPost, why: str | None) -> Iterator[Any]:
        """Undo the "not due" verdict and fetch the thread: it has new comments (`why` is
        None) or its feed could not tell."""
        if why is not None:
            logger.info("%s: no answer from the comment feed (%s); the post is due", post_url, why)
            self._stats().inc_value("palimpsest/posts_feed_failed")
        key = known.external_id
        self.active.add(key)
        if key in self.not_due:
            self.not_due.discard(key)
            self.seen_posts.discard(key)  # so that _wanted takes it when its page comes
            self._stats().inc_value("palimpsest/posts_not_due", -1)
        self.requested_posts.add(url_key(post_url))
        yield self._post_request(post_url, known)

    def _post_request(self, url: str, known: KnownPost | None, *, refetch: bool = False) -> Request:
        raise NotImplementedError  # wordpress_html.HtmlRoute
