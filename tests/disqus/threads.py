"""Disqus threads for the tests, built field for field from Disqus's documented post object.

A post has the fields of the API 3.0 post object (disqus.com/api/docs/posts/details) as
public clients type them (see README.md): id, parent, thread, forum, author{name,
username, isAnonymous, profileUrl}, createdAt (UTC, no zone suffix), message (HTML),
raw_message, isDeleted, isEdited, isSpam, isApproved, likes, dislikes, points, depth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DisqusThread", "disqus_post"]


def disqus_post(pid: str, *, name: str, message: str, created: str, parent: str | None = None,
                username: str | None = None, anonymous: bool = False, deleted: bool = False,
                edited: bool = False, spam: bool = False, thread: str = "7001",
                forum: str = "testforum", depth: int = 0) -> dict[str, Any]:
    """One post object as Disqus serializes it."""
    author: dict[str, Any] = {"name": name, "isAnonymous": anonymous}
    if not anonymous:
        author.update({"username": username or name.lower().replace(" ", ""),
                       "profileUrl": f"https://disqus.com/by/{username or name.lower().replace(' ', '')}/",
                       "id": str(abs(hash(name)) % 10**8)})
    else:
        author.update({"profileUrl": "", "url": ""})
    return {
        "id": pid, "parent": int(parent) if parent else None, "thread": thread, "forum": forum,
        "author": author, "createdAt": created, "message": message,
        "raw_message": message.replace("<p>", "").replace("</p>", "\n"),
        "isDeleted": deleted, "isEdited": edited, "isSpam": spam, "isApproved": not spam,
        "isHighlighted": False, "isFlagged": False, "likes": 0, "dislikes": 0, "points": 0,
        "depth": depth, "media": [],
    }


@dataclass
class DisqusThread:
    """One Disqus thread as the test server holds it: its identity and its posts, oldest first."""

    thread_id: str
    forum: str
    identifier: str
    link: str
    posts: list[dict[str, Any]] = field(default_factory=list)

    def visible_count(self) -> int:
        """What Disqus's thread.posts counts: approved posts that are not deleted."""
        return sum(1 for p in self.posts if not p["isDeleted"] and not p["isSpam"])

    def thread_object(self) -> dict[str, Any]:
        return {"id": self.thread_id, "forum": self.forum, "identifiers": [self.identifier],
                "link": self.link, "posts": self.visible_count(), "title": "A post",
                "isClosed": False, "isDeleted": False}
