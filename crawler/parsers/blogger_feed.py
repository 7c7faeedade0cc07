"""Blogger's feeds (GData, Atom or `alt=json`): a blog's posts, a post's comments, the blog's newest comments.

    parse_posts_feed(page) -> PostsFeed          /feeds/posts/default
    parse_comment_feed(page) -> CommentFeed      /feeds/<postId>/comments/default
    parse_activity_feed(page) -> ActivityFeed    /feeds/comments/default

Both encodings are read into one plain entry shape first (`_Entry`), so the records are
built in one place. Ids come from `entry.id` (`tag:blogger.com,1999:blog-<blogId>.post-<id>`,
the id being the post's or the comment's); a comment's threaded parent is the `related`
link ending in `/comments/default/<parentId>` (`thr:in-reply-to` names the post); a
comment with `gd:extendedProperty blogger.contentRemoved = true` is deleted: it is
named in `removed`, never made a record with the site's "removed" notice as its text.
Facts: /work/shared/research/platforms.md (Blogger row). Pure.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from crawler.normalize.authors import author_key
from crawler.page import Page
from crawler.parsers.htmltext import parse_fragment, parse_time, visible_text
from crawler.parsers.unread import UnreadComment
from crawler.parsers.wordpress_common import comment_record
from storage.records import CommentRecord, PostRecord

__all__ = [
    "ActivityFeed", "CommentFeed", "PostsFeed", "entry_ids", "parse_activity_feed",
    "parse_comment_feed", "parse_posts_feed",
]

ENTRY_ID = re.compile(r"blog-(\d+)\.post-(\d+)")
# The related link of a reply: .../feeds/<postId>/comments/default/<parentId>
PARENT_HREF = re.compile(r"/comments/default/(\d+)(?:[?#]|$)")
REMOVED = "blogger.contentRemoved"
_FINGERPRINT_VERSION = b"blogger-feed-v1\0"
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_ATOM = "{http://www.w3.org/2005/Atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearchrss/1.0/}"
_GD = "{http://schemas.google.com/g/2005}"
_THR = "{http://purl.org/syndication/thread/1.0}"


@dataclass(frozen=True, kw_only=True)
class _Entry:
    """One feed entry, whichever encoding it came in."""

    ident: str
    title: str
    links: tuple[tuple[str, str], ...]  # (rel, href)
    author_name: str | None
    author_uri: str | None
    published: str | None
    updated: str | None
    content: str | None
    categories: tuple[str, ...]
    props: dict[str, str]  # gd:extendedProperty name -> value
    in_reply_to: str | None  # thr:in-reply-to ref (the post's tag id)
    total: int | None  # thr:total: a post's comment count


@dataclass(frozen=True, kw_only=True)
class _Feed:
    entries: tuple[_Entry, ...]
    total: int | None
    start_index: int | None
    per_page: int | None
    next_url: str | None


@dataclass(frozen=True, kw_only=True)
class PostsFeed:
    posts: tuple[PostRecord, ...]
    total: int | None
    next_url: str | None


@dataclass(frozen=True, kw_only=True)
class CommentFeed:
    """One page of a post's comment feed."""

    comments: tuple[CommentRecord, ...]
    removed: tuple[str, ...]  # ids of deleted comments (blogger.contentRemoved)
    unread: tuple[UnreadComment, ...]
    total: int | None  # openSearch:totalResults
    start_index: int  # openSearch:startIndex (1-based)
    entries: int  # entries on this page, removed ones too
    fingerprint: str


@dataclass(frozen=True, kw_only=True)
class ActivityFeed:
    comments: tuple[tuple[str, datetime], ...]  # (post id, published)
    total: int | None
    per_page: int | None


def entry_ids(ident: str) -> tuple[str, str] | None:
    """(blog id, post or comment id) of a feed entry id, or None."""
    m = ENTRY_ID.search(ident)
    return (m.group(1), m.group(2)) if m else None


# --- the two encodings ------------------------------------------------------------


def _read(page: Page) -> _Feed:
    if page.status != 200:
        raise ValueError(f"{page.url}: HTTP {page.status}")
    head = page.body.lstrip()[:1]
    if head == b"{":
        return _read_json(page)
    if head != b"<":
        raise ValueError(f"{page.url}: not a Blogger feed (neither Atom nor JSON)")
    return _read_atom(page)


