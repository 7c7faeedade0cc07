"""A Discourse forum as test data, and the JSON bodies its public endpoints give for it.

Field names and shapes follow the sources in tests/discourse/README.md; values are ours.
As for an anonymous reader: a post deleted by staff (`deleted_at`) is gone from the
stream, one its author withdrew (`user_deleted`) or the community hid (`hidden`) stays
in place with a placeholder body.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

__all__ = ["DPost", "DTopic", "Forum", "chunk_body", "demo_forum", "latest_body", "topic_body"]

CHUNK = 20
_views = itertools.count(100)  # every read of a topic counts a view, as Discourse does
WITHDRAWN = "<p>(post withdrawn by author, will be automatically deleted in 24 hours unless flagged)</p>"


@dataclass
class DPost:
    id: int
    number: int
    username: str
    cooked: str
    created_at: str
    name: str = ""
    reply_to: int | None = None
    version: int = 1
    updated_at: str | None = None
    deleted_at: str | None = None
    user_deleted: bool = False
    hidden: bool = False
    post_type: int = 1


@dataclass
class DTopic:
    id: int
    slug: str
    title: str
    posts: list[DPost] = field(default_factory=list)
    tags: tuple[str, ...] = ()
    category_id: int = 5


@dataclass
class Forum:
    base_url: str = "https://forum.example/"
    topics: dict[int, DTopic] = field(default_factory=dict)
    per_page: int = 2  # topics per /latest.json page, small to exercise `more_topics_url`


def _visible(topic: DTopic) -> list[DPost]:
    return [p for p in sorted(topic.posts, key=lambda p: p.number) if p.deleted_at is None]


def _post(forum: Forum, topic: DTopic, p: DPost) -> dict[str, Any]:
    cooked = WITHDRAWN if p.user_deleted else ("" if p.hidden else p.cooked)
    return {
        "id": p.id, "name": p.name, "username": p.username,
        "avatar_template": f"/user_avatar/forum.example/{p.username.lower()}/{{size}}/1_2.png",
        "created_at": p.created_at, "cooked": cooked, "post_number": p.number, "post_type": p.post_type,
        "posts_count": len(_visible(topic)), "updated_at": p.updated_at or p.created_at, "reply_count": 0,
        "reply_to_post_number": p.reply_to, "quote_count": 0, "incoming_link_count": 0,
        "reads": next(_views), "readers_count": 3, "score": 1.2, "yours": False,
        "topic_id": topic.id, "topic_slug": topic.slug, "display_username": p.name,
        "primary_group_name": None, "flair_name": None, "version": p.version, "can_edit": False,
        "can_delete": False, "can_recover": False, "can_see_hidden_post": False, "can_wiki": False,
        "read": True, "user_title": None, "bookmarked": False, "actions_summary": [],
        "moderator": False, "admin": False, "staff": False, "user_id": 1000 + sum(map(ord, p.username)),
        "hidden": p.hidden, "cooked_hidden": p.hidden, "trust_level": 1, "deleted_at": p.deleted_at,
        "user_deleted": p.user_deleted, "edit_reason": None, "can_view_edit_history": True, "wiki": False,
        "mentioned_users": [], "post_url": f"/t/{topic.slug}/{topic.id}/{p.number}",
        **({"action_code": "closed.enabled"} if p.post_type == 3 else {}),
    }


def topic_body(forum: Forum, topic: DTopic) -> dict[str, Any]:
    """A /t/<id>.json response: the first chunk of posts, every id in `stream`."""
    visible = _visible(topic)
    return {
        "post_stream": {"posts": [_post(forum, topic, p) for p in visible[:CHUNK]],
                        "stream": [p.id for p in visible]},
        "timeline_lookup": [[1, 0]], "suggested_topics": [], "tags": list(topic.tags),
        "tags_descriptions": {}, "id": topic.id, "title": topic.title, "fancy_title": topic.title,
        "posts_count": len(visible), "created_at": visible[0].created_at if visible else None,
        "views": next(_views), "reply_count": 0, "like_count": 0, "visible": True, "closed": False,
        "archived": False, "archetype": "regular", "slug": topic.slug, "category_id": topic.category_id,
        "word_count": 100, "deleted_at": None, "user_id": 1, "highest_post_number": max(
            (p.number for p in topic.posts), default=0), "chunk_size": CHUNK, "participant_count": 3,
        "details": {"can_create_post": False, "participants": [], "created_by": {"username": "admin"}},
    }


def chunk_body(forum: Forum, topic: DTopic, ids: list[int]) -> dict[str, Any]:
    """A /t/<id>/posts.json?post_ids[]=... response: the asked posts that are visible."""
    wanted = set(ids)
    return {"post_stream": {"posts": [_post(forum, topic, p) for p in _visible(topic) if p.id in wanted]},
            "id": topic.id}


def latest_body(forum: Forum, page: int, category: int | None = None) -> dict[str, Any]:
    """A /latest.json (or /c/<slug>/<id>.json) page, newest first, `per_page` topics."""
    topics = [t for t in sorted(forum.topics.values(), key=lambda t: t.id, reverse=True)
              if category is None or t.category_id == category]
    shown = topics[page * forum.per_page:(page + 1) * forum.per_page]
    listing: dict[str, Any] = {
        "can_create_topic": False, "per_page": forum.per_page, "top_tags": [],
        "topics": [{"id": t.id, "title": t.title, "fancy_title": t.title, "slug": t.slug,
                    "posts_count": len(_visible(t)), "reply_count": 0, "highest_post_number": len(t.posts),
                    "created_at": t.posts[0].created_at, "category_id": t.category_id, "tags": list(t.tags),
                    "visible": True, "closed": False, "archived": False, "views": 10} for t in shown],
    }
    if (page + 1) * forum.per_page < len(topics):
        listing["more_topics_url"] = f"/latest?no_definitions=true&page={page + 1}"
    return {"users": [], "primary_groups": [], "topic_list": listing}


def _stamp(n: int) -> str:
    return f"2026-11-{1 + n // 24:02d}T{n % 24:02d}:00:00.000Z"


def demo_forum() -> Forum:
    """Topic 301 (45 posts: three chunks; a quote, a reply with an @-mention, a withdrawn
    and a hidden post, a small action), 302 off topic, 303 on topic, and 304, the
    forum's copy of a blog post with two replies (a blog embed's topic)."""
    forum = Forum()
    quote = ('<aside class="quote no-group" data-username="reporter" data-post="1" data-topic="301">\n'
             '<div class="title">\n<div class="quote-controls"></div>\n reporter:</div>\n'
             "<blockquote>\n<p>The flights to CECOT left after the order.</p>\n</blockquote>\n</aside>\n"
             "<p>That is the whole case.</p>")
    posts = [
        DPost(3001, 1, "reporter", "<p>The flights to CECOT left after the order.</p><p>More soon.</p>",
              _stamp(0), name="Rita Porter"),
        DPost(3002, 2, "ana", quote, _stamp(1), name="Ana Ruiz"),
        DPost(3003, 3, "ben", '<p><a class="mention" href="/u/ana">@ana</a> the judge said otherwise.</p>',
              _stamp(2), reply_to=2),
        DPost(3004, 4, "cy", "<p>Withdrawn later.</p>", _stamp(3), user_deleted=True),
        DPost(3005, 5, "dee", "<p>Five.</p>", _stamp(4), reply_to=3),
        DPost(3006, 6, "eve", "<p>Six, soon deleted.</p>", _stamp(5)),
        DPost(3007, 7, "flo", "<p>Spam, hidden by flags.</p>", _stamp(6), hidden=True),
    ]
    posts += [DPost(3000 + n, n, f"user{n % 5}", f"<p>Reply number {n}.</p>", _stamp(n)) for n in range(8, 45)]
    posts.append(DPost(3045, 45, "system", "", _stamp(45), post_type=3))
    forum.topics[301] = DTopic(301, "cecot-flights", "The CECOT flights", posts, tags=("deportation",))
    forum.topics[302] = DTopic(302, "bake-sale", "Bake sale", [DPost(3201, 1, "cook", "<p>Cakes.</p>", _stamp(1)),
                                                               DPost(3202, 2, "eater", "<p>Yum.</p>", _stamp(2))])
    forum.topics[303] = DTopic(303, "alien-enemies", "The Alien Enemies Act", [
        DPost(3301, 1, "reporter", "<p>A hearing.</p>", _stamp(1)),
        DPost(3302, 2, "ana", "<p>First.</p>", _stamp(2)),
    ])
    forum.topics[304] = DTopic(304, "deportation-flights", "Deportation flights", [
        DPost(3401, 1, "system", "<hr><small>This is a companion discussion topic for the original entry at "
              "the blog.</small>", _stamp(1)),
        DPost(3402, 2, "ana", "<p>Good post.</p>", _stamp(2)),
        DPost(3403, 3, "ben", "<p>Agreed with ana.</p>", _stamp(3), reply_to=2),
    ], category_id=9)
    return forum
