"""Discourse's public JSON (topic lists, topics, post chunks) as archive records.

    /latest.json, /c/<slug>/<id>.json         topic_list.topics[], more_topics_url
    /t/<id>.json                              the topic: post_stream.posts (first chunk),
                                              post_stream.stream (every post id), posts_count
    /t/<id>/posts.json?post_ids[]=...         a further chunk of posts

Post #1 is the topic's post (the PostRecord, external id = the topic id); every other
regular post is a comment whose external id is its `post_number`: Discourse's own
permalink (/t/<slug>/<topic>/<n>) and the number that `reply_to_post_number` and a
quote's `data-post` name, so parents and quotes resolve within any chunk. The author is
the `username` (what Discourse shows first by default, and what @-mentions name).
A deleted, withdrawn (`user_deleted`) or hidden post is a placeholder: no record, but a
place in the topic's count, and a removal in Discourse's word ("user_deleted" before
"deleted" before "hidden"); a small action ("closed the topic", post_type 3) is a
placeholder too, and no removal. `version` above 1 marks a post edited; Discourse's
`updated_at` moves on other changes too, so no edit time is taken from it.
`cooked` is the HTML body; each `aside.quote` becomes a plain blockquote citing the post
it quotes, without the quoted name's title line, so the normalizer attributes it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from crawler.normalize.authors import author_key
from crawler.page import Page, json_body
from crawler.parsers.htmltext import (
    Element,
    fragment_text,
    inner_html,
    parse_fragment,
    parse_time,
    visible_text,
)
from crawler.parsers.unread import UnreadComment
from crawler.parsers.wordpress_common import comment_record
from storage.records import CommentRecord, PostRecord, RemovalRecord

__all__ = ["PostChunk", "TopicList", "TopicPage", "parse_chunk", "parse_topic", "parse_topic_list"]

SMALL_ACTION = 3  # post_type of "closed the topic", "split this topic": no one's comment
_QUOTES = etree.XPath("//aside[contains(concat(' ', normalize-space(@class), ' '), ' quote ')]")
_TITLES = etree.XPath("./div[contains(concat(' ', normalize-space(@class), ' '), ' title ')]")


@dataclass(frozen=True, kw_only=True)
class TopicList:
    """One page of a topic list: the topics' (id, slug), and the next page's path."""

    topics: tuple[tuple[int, str], ...]
    more: str | None


@dataclass(frozen=True, kw_only=True)
class PostChunk:
    """Posts of one response read: comments, placeholders withheld, items not read."""

    comments: tuple[CommentRecord, ...]
    withheld: tuple[str, ...]
    unread: tuple[UnreadComment, ...]
    removals: tuple[RemovalRecord, ...] = ()  # the withheld posts removed, in Discourse's word


@dataclass(frozen=True, kw_only=True)
class TopicPage:
    """/t/<id>.json read: the topic's post, its first chunk, and every post id."""

    post: PostRecord | None  # None when post #1 is not shown (deleted, or not in the chunk)
    chunk: PostChunk
    stream: tuple[int, ...]  # every post id of the topic, in order
    shown: tuple[int, ...]  # the ids of the posts this response holds
    posts_count: int | None


def parse_topic_list(page: Page) -> TopicList:
    """Topics of a /latest.json or /c/<slug>/<id>.json response."""
    data = json_body(page)
    listing = data.get("topic_list") if isinstance(data, dict) else None
    if not isinstance(listing, dict) or not isinstance(listing.get("topics"), list):
        raise ValueError(f"{page.url}: no topic_list.topics in the response")  # noqa: TRY004 - bad input
    topics = tuple((int(t["id"]), str(t.get("slug") or "topic")) for t in listing["topics"]
                   if isinstance(t, dict) and isinstance(t.get("id"), int))
    more = listing.get("more_topics_url")
    return TopicList(topics=topics, more=more if isinstance(more, str) and more else None)


def _posts(data: Any, url: str) -> list[dict[str, Any]]:
    stream = data.get("post_stream") if isinstance(data, dict) else None
    posts = stream.get("posts") if isinstance(stream, dict) else None
    if not isinstance(posts, list):
        raise ValueError(f"{url}: no post_stream.posts in the response")  # noqa: TRY004 - bad input
    return [p for p in posts if isinstance(p, dict) and isinstance(p.get("post_number"), int)]