def _read_atom(page: Page) -> _Feed:
    try:
        root = etree.fromstring(page.body, parser=_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"{page.url}: not a Blogger feed ({exc})") from None
    if root is None or root.tag != f"{_ATOM}feed":
        raise ValueError(f"{page.url}: not an Atom feed")
    entries = tuple(_atom_entry(e) for e in root.iter(f"{_ATOM}entry"))
    nxt = next((link.get("href") for link in root.findall(f"{_ATOM}link") if link.get("rel") == "next"), None)
    return _Feed(entries=entries, total=_int(root.findtext(f"{_OPENSEARCH}totalResults")),
                 start_index=_int(root.findtext(f"{_OPENSEARCH}startIndex")),
                 per_page=_int(root.findtext(f"{_OPENSEARCH}itemsPerPage")), next_url=nxt)


def _atom_entry(e: etree._Element) -> _Entry:
    author = e.find(f"{_ATOM}author")
    reply = e.find(f"{_THR}in-reply-to")
    return _Entry(
        ident=(e.findtext(f"{_ATOM}id") or "").strip(),
        title=(e.findtext(f"{_ATOM}title") or "").strip(),
        links=tuple((link.get("rel") or "alternate", link.get("href") or "") for link in e.findall(f"{_ATOM}link")),
        author_name=author.findtext(f"{_ATOM}name") if author is not None else None,
        author_uri=author.findtext(f"{_ATOM}uri") if author is not None else None,
        published=e.findtext(f"{_ATOM}published"),
        updated=e.findtext(f"{_ATOM}updated"),
        content=e.findtext(f"{_ATOM}content"),
        categories=tuple(c.get("term") or "" for c in e.findall(f"{_ATOM}category") if c.get("term")),
        props={p.get("name") or "": p.get("value") or "" for p in e.findall(f"{_GD}extendedProperty")},
        in_reply_to=reply.get("ref") if reply is not None else None,
        total=_int(e.findtext(f"{_THR}total")),
    )


def _t(node: Any) -> str | None:
    """GData JSON's text: {"$t": "..."}."""
    if isinstance(node, dict):
        value = node.get("$t")
        return str(value) if value is not None else None
    return None


def _read_json(page: Page) -> _Feed:
    try:
        data = json.loads(page.body)
    except ValueError as exc:
        raise ValueError(f"{page.url}: not a Blogger JSON feed ({exc})") from None
    feed = data.get("feed") if isinstance(data, dict) else None
    if not isinstance(feed, dict):
        raise ValueError(f"{page.url}: no 'feed' object in the JSON")  # noqa: TRY004 - bad input, not a bug
    entries = tuple(_json_entry(e) for e in feed.get("entry") or () if isinstance(e, dict))
    nxt = next((link.get("href") for link in feed.get("link") or ()
                if isinstance(link, dict) and link.get("rel") == "next"), None)
    return _Feed(entries=entries, total=_int(_t(feed.get("openSearch$totalResults"))),
                 start_index=_int(_t(feed.get("openSearch$startIndex"))),
                 per_page=_int(_t(feed.get("openSearch$itemsPerPage"))), next_url=nxt)


def _json_entry(e: dict[str, Any]) -> _Entry:
    authors = [a for a in e.get("author") or () if isinstance(a, dict)]
    reply = e.get("thr$in-reply-to")
    return _Entry(
        ident=(_t(e.get("id")) or "").strip(),
        title=(_t(e.get("title")) or "").strip(),
        links=tuple((str(link.get("rel") or "alternate"), str(link.get("href") or ""))
                    for link in e.get("link") or () if isinstance(link, dict)),
        author_name=_t(authors[0].get("name")) if authors else None,
        author_uri=_t(authors[0].get("uri")) if authors else None,
        published=_t(e.get("published")),
        updated=_t(e.get("updated")),
        content=_t(e.get("content")) or _t(e.get("summary")),
        categories=tuple(str(c.get("term")) for c in e.get("category") or ()
                         if isinstance(c, dict) and c.get("term")),
        props={str(p.get("name")): str(p.get("value")) for p in e.get("gd$extendedProperty") or ()
               if isinstance(p, dict)},
        in_reply_to=str(reply.get("ref")) if isinstance(reply, dict) and reply.get("ref") else None,
        total=_int(_t(e.get("thr$total"))),
    )


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _link(entry: _Entry, rel: str) -> str | None:
    return next((href for r, href in entry.links if r == rel and href), None)


