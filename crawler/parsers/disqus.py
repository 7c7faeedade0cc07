"""Disqus threads read into records: the embed page's `disqus-threadData` JSON and API 3.0
`threads/listPosts` pages, and the Disqus settings a blog's post page carries.

    embed_config(body) -> EmbedConfig          (forum, identifier, url on the post page)
    parse_embed_page(page) -> DisqusPage       (disqus.com/embed/comments/?...)
    parse_list_posts(page) -> DisqusPage       (api/3.0/threads/listPosts.json)

A Disqus post object (documented by disqus.com/api/docs; field names as in the response
types of public clients, see docs/disqus.md) maps onto a `CommentRecord`: `id` is the
external id, `parent` the threaded parent, `author.name` the author as shown (a guest's
name too), `author.username` the author's external id unless the author is anonymous,
`createdAt` (UTC without a zone suffix) the time, `message` the HTML body (its mention
links, which Disqus writes without the '@', get one), `isEdited` whether it was edited
(Disqus gives no time of the edit). A post with `isSpam` or `isDeleted` is no comment
of the thread as shown: it is counted, left out, and named as a removal in Disqus's
word ("spam" before "deleted"), so that the archive tombstones what it had of it, and
never keeps a spam post as a normal comment. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from crawler.normalize.authors import author_key
from crawler.page import Page
from crawler.parsers.htmltext import Element, inner_html, parse_fragment, parse_time, visible_text
from crawler.parsers.unread import UnreadComment
from storage.records import CommentRecord, RemovalRecord, ReplyRecord

__all__ = ["DisqusPage", "EmbedConfig", "embed_config", "parse_embed_page", "parse_list_posts"]

# The JSON the embed page carries its first page of posts in.
_THREAD_DATA = re.compile(
    rb"""<script[^>]*\bid=["']disqus-threadData["'][^>]*>(.*?)</script>""", re.DOTALL | re.IGNORECASE
)
# Settings on the blog's page, in the forms the embed snippet and the WordPress plugin
# write them: `var disqus_shortname = 'x'`, `this.page.identifier = '...'` inside
# `disqus_config`, and the plugin's `embedVars` JSON ("disqusShortname": "x").
_STRING = r"""(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")"""
_SETTINGS = {
    "forum": re.compile(r"""(?:\bdisqus_shortname\s*=|"disqusShortname"\s*:)\s*""" + _STRING),
    "identifier": re.compile(
        r"""(?:\bdisqus_identifier\s*=|this\.page\.identifier\s*=|"disqusIdentifier"\s*:)\s*""" + _STRING),
    "url": re.compile(r"""(?:\bdisqus_url\s*=|this\.page\.url\s*=|"disqusUrl"\s*:)\s*""" + _STRING),
}
_EMBED_JS = re.compile(r"""//([\w-]+)\.disqus\.com/(?:embed|count)\.js""")
# The post fields a page's fingerprint covers.
_FINGERPRINTED = ("id", "parent", "author", "createdAt", "message", "isDeleted", "isSpam", "isEdited")
# Disqus writes a mention as a link to the profile whose text is the name without its
# '@' (`<a data-dsq-mention="user:disqus" href=".../by/user/">Name</a>`).
_MENTION = etree.XPath("//a[@data-dsq-mention]")


@dataclass(frozen=True, kw_only=True)
class EmbedConfig:
    """What a post page tells the Disqus embed: the forum (shortname), thread identifier, URL."""

    forum: str | None = None
    identifier: str | None = None
    url: str | None = None


@dataclass(frozen=True, kw_only=True)
class DisqusPage:
    """One page of a Disqus thread, read."""

    thread_id: str | None  # Disqus's thread id (the embed page names it)
    comments: tuple[CommentRecord, ...]
    unread: tuple[UnreadComment, ...]
    has_next: bool
    next_cursor: str | None
    total: int | None  # the thread's post count as Disqus states it (thread.posts, cursor.total)
    removals: tuple[RemovalRecord, ...]  # posts marked isSpam or isDeleted, left out: "spam" or "deleted"
    fingerprint: str  # of the posts and cursor: what changes when the thread does

    @property
    def deleted(self) -> int:
        """Posts marked isDeleted (and not isSpam), left out."""
        return sum(r.removed_as == "deleted" for r in self.removals)

    @property
    def spam(self) -> int:
        """Posts marked isSpam, left out."""
        return sum(r.removed_as == "spam" for r in self.removals)


def _unescape(raw: str, single: bool) -> str:
    """A JavaScript/JSON string literal's text (`\\/`, `\\'`, `\\u00e9`)."""
    if single:  # as a double-quoted literal: \\' is ', a bare " needs its backslash
        raw = re.sub(r'(?<!\\)"', '\\\\"', raw.replace("\\'", "'"))
    try:
        return str(json.loads(f'"{raw}"'))
    except ValueError:
        return raw.replace("\\/", "/")


def embed_config(body: bytes) -> EmbedConfig:
    """The Disqus settings of a post page (None for what it does not say)."""
    text = body.decode("utf-8", "replace")
    found: dict[str, str | None] = {}
    for name, pattern in _SETTINGS.items():
        m = pattern.search(text)
        if m is None:
            found[name] = None
            continue
        single = m.group(1) is not None
        found[name] = _unescape(m.group(1) if single else m.group(2), single).strip() or None
    if found["forum"] is None:
        m = _EMBED_JS.search(text)
        found["forum"] = m.group(1) if m else None
    return EmbedConfig(forum=found["forum"], identifier=found["identifier"], url=found["url"])


