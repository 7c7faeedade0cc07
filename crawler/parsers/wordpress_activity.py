"""Recent comment activity: which posts got a comment, and when.

* REST: `GET /wp/v2/comments?orderby=date&order=desc&_fields=post,date_gmt` lists the
  newest comments of the whole site, a few bytes each. A scheduled crawl reads it first,
  so that an old post (revisited only monthly) that got a new comment is looked at tonight.
* HTML only (REST blocked): a post's own comment feed (`POST_URL/feed/`, RSS 2.0 with
  one item per comment, newest first) tells whether it got a comment since its last
  check, for a few KB instead of every page of its thread.

Pure: `(Page) -> Activity` and `(Page) -> datetime | None`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from lxml import etree

from crawler.page import Page

__all__ = ["Activity", "newest_feed_comment", "parse_rest_activity"]

_ATOM = "{http://www.w3.org/2005/Atom}"
_FEED_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True, kw_only=True)
class Activity:
    """One page of recent comments: (post id, comment time in UTC) each."""

    comments: tuple[tuple[str, datetime], ...]
    total_pages: int | None  # X-WP-TotalPages


def parse_rest_activity(page: Page) -> Activity:
    """Read one page; ValueError when it is not a JSON list of comments with post and date_gmt."""
    try:
        items = json.loads(page.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{page.url}: not JSON: {exc}") from None
    if not isinstance(items, list):
        # ValueError, as every parser raises for a body that is not what it reads.
        raise ValueError(f"{page.url}: expected a JSON list of comments")  # noqa: TRY004
    comments: list[tuple[str, datetime]] = []
    for item in items:
        if not isinstance(item, dict) or "post" not in item or not item.get("date_gmt"):
            raise ValueError(f"{page.url}: a comment without post or date_gmt")
        when = datetime.fromisoformat(str(item["date_gmt"])).replace(tzinfo=UTC)  # GMT, no offset
        comments.append((str(item["post"]), when))
    pages = page.headers.get("x-wp-totalpages", "")
    return Activity(comments=tuple(comments), total_pages=int(pages) if pages.isdigit() else None)


def newest_feed_comment(page: Page) -> datetime | None:
    """The time (UTC) of the newest item of a comment feed (RSS 2.0 or Atom); None when
    the feed has no item. ValueError when the body is not such a feed, or an item has no
    readable date: the caller must then assume the thread changed."""
    try:
        root = etree.fromstring(page.body, _FEED_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"{page.url}: not an XML feed ({exc})") from None
    if root.tag == "rss":
        stamps = [(item.findtext("pubDate") or "").strip() for item in root.iter("item")]
        read = _rfc822
    elif root.tag == f"{_ATOM}feed":
        stamps = [
            (entry.findtext(f"{_ATOM}updated") or entry.findtext(f"{_ATOM}published") or "").strip()
            for entry in root.iter(f"{_ATOM}entry")
        ]
        read = _iso8601
    else:
        raise ValueError(f"{page.url}: not an RSS or Atom feed (root <{root.tag}>)")
    times = []
    for stamp in stamps:
        when = read(stamp)
        if when is None:
            raise ValueError(f"{page.url}: a feed item without a readable date ({stamp!r})")
        times.append(when)
    return max(times, default=None)


def _rfc822(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _iso8601(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
