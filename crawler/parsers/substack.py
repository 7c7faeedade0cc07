"""Substack's public API responses (archive, post, comment tree) as archive records.

    /api/v1/archive?sort=new&offset=N&limit=M   a page of the publication's posts
    /api/v1/posts/<slug>                        one post: id, title, body_html, bylines
    /api/v1/post/<id>/comments?all_comments=true&sort=oldest_first
                                                the whole comment tree, nested by `children`

A comment's `body` is plain text: it becomes HTML here (escaped, blank lines as
paragraphs, line breaks as <br>), so the normalizer reads its leading @-replies as on
any other platform. A deleted or flagged comment keeps its place in the tree with
`body` and `name` null: it is no record (it has no text), it is counted as withheld
(the post's comment_count includes it), and its replies still name it as their parent;
it is a removal in Substack's word, "deleted" (`deleted` true) or its `status`
("flagged"). A null-body node that says neither is only withheld. `edited_at` (null
until an edit) says an edit and its time.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
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
from crawler.parsers.unread import UnreadComment
from crawler.parsers.wordpress_common import comment_record, stated_edit
from storage.records import CommentRecord, PostRecord, RemovalRecord

__all__ = [
    "ArchivePage",
    "CommentTree",
    "SubstackPost",
    "parse_archive",
    "parse_comments",
    "parse_post",
    "text_to_html",
]

# `audience` values of a post only paying subscribers read in full (and comment on).
PAID_AUDIENCES = frozenset({"only_paid", "founding"})
_BLANK_LINES = re.compile(r"\n\s*\n")


@dataclass(frozen=True, kw_only=True)
class ArchivePage:
    """One page of /api/v1/archive: the posts' slugs, in the order given."""

    slugs: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class SubstackPost:
    """A post from /api/v1/posts/<slug>, with what its thread needs."""

    record: PostRecord
    comment_count: int | None
    audience: str  # "everyone", "only_paid", "founding", ...


@dataclass(frozen=True, kw_only=True)
class CommentTree:
    """A post's comments, in tree order (a parent before its replies, oldest first)."""

    comments: tuple[CommentRecord, ...]
    withheld: tuple[str, ...]  # ids of deleted or flagged placeholders
    unread: tuple[UnreadComment, ...]
    removals: tuple[RemovalRecord, ...] = ()  # the placeholders that say how they went


def parse_archive(page: Page) -> ArchivePage:
    """The slugs of one /api/v1/archive page. ValueError if the body is not that list."""
    data = json_body(page)
    if not isinstance(data, list):
        raise ValueError(f"{page.url}: expected a JSON list of posts, got {type(data).__name__}")  # noqa: TRY004
    return ArchivePage(slugs=tuple(str(p["slug"]) for p in data if isinstance(p, dict) and p.get("slug")))


def parse_post(page: Page) -> SubstackPost:
    """The post of a /api/v1/posts/<slug> response. ValueError without an id or title."""
    data = json_body(page)
    if not isinstance(data, dict) or "id" not in data or not data.get("title"):
        raise ValueError(f"{page.url}: no post (id and title) in the response")
    bylines = [b for b in data.get("publishedBylines") or [] if isinstance(b, dict) and b.get("name")]
    author_raw = " ".join(str(bylines[0]["name"]).split()) if bylines else ""
    author_id = str(bylines[0]["id"]) if bylines and bylines[0].get("id") is not None else None
    body = parse_fragment(data.get("body_html") or "")
    tags = sorted({str(t["name"]) for t in data.get("postTags") or [] if isinstance(t, dict) and t.get("name")},
                  key=lambda n: (n.casefold(), n))
    count = data.get("comment_count")
    record = PostRecord(
        external_id=str(data["id"]),
        url=data.get("canonical_url") or page.url,
        title=fragment_text(str(data["title"])),
        author_raw=author_raw,
        author_key=author_key(author_raw),
        author_external_id=author_id,
        author_url=_profile_url(bylines[0].get("id"), bylines[0].get("handle")) if bylines else None,
        published_raw=data.get("post_date"),
        published_at=parse_time(data.get("post_date")),
        modified_raw=data.get("updated_at"),
        modified_at=parse_time(data.get("updated_at")),
        tags=tuple(tags),
        body_html=inner_html(body),
        body_text=visible_text(body),
        comment_count_displayed=count if isinstance(count, int) else None,
    )
    return SubstackPost(record=record, comment_count=record.comment_count_displayed,
                        audience=str(data.get("audience") or "everyone"))


def parse_comments(page: Page) -> CommentTree:
    """The comment tree of a /api/v1/post/<id>/comments response, flattened in tree order."""
    data = json_body(page)
    roots = data.get("comments") if isinstance(data, dict) else None
    if not isinstance(roots, list):
        raise ValueError(f"{page.url}: no `comments` list in the response")  # noqa: TRY004 - bad input
    comments: list[CommentRecord] = []
    withheld: list[str] = []
    unread: list[UnreadComment] = []
    removals: list[RemovalRecord] = []
    for node, parent in _walk(roots, None):
        cid = str(node["id"])
        body, name = node.get("body"), node.get("name")
        word = "deleted" if node.get("deleted") else (
            str(node["status"]) if node.get("status") not in (None, "ok") else None)
        if body is None and (word is not None or name is None):
            withheld.append(cid)  # a deletion or a moderation: its place, not a record
            if word is not None:
                removals.append(RemovalRecord(external_id=cid, removed_as=word))
            continue
        missing = tuple(part for part, value in (("author", name), ("text", body))
                        if not isinstance(value, str) or not value.strip())
        if missing:
            unread.append(UnreadComment(external_id=cid, missing=missing))
            continue
        record = comment_record(
            external_id=cid,
            author_raw=str(name),
            author_url=_profile_url(node.get("user_id"), node.get("handle")),
            published_raw=node.get("date"),
            parent_id=parent,
            content=parse_fragment(text_to_html(str(body))),
            page=None,
            position=len(comments),
        )
        comments.append(replace(record, **stated_edit(node)))
    return CommentTree(comments=tuple(comments), withheld=tuple(withheld), unread=tuple(unread),
                       removals=tuple(removals))


def _walk(nodes: list[Any], parent: str | None) -> Iterator[tuple[dict[str, Any], str | None]]:
    """Each comment with its parent's id, parents first; `children` carries the nesting
    (`ancestor_path` says the same, with "/" or "." between ids, so it is not needed)."""
    for node in nodes:
        if not isinstance(node, dict) or node.get("id") is None:
            continue
        yield node, parent
        yield from _walk(node.get("children") or [], str(node["id"]))


def text_to_html(text: str) -> str:
    """A plain-text comment as HTML: escaped, blank lines as paragraphs, newlines as <br>."""
    paragraphs = [p.strip() for p in _BLANK_LINES.split(text.replace("\r\n", "\n")) if p.strip()]
    return "".join(f"<p>{html.escape(p, quote=False).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def _profile_url(user_id: Any, handle: Any) -> str | None:
    """The commenter's Substack profile (substack.com/profile/<user id>-<handle>)."""
    if user_id is None:
        return None
    return f"https://substack.com/profile/{user_id}-{handle}" if handle else f"https://substack.com/profile/{user_id}"
