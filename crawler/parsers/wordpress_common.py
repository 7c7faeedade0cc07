"""Record building shared by the WordPress HTML and REST parsers, so both give equal records."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urldefrag, urlsplit

from crawler.normalize.authors import author_key
from crawler.parsers import wordpress_selectors as sel
from crawler.parsers.dates import ReadDate
from crawler.parsers.htmltext import Element, inner_html, parse_time, visible_text
from storage.records import CommentRecord, ReplyRecord

__all__ = [
    "ANONYMOUS",
    "author_external_id",
    "comment_record",
    "same_site",
    "stated_edit",
    "strip_comment_page",
    "term_sort_key",
    "wp_iso",
]

# What get_comment_author() shows for a comment with an empty name; the REST API gives
# "" instead, so the REST parser substitutes this to keep both paths equal.
ANONYMOUS = "Anonymous"
_TRAILING_SLASHES = re.compile(r"/+$")


def stated_edit(item: dict[str, Any]) -> dict[str, Any]:
    """`edited` and `edited_at` of a CommentRecord from a service's `edited_at` field (Ghost,
    Substack: null until an edit); both None when the item has no such field."""
    if "edited_at" not in item:
        return {"edited": None, "edited_at": None}
    stamp = item["edited_at"]
    return {"edited": bool(stamp), "edited_at": parse_time(stamp) if isinstance(stamp, str) else None}


def comment_record(
    *,
    external_id: str,
    author_raw: str,
    author_url: str | None,
    published_raw: str | None,
    parent_id: str | None,
    content: Element | None,
    page: int | None,
    position: int,
    when: ReadDate | None = None,
) -> CommentRecord:
    """A CommentRecord from the parts both paths extract; bodies go through the same serializer.

    `author_raw` is the name the site shows: never empty (an HTML item without one is
    an unread comment, crawler.parsers.unread; the REST parser gives WordPress's own
    "Anonymous"). `when`, the date as `crawler.parsers.dates` read it, replaces
    `published_raw` (an ISO stamp, read as UTC without offset) where the page printed a
    text date or a stamp without offset."""
    author_raw = " ".join(author_raw.split())
    replies: tuple[ReplyRecord, ...] = ()
    if parent_id:
        replies = (
            ReplyRecord(
                ordinal=0,
                kind="threaded",
                target_kind="comment",
                target_external_id=parent_id,
                resolved_by="markup",
            ),
        )
    body_html = inner_html(content) if content is not None else ""
    body_text = visible_text(content) if content is not None else ""
    return CommentRecord(
        external_id=external_id,
        author_raw=author_raw,
        author_key=author_key(author_raw),
        author_url=author_url or None,
        published_raw=when.raw if when is not None else published_raw,
        published_at=when.at if when is not None else parse_time(published_raw),
        published_approximate=when.approximate if when is not None else False,
        threaded_parent_external_id=parent_id,
        parent_external_id=parent_id,
        body_html=body_html,
        body_text=body_text,
        own_text=body_text,  # the normalizer removes quotes and @-prefixes later
        position=position,
        page=page,
        replies=replies,
    )


def author_external_id(url: str | None) -> str | None:
    """The author's slug from `/author/<slug>/`, else the id from `?author=N` (plain permalinks).

    Taken from the author archive URL in both paths (REST `_embedded.author[0].link` is the
    same URL the theme links), so both give the same value on the same site.
    """
    if not url:
        return None
    m = sel.AUTHOR_SLUG_IN_URL.search(url)
    if m:
        return m.group(1)
    m = sel.AUTHOR_ID_IN_URL.search(url)
    return m.group(1) if m else None


def strip_comment_page(url: str) -> str:
    """The post's URL: without fragment, `/comment-page-N/` or `cpage=N`."""
    url = urldefrag(url)[0]
    m = sel.COMMENT_PAGE_IN_URL.search(url)
    if m:
        url = url[: m.start()] + "/" + url[m.end() :].lstrip("/")
    url = re.sub(r"([?&])cpage=\d+&?", r"\1", url)
    return url.rstrip("?&")


def same_site(url: str, base: str) -> bool:
    """Whether `url` is on the site of `base` (scheme-agnostic, ignoring a leading 'www.')."""
    a, b = urlsplit(url), urlsplit(base)
    if a.scheme not in ("http", "https"):
        return False
    return a.netloc.lower().removeprefix("www.") == b.netloc.lower().removeprefix("www.")


def term_sort_key(name: str) -> tuple[str, str]:
    """Order of tags and categories in a record: by name, so HTML and REST orders agree."""
    return (name.casefold(), name)


def wp_iso(local: str, gmt: str) -> str | None:
    """Rebuild the theme's `time[datetime]` text (PHP date 'c': local time with offset) from
    the REST API's `date` and `date_gmt`, so that `published_raw` is equal on both paths."""
    try:
        lt, gt = datetime.fromisoformat(local), datetime.fromisoformat(gmt)
    except ValueError:
        return None
    minutes = round((lt - gt).total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{lt.replace(tzinfo=None).isoformat(timespec='seconds')}{sign}{hours:02d}:{mins:02d}"
