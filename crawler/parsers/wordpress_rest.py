"""WordPress REST API responses (/wp/v2/posts, /wp/v2/comments) as the same records as HTML.

Bodies go through the same lxml serializer and text normalizer as the theme HTML, times
are rebuilt in the theme's `time[datetime]` form, and an empty comment author becomes
"Anonymous" as the theme shows it, so both paths archive equal records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crawler.normalize.authors import author_key
from crawler.page import Page, json_body
from crawler.parsers.htmltext import (
    fragment_text,
    inner_html,
    parse_fragment,
    parse_time,
    visible_text,
)
from crawler.parsers.wordpress_common import (
    ANONYMOUS,
    author_external_id,
    comment_record,
    term_sort_key,
    wp_iso,
)
from storage.records import CommentRecord, PostRecord

__all__ = ["RestComments", "RestPosts", "parse_rest_comments", "parse_rest_posts"]


@dataclass(frozen=True, kw_only=True)
class RestPosts:
    """One page of /wp/v2/posts."""

    posts: tuple[PostRecord, ...]
    total: int | None  # X-WP-Total
    total_pages: int | None  # X-WP-TotalPages


@dataclass(frozen=True, kw_only=True)
class RestComments:
    """One page of /wp/v2/comments?post=N."""

    comments: tuple[CommentRecord, ...]
    total: int | None
    total_pages: int | None


def parse_rest_posts(page: Page) -> RestPosts:
    """Posts from a /wp/v2/posts?_embed=author,wp:term response. ValueError if not that."""
    items = _json_list(page)
    posts = tuple(_post(item) for item in items)
    return RestPosts(
        posts=posts,
        total=_header_int(page, "x-wp-total"),
        total_pages=_header_int(page, "x-wp-totalpages"),
    )


def parse_rest_comments(page: Page) -> RestComments:
    """Comments from a /wp/v2/comments response, in response order (position = index)."""
    items = _json_list(page)
    comments = []
    for index, item in enumerate(items):
        if item.get("type", "comment") not in ("comment", ""):
            continue  # pingbacks/trackbacks: skipped on the HTML path too
        parent = item.get("parent") or 0
        content = _rendered(item, "content")
        comments.append(
            comment_record(
                external_id=str(item["id"]),
                # WordPress shows an empty name as "Anonymous": the HTML path reads that.
                author_raw=fragment_text(item.get("author_name") or "").strip() or ANONYMOUS,
                author_url=item.get("author_url") or None,
                published_raw=_raw_time(item, "date", "date_gmt"),
                parent_id=str(parent) if parent else None,
                content=parse_fragment(content),
                page=None,
                position=index,
            )
        )
    return RestComments(
        comments=tuple(comments),
        total=_header_int(page, "x-wp-total"),
        total_pages=_header_int(page, "x-wp-totalpages"),
    )


def _json_list(page: Page) -> list[dict[str, Any]]:
    data = json_body(page)
    if b"\\ud" in page.body or b"\\uD" in page.body:
        data = _without_lone_surrogates(data)
    if not isinstance(data, list):
        message = data.get("message") if isinstance(data, dict) else None
        got = message or type(data).__name__
        # ValueError, not TypeError: a wrong response is bad input, the parsers' one error.
        raise ValueError(f"{page.url}: expected a JSON list, got {got}")  # noqa: TRY004
    return [item for item in data if isinstance(item, dict) and "id" in item]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(value: Any) -> Any:
    """JSON may escape half of a UTF-16 pair (`"\\ud83d"` alone); such a string cannot be
    encoded, stored or parsed as HTML. Each lone half becomes U+FFFD, as a decoder would
    make of a broken byte. (Whole pairs were already joined into one character.)"""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_lone_surrogates(v) for k, v in value.items()}
    return value


def _rendered(item: dict[str, Any], key: str) -> str:
    """`item[key]["rendered"]`; a plain string is taken as it is (some plugins flatten it)."""
    value = item.get(key)
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) else ""


def _header_int(page: Page, name: str) -> int | None:
    value = page.headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _raw_time(item: dict[str, Any], local: str, gmt: str) -> str | None:
    lt, gt = item.get(local), item.get(gmt)
    if lt and gt:
        return wp_iso(lt, gt)
    return gt or lt or None


def _post(item: dict[str, Any]) -> PostRecord:
    embedded = item.get("_embedded") or {}
    authors = [a for a in embedded.get("author") or [] if isinstance(a, dict) and "name" in a]
    author_raw = fragment_text(authors[0]["name"]) if authors else ""
    author_url = authors[0].get("link") if authors else None
    tags: set[str] = set()
    categories: set[str] = set()
    for group in embedded.get("wp:term") or []:
        for term in group if isinstance(group, list) else []:
            if not isinstance(term, dict):
                continue
            name = fragment_text(term.get("name") or "")
            if term.get("taxonomy") == "category":
                categories.add(name)
            elif term.get("taxonomy") == "post_tag":
                tags.add(name)
    body = parse_fragment(_rendered(item, "content"))
    published_raw = _raw_time(item, "date", "date_gmt")
    modified_raw = _raw_time(item, "modified", "modified_gmt")
    return PostRecord(
        external_id=str(item["id"]),
        url=item.get("link") or "",
        title=fragment_text(_rendered(item, "title")),
        author_raw=author_raw,
        author_key=author_key(author_raw),
        author_external_id=author_external_id(author_url),
        author_url=author_url,
        published_raw=published_raw,
        published_at=parse_time(published_raw),
        modified_raw=modified_raw,
        modified_at=parse_time(modified_raw),
        tags=tuple(sorted(tags, key=term_sort_key)),
        categories=tuple(sorted(categories, key=term_sort_key)),
        body_html=inner_html(body),
        body_text=visible_text(body),
        comment_count_displayed=None,
    )