def _json(page: Page, data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{page.url}: Disqus JSON not readable ({exc})") from None
    if not isinstance(value, dict):
        raise ValueError(f"{page.url}: Disqus JSON is a {type(value).__name__}, not an object")  # noqa: TRY004 - bad input, the parsers' one error
    code = value.get("code", 0)
    if code not in (0, None):
        raise ValueError(f"{page.url}: Disqus error code {code}: {value.get('response')!r}")
    return value


def parse_embed_page(page: Page) -> DisqusPage:
    """The embed page's first page of posts. ValueError when it has no thread data."""
    m = _THREAD_DATA.search(page.body)
    if m is None:
        raise ValueError(f"{page.url}: no disqus-threadData script on the embed page")
    data = _json(page, m.group(1))
    response = data.get("response")
    if not isinstance(response, dict) or not isinstance(response.get("thread"), dict):
        raise ValueError(f"{page.url}: disqus-threadData has no response.thread")  # noqa: TRY004
    thread = response["thread"]
    cursor = data.get("cursor") or response.get("cursor") or {}
    total = thread.get("posts") if isinstance(thread.get("posts"), int) else cursor.get("total")
    return _page(page, response.get("posts") or [], cursor, str(thread["id"]) if thread.get("id") else None,
                 total if isinstance(total, int) else None)


def parse_list_posts(page: Page) -> DisqusPage:
    """One page of threads/listPosts.json. ValueError when it is not that response."""
    data = _json(page, page.body)
    posts = data.get("response")
    if not isinstance(posts, list):
        raise ValueError(f"{page.url}: listPosts response is not a list of posts")  # noqa: TRY004
    cursor = data.get("cursor") or {}
    total = cursor.get("total")
    return _page(page, posts, cursor, None, total if isinstance(total, int) else None)


def _page(page: Page, posts: list[Any], cursor: dict[str, Any], thread_id: str | None,
          total: int | None) -> DisqusPage:
    comments: list[CommentRecord] = []
    unread: list[UnreadComment] = []
    removals: list[RemovalRecord] = []
    for item in posts:
        if not isinstance(item, dict) or item.get("id") in (None, ""):
            raise ValueError(f"{page.url}: a Disqus post without an id")
        word = "spam" if item.get("isSpam") else "deleted" if item.get("isDeleted") else None
        if word is not None:
            removals.append(RemovalRecord(external_id=str(item["id"]), removed_as=word))
            continue
        record = _comment(item, len(comments))
        if isinstance(record, UnreadComment):
            unread.append(record)
        else:
            comments.append(record)
    has_next = bool(cursor.get("hasNext"))
    next_cursor = cursor.get("next") if has_next and isinstance(cursor.get("next"), str) else None
    # Only what the archive keeps: a new like or vote is no reason to read the thread again.
    kept = [{k: p.get(k) for k in _FINGERPRINTED} for p in posts if isinstance(p, dict)]
    digest = hashlib.sha256(b"disqus-v1\0")
    digest.update(json.dumps([kept, has_next, next_cursor, total], sort_keys=True).encode("utf-8"))
    return DisqusPage(thread_id=thread_id, comments=tuple(comments), unread=tuple(unread),
                      has_next=has_next, next_cursor=next_cursor, total=total, removals=tuple(removals),
                      fingerprint=digest.hexdigest())


def _with_at_signs(body: Element) -> Element:
    """Each mention link's text opened by '@', as the shared normalizer reads @-replies and
    mentions (crawler.normalize.replies) in every platform's bodies alike."""
    for link in _MENTION(body):
        if not (link.text or "").lstrip().startswith("@"):
            link.text = "@" + (link.text or "").lstrip()
    return body


def _comment(item: dict[str, Any], position: int) -> CommentRecord | UnreadComment:
    external_id = str(item["id"])
    found_author, found_message = item.get("author"), item.get("message")
    author: dict[str, Any] = found_author if isinstance(found_author, dict) else {}
    name = " ".join(str(author.get("name") or "").split())
    message = found_message if isinstance(found_message, str) else ""
    body = _with_at_signs(parse_fragment(message))
    text = visible_text(body)
    missing = tuple(what for what, ok in (("author", name), ("text", text.strip())) if not ok)
    if missing:
        return UnreadComment(external_id=external_id, missing=missing)
    parent = str(item["parent"]) if item.get("parent") not in (None, "", 0) else None
    username = author.get("username") if not author.get("isAnonymous") else None
    created = item.get("createdAt") if isinstance(item.get("createdAt"), str) else None
    replies = () if parent is None else (ReplyRecord(
        ordinal=0, kind="threaded", target_kind="comment", target_external_id=parent, resolved_by="markup"),)
    return CommentRecord(
        external_id=external_id,
        author_raw=name,
        author_key=author_key(name),
        author_url=(author.get("profileUrl") or None) if not author.get("isAnonymous") else None,
        author_external_id=str(username) if username else None,
        published_raw=created,
        published_at=parse_time(created),  # Disqus writes UTC without a zone suffix
        threaded_parent_external_id=parent,
        parent_external_id=parent,
        body_html=inner_html(body),
        body_text=text,
        own_text=text,  # the normalizer removes quotes and @-prefixes later
        position=position,
        replies=replies,
        edited=bool(item["isEdited"]) if "isEdited" in item else None,
    )
