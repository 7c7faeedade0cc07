"""Ghost's members comments API (/members/api/comments/...) as comment records.

    parse_comments(page) -> CommentsPage   a page of a post's thread, or of one comment's replies

Ghost threads are two levels deep: a top-level comment groups its replies (their
`parent_id`, implied by where the API puts them), and a reply's `in_reply_to_id` names
the comment it answers, which may be another reply; that comment is the archive's
threaded parent. A hidden or deleted top-level comment that has replies comes back as
a tombstone (`status` hidden/deleted, `html` null, member kept): it is no comment
record but a removal in Ghost's word, "hidden" (by a moderator) or "deleted" (by its
author), which the thread's writer records on a tombstone keeping its last archived
text. Hidden and deleted comments without replies, and all hidden or deleted replies,
are left out by Ghost itself. `edited_at` (null until the member edits) says an edit
and its time. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from crawler.page import Page, json_body
from crawler.parsers.htmltext import parse_fragment
from crawler.parsers.unread import UnreadComment
from crawler.parsers.wordpress_common import comment_record, stated_edit
from storage.records import CommentRecord, RemovalRecord

__all__ = ["CommentsPage", "parse_comments"]

PUBLISHED = "published"


@dataclass(frozen=True, kw_only=True)
class CommentsPage:
    """One page of /comments/post/ID/ or /comments/ID/replies/."""

    comments: tuple[CommentRecord, ...]  # published comments and the replies embedded with them
    tombstones: tuple[RemovalRecord, ...]  # hidden/deleted comments shown, in Ghost's status
    # Top-level comments with more published replies than were embedded (Ghost embeds
    # three): their /replies/ pages hold the rest.
    more_replies: tuple[str, ...]
    unread: tuple[UnreadComment, ...]
    page: int
    pages: int
    total: int | None  # meta.pagination.total: top-level comments (or replies) in all pages
    # Fewer items than the pagination promises this page (a comment gone between the
    # count and the page): one may have moved to a page already fetched.
    short: bool = False


def _json(page: Page) -> dict[str, Any]:
    if page.status != 200:
        raise ValueError(f"HTTP {page.status}")
    data = json_body(page)
    if not isinstance(data, dict):
        raise ValueError(f"{page.url}: expected a JSON object, got {type(data).__name__}")  # noqa: TRY004
    return data


def _int(value: Any, default: int | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def parse_comments(page: Page, *, top_level: str | None = None, records: bool = True) -> CommentsPage:
    """A page of comments. `top_level`: the comment whose replies these are (a /replies/
    page), which is then their group and, without `in_reply_to_id`, their parent.
    `records=False`: the pagination and the replies still to fetch only (a glimpse), no
    comment's HTML parsed."""
    data = _json(page)
    items = data.get("comments")
    if not isinstance(items, list):
        raise ValueError(f"{page.url}: no 'comments' list in the response")  # noqa: TRY004
    pagination = (data.get("meta") or {}).get("pagination") or {}
    comments: list[CommentRecord] = []
    tombstones: list[RemovalRecord] = []
    unread: list[UnreadComment] = []
    more: list[str] = []

    def take(item: Any, group: str | None) -> None:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ValueError(f"{page.url}: a comment without an id")  # noqa: TRY004
        status = item.get("status") or PUBLISHED
        if status != PUBLISHED:
            tombstones.append(RemovalRecord(external_id=item["id"], removed_as=str(status)))
            return
        if not records:
            return
        record = _record(item, group, len(comments))
        if isinstance(record, UnreadComment):
            unread.append(record)
        else:
            comments.append(record)

    for item in items:
        take(item, top_level)
        if top_level is not None or not isinstance(item, dict):
            continue
        replies = item.get("replies") or []
        for reply in replies if isinstance(replies, list) else []:
            take(reply, item.get("id"))
        count = _int((item.get("count") or {}).get("replies"), 0) or 0
        embedded = sum(1 for r in replies if isinstance(r, dict) and (r.get("status") or PUBLISHED) == PUBLISHED)
        if count > embedded:
            more.append(item["id"])
    number = _int(pagination.get("page"), 1) or 1
    pages = _int(pagination.get("pages"), 1) or 1
    total = _int(pagination.get("total"), None)
    limit = _int(pagination.get("limit"), None)
    short = False
    if total is not None and limit:
        promised = limit if number < pages else total - (pages - 1) * limit
        short = len(items) < promised
    return CommentsPage(
        comments=tuple(comments), tombstones=tuple(tombstones), more_replies=tuple(more),
        unread=tuple(unread), page=number, pages=pages, total=total, short=short,
    )


def _record(item: dict[str, Any], group: str | None, position: int) -> CommentRecord | UnreadComment:
    """A published comment; `group`: the top-level comment a reply sits under."""
    member = item.get("member") if isinstance(item.get("member"), dict) else None
    name = " ".join(str(member.get("name") or "").split()) if member else ""
    raw_html = item.get("html")
    html = raw_html if isinstance(raw_html, str) else ""
    content = parse_fragment(html) if html.strip() else None
    missing = tuple(m for m, ok in (("author", name), ("text", content is not None)) if not ok)
    if missing:
        # Ghost shows a member without a name as "Anonymous" and a deleted member as such;
        # neither is a name palimpsest can vouch for: the comment is a problem, not a record.
        return UnreadComment(external_id=item["id"], missing=missing)
    in_reply_to = item.get("in_reply_to_id")
    parent = in_reply_to if isinstance(in_reply_to, str) and in_reply_to else group
    record = comment_record(
        external_id=item["id"], author_raw=name, author_url=None,
        published_raw=item.get("created_at") if isinstance(item.get("created_at"), str) else None,
        parent_id=parent, content=content, page=None, position=position,
    )
    assert member is not None
    member_id = member.get("uuid") or member.get("id")
    return replace(record, author_external_id=str(member_id) if member_id else None, **stated_edit(item))