# --- posts ---------------------------------------------------------------------------


def parse_posts_feed(page: Page) -> PostsFeed:
    """The posts of one page of /feeds/posts/default, and the feed's next page."""
    feed = _read(page)
    posts = []
    for entry in feed.entries:
        ids = entry_ids(entry.ident)
        url = _link(entry, "alternate")
        if ids is None or url is None:
            raise ValueError(f"{page.url}: a post entry without an id or a link ({entry.ident!r})")
        body = parse_fragment(entry.content or "")
        name = " ".join((entry.author_name or "").split())
        posts.append(PostRecord(
            external_id=ids[1], url=url, title=entry.title, author_raw=name,
            author_key=author_key(name) if name else "",
            author_url=entry.author_uri or None,
            published_raw=entry.published, published_at=parse_time(entry.published),
            modified_raw=entry.updated, modified_at=parse_time(entry.updated),
            tags=tuple(sorted(set(entry.categories), key=str.casefold)),
            body_html=entry.content or "", body_text=visible_text(body),
            comment_count_displayed=entry.total,
        ))
    more = feed.next_url if feed.entries else None
    return PostsFeed(posts=tuple(posts), total=feed.total, next_url=more)


# --- comments --------------------------------------------------------------------------


def parse_comment_feed(page: Page) -> CommentFeed:
    """One page of a post's comment feed: its comments in feed order (published), the
    deleted ones' ids, and the thread's total."""
    feed = _read(page)
    start = feed.start_index or 1
    comments: list[CommentRecord] = []
    removed: list[str] = []
    unread: list[UnreadComment] = []
    for n, entry in enumerate(feed.entries):
        ids = entry_ids(entry.ident)
        if ids is None:
            raise ValueError(f"{page.url}: a comment entry without a Blogger id ({entry.ident!r})")
        cid = ids[1]
        if entry.props.get(REMOVED, "").lower() == "true":
            removed.append(cid)
            continue
        name = " ".join((entry.author_name or "").split())
        missing = (*(("author",) if not name else ()),
                   *(("text",) if not (entry.content or "").strip() else ()))
        if missing:
            unread.append(UnreadComment(external_id=cid, missing=missing))
            continue
        comments.append(comment_record(
            external_id=cid, author_raw=name, author_url=entry.author_uri,
            published_raw=entry.published, parent_id=_parent(entry, cid),
            content=parse_fragment(entry.content or ""), page=None, position=start - 1 + n,
        ))
    return CommentFeed(comments=tuple(comments), removed=tuple(removed), unread=tuple(unread),
                       total=feed.total, start_index=start, entries=len(feed.entries),
                       fingerprint=_fingerprint(feed.entries))


def _parent(entry: _Entry, cid: str) -> str | None:
    for rel, href in entry.links:
        if rel == "related":
            m = PARENT_HREF.search(href)
            if m and m.group(1) != cid:
                return m.group(1)
    return None


def _fingerprint(entries: tuple[_Entry, ...]) -> str:
    """The entries' own fields, not the feed's chrome (its `updated`, generator, links):
    an unchanged thread keeps its fingerprint whichever encoding or page it came in."""
    digest = hashlib.sha256(_FINGERPRINT_VERSION)
    for e in entries:
        parent = next((h for r, h in e.links if r == "related"), "")
        for part in (e.ident, e.author_name, e.author_uri, e.published, e.updated, e.content,
                     parent, e.props.get(REMOVED)):
            digest.update((part or "").encode() + b"\0")
    return digest.hexdigest()


# --- the blog's newest comments -----------------------------------------------------------


def parse_activity_feed(page: Page) -> ActivityFeed:
    """(post id, published) of each comment of /feeds/comments/default."""
    feed = _read(page)
    found = []
    for entry in feed.entries:
        post = entry_ids(entry.in_reply_to or "")
        when = parse_time(entry.published)
        if post is not None and when is not None:
            found.append((post[1], when))
    return ActivityFeed(comments=tuple(found), total=feed.total, per_page=feed.per_page)
