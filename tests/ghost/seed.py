"""What the test Ghost holds: posts, members and comments, with Ghost-style ids.

Written straight into Ghost's SQLite database (tests/ghost/harness.py) before Ghost
boots, so its URL service and sitemaps know the posts. Times are UTC; Ghost stores
them as 'YYYY-MM-DD HH:MM:SS' and its API shows them as '...T...000Z'.

The threads cover what a Ghost thread can be: top-level comments, replies grouped
under them whose `in_reply_to_id` names another reply, a top-level comment with more
replies than Ghost embeds (three), an edited comment, a hidden top-level comment that
has a reply (a tombstone in the API), a deleted one without replies (left out by the
API), an @-reply and a quote of the post.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["MEMBERS", "POSTS", "SeedComment", "SeedMember", "SeedPost", "ghost_id", "seed_comments"]

_counter = iter(range(1, 10**6))


def ghost_id(prefix: str = "64a0") -> str:
    """A 24-hex-digit id like Ghost's ObjectIds, unique in a test run."""
    return f"{prefix}{next(_counter):020x}"


@dataclass(frozen=True)
class SeedMember:
    id: str
    uuid: str
    name: str
    email: str


@dataclass(frozen=True)
class SeedPost:
    id: str
    slug: str
    title: str
    html: str
    tags: tuple[str, ...]
    published: datetime
    on_topic: bool


@dataclass
class SeedComment:
    id: str
    post: str  # post id
    member: SeedMember
    html: str
    created: datetime
    parent: str | None = None  # the top-level comment a reply is grouped under
    in_reply_to: str | None = None  # the comment a reply answers
    status: str = "published"
    edited: datetime | None = None


def _t(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


MEMBERS = {
    key: SeedMember(ghost_id("64b0"), f"0000000{n}-aaaa-4bbb-8ccc-00000000000{n}", name, f"{key}@example.test")
    for n, (key, name) in enumerate(
        [("ana", "Ana Reyes"), ("ben", "Ben Ortiz"), ("chloe", "Chloé Martin"), ("dev", "Dev Patel")], start=1
    )
}

POSTS = {
    "cecot": SeedPost(
        ghost_id("64c0"), "flights-to-cecot", "Deportation flights to CECOT",
        "<p>The administration sent planes to El Salvador under the Alien Enemies Act.</p>"
        "<p>Lawyers say the men had no hearing before the flights left.</p>",
        ("Deportation Policy",), _t(1, 9), True,
    ),
    "guantanamo": SeedPost(
        ghost_id("64c0"), "guantanamo-transfers", "Transfers to Guantanamo",
        "<p>Detainees were moved to Guantanamo Bay before deportation.</p>",
        ("Detention",), _t(2, 9), True,
    ),
    "garden": SeedPost(
        ghost_id("64c0"), "spring-garden", "Spring in the garden",
        "<p>Tomatoes, beans and a new compost heap.</p>", ("Home",), _t(3, 9), False,
    ),
}


def seed_comments() -> list[SeedComment]:
    """The comments, in creation order (fresh objects: tests mutate them)."""
    m, cecot, gitmo, garden = MEMBERS, POSTS["cecot"].id, POSTS["guantanamo"].id, POSTS["garden"].id
    c1 = SeedComment(ghost_id(), cecot, m["ana"], "<p>Who signed off on these flights?</p>", _t(1, 10))
    r1 = SeedComment(ghost_id(), cecot, m["ben"], "<p>The State Department, reportedly.</p>", _t(1, 11),
                     parent=c1.id, in_reply_to=c1.id)
    r2 = SeedComment(ghost_id(), cecot, m["ana"], "<p>@Ben Ortiz do you have a source for that?</p>",
                     _t(1, 12), parent=c1.id, in_reply_to=r1.id)
    c2 = SeedComment(ghost_id(), cecot, m["chloe"],
                     "<blockquote>Lawyers say the men had no hearing before the flights left.</blockquote>"
                     "<p>That is the heart of the case.</p>", _t(1, 13), edited=_t(1, 14))
    hidden = SeedComment(ghost_id(), cecot, m["dev"], "<p>Something a moderator hid.</p>", _t(1, 15),
                         status="hidden")
    r3 = SeedComment(ghost_id(), cecot, m["ben"], "<p>A reply that outlived its parent.</p>", _t(1, 16),
                     parent=hidden.id, in_reply_to=hidden.id)
    deleted = SeedComment(ghost_id(), cecot, m["dev"], "<p>I take that back.</p>", _t(1, 17), status="deleted")
    c5 = SeedComment(ghost_id(), cecot, m["dev"], "<p>Five replies are coming.</p>", _t(1, 18))
    replies = [
        SeedComment(ghost_id(), cecot, m[who], f"<p>Reply {n} on the CECOT thread.</p>", _t(1, 19, n),
                    parent=c5.id, in_reply_to=c5.id)
        for n, who in enumerate(["ana", "ben", "chloe", "ana", "ben"], start=1)
    ]
    g1 = SeedComment(ghost_id(), gitmo, m["chloe"], "<p>How many were moved?</p>", _t(2, 10))
    g2 = SeedComment(ghost_id(), gitmo, m["ana"], "<p>Dozens, by the last count.</p>", _t(2, 11),
                     parent=g1.id, in_reply_to=g1.id)
    off = SeedComment(ghost_id(), garden, m["ben"], "<p>Nice beans.</p>", _t(3, 10))
    return [c1, r1, r2, c2, hidden, r3, deleted, c5, *replies, g1, g2, off]