def parse_topic(page: Page, forum: str) -> TopicPage:
    """The topic, its first chunk of posts and its stream. ValueError if not a topic."""
    data = json_body(page)
    posts = _posts(data, page.url)
    if "id" not in data or not data.get("title"):
        raise ValueError(f"{page.url}: no topic (id and title) in the response")
    stream = data["post_stream"].get("stream") or []
    first = next((p for p in posts if p["post_number"] == 1 and not _withheld(p)), None)
    post = _post_record(data, first, forum) if first is not None else None
    count = data.get("posts_count")
    return TopicPage(
        post=post, chunk=_chunk([p for p in posts if p["post_number"] != 1], forum),
        stream=tuple(i for i in stream if isinstance(i, int)),
        shown=tuple(p["id"] for p in posts if isinstance(p.get("id"), int)),
        posts_count=count if isinstance(count, int) else None,
    )


def parse_chunk(page: Page, forum: str) -> PostChunk:
    """The comments of a /t/<id>/posts.json?post_ids[]=... response."""
    return _chunk([p for p in _posts(json_body(page), page.url) if p["post_number"] != 1], forum)


def _withheld(p: dict[str, Any]) -> bool:
    return _removed_as(p) is not None or p.get("post_type") == SMALL_ACTION


def _removed_as(p: dict[str, Any]) -> str | None:
    """Discourse's word for how a post went: withdrawn by its author, deleted, hidden."""
    if p.get("user_deleted"):
        return "user_deleted"
    if p.get("deleted_at"):
        return "deleted"
    return "hidden" if p.get("hidden") else None


def _edited(p: dict[str, Any]) -> bool | None:
    version = p.get("version")
    return version > 1 if isinstance(version, int) and not isinstance(version, bool) else None


def _chunk(posts: list[dict[str, Any]], forum: str) -> PostChunk:
    comments: list[CommentRecord] = []
    withheld: list[str] = []
    unread: list[UnreadComment] = []
    removals: list[RemovalRecord] = []
    for p in posts:
        number = str(p["post_number"])
        if _withheld(p):
            withheld.append(number)
            word = _removed_as(p)
            if word is not None:
                removals.append(RemovalRecord(external_id=number, removed_as=word))
            continue
        username, cooked = p.get("username"), p.get("cooked")
        missing = tuple(part for part, value in (("author", username), ("text", cooked))
                        if not isinstance(value, str) or not value.strip())
        if missing:
            unread.append(UnreadComment(external_id=number, missing=missing))
            continue
        parent = p.get("reply_to_post_number")
        comments.append(replace(comment_record(
            external_id=number,
            author_raw=str(username),
            author_url=urljoin(forum, f"u/{username}"),
            published_raw=p.get("created_at"),
            # A reply to post #1 answers the topic itself: no parent comment.
            parent_id=str(parent) if isinstance(parent, int) and parent > 1 else None,
            content=_body(str(cooked), forum),
            page=None,
            position=p["post_number"],
        ), edited=_edited(p)))
    return PostChunk(comments=tuple(comments), withheld=tuple(withheld), unread=tuple(unread),
                     removals=tuple(removals))


def _body(cooked: str, forum: str) -> Element:
    """`cooked`, each `aside.quote` made the blockquote it holds, citing the quoted post."""
    body = parse_fragment(cooked)
    for aside in _QUOTES(body):
        for title in _TITLES(aside):
            aside.remove(title)
        topic, number = aside.get("data-topic"), aside.get("data-post")
        aside.tag = "blockquote"
        inner = aside.find("blockquote")
        if inner is not None:  # the aside's own blockquote: its children move up one level
            index = list(aside).index(inner)
            aside.remove(inner)
            for offset, child in enumerate(inner):
                aside.insert(index + offset, child)
        for name in list(aside.attrib):
            del aside.attrib[name]
        if topic and number:
            aside.set("cite", urljoin(forum, f"t/{topic}/{number}"))
    return body


def _post_record(topic: dict[str, Any], first: dict[str, Any], forum: str) -> PostRecord:
    username = str(first.get("username") or "")
    body = _body(str(first.get("cooked") or ""), forum)
    tags = sorted({t if isinstance(t, str) else str(t.get("name", "")) for t in topic.get("tags") or []} - {""},
                  key=lambda n: (n.casefold(), n))
    count = topic.get("posts_count")
    return PostRecord(
        external_id=str(topic["id"]),
        url=urljoin(forum, f"t/{topic.get('slug') or 'topic'}/{topic['id']}"),
        title=fragment_text(str(topic.get("fancy_title") or topic["title"])),
        author_raw=username,
        author_key=author_key(username),
        author_external_id=username or None,
        author_url=urljoin(forum, f"u/{username}") if username else None,
        published_raw=first.get("created_at"),
        published_at=parse_time(first.get("created_at")),
        modified_raw=first.get("updated_at"),
        modified_at=parse_time(first.get("updated_at")),
        tags=tuple(tags),
        body_html=inner_html(body),
        body_text=visible_text(body),
        comment_count_displayed=count - 1 if isinstance(count, int) and count > 0 else None,
    )
