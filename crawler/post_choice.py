"""Which posts a crawl takes: first sightings, on topic, since the source's date, and due.

Pure (no Scrapy): the spider asks it of every post a listing or a post page shows, and
it counts its verdicts in the crawl's stats. "Due" is the revisit policy
(`crawler.revisit`), on crawls that apply it: an old quiet post is left for a later
night, unless it shows new comment activity (`revive`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from crawler.faultlog import Stats
from crawler.recrawl import KnownPost, KnownPosts, url_key
from crawler.revisit import RevisitPolicy
from crawler.topic import TopicFilter
from storage.records import PostRecord

__all__ = ["PostChoice"]

# The year and month of a date-based permalink (/2025/03/slug/).
_URL_MONTH = re.compile(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/")


@dataclass(eq=False)
class PostChoice:
    """The verdicts on one crawl's posts, and what it has seen and asked for so far."""

    topic: TopicFilter
    since: date | None
    known: KnownPosts
    policy: RevisitPolicy
    stats: Stats
    revisit: bool = False  # apply the revisit policy (scheduled crawls, or the setting)
    seen: set[str] = field(default_factory=set)  # platform ids of every post seen
    requested: set[str] = field(default_factory=set)  # url_key of every post page asked
    not_due: set[str] = field(default_factory=set)  # known posts left for later
    active: set[str] = field(default_factory=set)  # known posts with new comments

    def wanted(self, post: PostRecord) -> bool:
        """First sighting of an on-topic post published on or after `since`, due now."""
        if post.external_id in self.seen:
            return False
        self.seen.add(post.external_id)
        self.stats.inc_value("palimpsest/posts_seen")
        if self.since and post.published_at and post.published_at.date() < self.since:
            self.stats.inc_value("palimpsest/posts_before_since")
            return False
        if not self.topic.is_on_topic(post):
            self.stats.inc_value("palimpsest/posts_off_topic")
            return False
        self.stats.inc_value("palimpsest/posts_on_topic")
        return self.due(self.known.get(post.external_id))

    def due(self, known: KnownPost | None) -> bool:
        """The revisit policy, on crawls that apply it; counted when it says "not now"."""
        if not self.revisit or known is None or known.external_id in self.active:
            return True
        if self.known.due(known, datetime.now(UTC), self.policy):
            return True
        if known.external_id not in self.not_due:  # listings repeat posts: count once
            self.not_due.add(known.external_id)
            self.seen.add(known.external_id)  # not due is not gone
            self.stats.inc_value("palimpsest/posts_not_due")
        return False

    def revive(self, known: KnownPost) -> None:
        """Undo a "not due" verdict: the post has new comments, or nothing could tell."""
        key = known.external_id
        self.active.add(key)
        if key in self.not_due:
            self.not_due.discard(key)
            self.seen.discard(key)  # so that `wanted` takes it when its page comes
            self.stats.inc_value("palimpsest/posts_not_due", -1)

    def ask(self, url: str) -> None:
        self.requested.add(url_key(url))

    def dated_before_since(self, url: str) -> bool:
        """True for a /YYYY/MM/ permalink clearly older than `since`: on a big blog the
        sitemaps list every post ever, and fetching each one nightly would be wasteful.
        One month of slack, because the URL has the site's local month, not UTC's."""
        since = self.since
        match = _URL_MONTH.search(urlsplit(url).path) if since else None
        if since is None or match is None:
            return False
        slack = (since.year, since.month - 1) if since.month > 1 else (since.year - 1, 12)
        return (int(match[1]), int(match[2])) < slack

    def unseen(self, resumed: set[int]) -> list[KnownPost]:
        """Due known posts discovery did not list (to be probed at their permalink), less
        those older than `since` and those an aborted crawl this one resumes finished."""
        since = self.since
        return [
            k for k in self.known.unseen(self.seen, self.requested)
            if not (since and k.published_at and k.published_at.date() < since)
            and k.last_complete_crawl_id not in resumed and self.due(k)
        ]
