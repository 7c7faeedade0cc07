"""Recent comment activity from the REST API: which posts got a comment, and when.

`GET /wp/v2/comments?orderby=date&order=desc&_fields=post,date_gmt` lists the newest
comments of the whole site, a few bytes each. A scheduled crawl reads it first, so that
an old post (revisited only monthly) that got a new comment is looked at tonight.
Pure: `(Page) -> Activity`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.records import Page

__all__ = ["Activity", "parse_rest_activity"]


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
