"""A Substack publication as test data, and the JSON bodies its API gives for it.

Field names and shapes follow the sources in tests/substack/README.md; values are ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["SComment", "SPost", "SubstackSite", "archive_item", "comments_body", "demo_site", "post_body"]


@dataclass
class SComment:
    id: int
    name: str | None
    body: str | None
    date: str
    user_id: int | None = None
    handle: str | None = None
    edited_at: str | None = None
    deleted: bool = False
    status: str = "ok"
    children: list[SComment] = field(default_factory=list)


@dataclass
class SPost:
    id: int
    slug: str
    title: str
    date: str
    body_html: str
    comments: list[SComment] = field(default_factory=list)
    audience: str = "everyone"
    tags: tuple[str, ...] = ()
    count: int | None = None  # comment_count when not the tree's (a tree hidden from the reader)


@dataclass
class SubstackSite:
    base_url: str = "https://example.substack.com/"
    author: tuple[int, str, str] = (1001, "Dana Writer", "danawriter")
    posts: dict[int, SPost] = field(default_factory=dict)


def _nodes(comments: list[SComment]) -> int:
    return sum(1 + _nodes(c.children) for c in comments)


def _byline(site: SubstackSite) -> dict[str, Any]:
    uid, name, handle = site.author
    return {"id": uid, "name": name, "handle": handle, "previous_name": None,
            "photo_url": f"https://substackcdn.com/image/{uid}.png", "bio": "Writes.", "is_guest": False}


def archive_item(site: SubstackSite, post: SPost) -> dict[str, Any]:
    """An /api/v1/archive list item: the post without its body."""
    return {
        "id": post.id, "publication_id": 42, "title": post.title, "subtitle": "", "slug": post.slug,
        "post_date": post.date, "audience": post.audience, "type": "newsletter",
        "canonical_url": f"{site.base_url}p/{post.slug}", "comment_count": _nodes(post.comments) if post.count is None else post.count,
        "reactions": {"\u2764": 3}, "truncated_body_text": "", "publishedBylines": [_byline(site)],
    }


def post_body(site: SubstackSite, post: SPost) -> dict[str, Any]:
    """An /api/v1/posts/<slug> response."""
    return {
        **archive_item(site, post),
        "body_html": post.body_html,
        "write_comment_permissions": "everyone" if post.audience == "everyone" else "only_paid",
        "postTags": [{"id": f"t{i}", "publication_id": 42, "name": t, "slug": t.lower().replace(" ", "-"),
                      "hidden": False} for i, t in enumerate(post.tags)],
    }


def _comment(post: SPost, c: SComment, ancestors: tuple[int, ...]) -> dict[str, Any]:
    return {
        "id": c.id, "post_id": post.id, "body": c.body, "body_json": None, "date": c.date,
        "edited_at": c.edited_at, "deleted": c.deleted, "status": c.status, "name": c.name,
        "handle": c.handle, "user_id": c.user_id,
        "photo_url": f"https://substackcdn.com/image/{c.user_id}.png" if c.user_id else None,
        # Dot-separated, as one real capture has it (README); the crawler reads `children`.
        "ancestor_path": ".".join(str(a) for a in ancestors), "reaction_count": 0, "reactions": {},
        "restacks": 0, "pinned_by_user_id": None,
        "children": [_comment(post, k, (*ancestors, c.id)) for k in c.children],
    }


def comments_body(post: SPost) -> dict[str, Any]:
    """An /api/v1/post/<id>/comments?all_comments=true response: the whole tree."""
    return {"comments": [_comment(post, c, ()) for c in post.comments]}


def demo_site() -> SubstackSite:
    """Two on-topic posts (one with a nested thread, a deletion and a flagged comment) and
    one off-topic post."""
    site = SubstackSite()
    thread = [
        SComment(501, "Ana Ruiz", "Deportation flights to CECOT broke the court order.", "2026-11-01T10:00:00.000Z",
                 user_id=7, handle="anaruiz", children=[
                     SComment(502, "Ben Cole", "@Ana Ruiz The order came after the planes left.",
                              "2026-11-01T11:30:00.000Z", user_id=8, handle="bencole", children=[
                                  SComment(503, "Ana Ruiz", "It did not.\n\nRead the transcript <here>.",
                                           "2026-11-01T12:00:00.000Z", user_id=7, handle="anaruiz"),
                              ]),
                 ]),
        SComment(504, None, None, "2026-11-01T13:00:00.000Z", deleted=True, children=[
            SComment(505, "Cy Dee", "Replying to a comment that was since deleted.", "2026-11-01T14:00:00.000Z",
                     user_id=9, handle="cydee"),
        ]),
        SComment(506, None, None, "2026-11-01T15:00:00.000Z", status="flagged"),
    ]
    site.posts[101] = SPost(101, "cecot-flights", "The CECOT flights", "2026-11-01T08:00:00.000Z",
                            "<p>The government sent men to El Salvador.</p>", thread)
    site.posts[102] = SPost(102, "alien-enemies", "The Alien Enemies Act in court", "2026-10-20T08:00:00.000Z",
                            "<p>A hearing.</p>", [
                                SComment(601, "Dee Eff", "First.", "2026-10-21T09:00:00.000Z", user_id=10,
                                         handle="deeeff"),
                            ], tags=("Deportation Policy",))
    site.posts[103] = SPost(103, "bake-sale", "Our bake sale", "2026-10-10T08:00:00.000Z", "<p>Cakes.</p>", [
        SComment(701, "Eve", "Yum.", "2026-10-11T09:00:00.000Z", user_id=11, handle="eve"),
    ])
    return site
