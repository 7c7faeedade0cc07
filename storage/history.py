"""A thread's history, crawl by crawl: what was added, edited, deleted, restored or renamed.

Read from the `changes` view (one row per version event) and the version rows behind
it; `format_history` renders it for `palimpsest history`, edits as a word diff
(`[-removed-]{+added+}`, the notation of `git diff --word-diff`), and a comment's
removal with the comment service's word for it where it stated one ("deleted comment
7 (v3) as hidden").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from storage.errors import InputError
from storage.models import UTCDateTime

__all__ = ["CrawlChanges", "Event", "find_post", "format_history", "thread_history", "word_diff"]


class PostNotFound(InputError):
    """`palimpsest history` was given a URL or id the archive does not hold."""


@dataclass(frozen=True)
class Event:
    """One row of `changes`, with the states before and after it."""

    kind: str  # added | edited | deleted | restored | renamed
    comment_external_id: str | None  # None: the post itself
    version: int
    after: dict[str, Any]
    before: dict[str, Any] | None


@dataclass
class CrawlChanges:
    """The events one crawl saw in one thread."""

    crawl_id: int
    started_at: datetime | None
    status: str | None
    events: list[Event] = field(default_factory=list)


def find_post(conn: Connection, ref: str) -> tuple[int, str, str]:
    """(post id, url, title) of the post named by its URL, archive id or platform id."""
    ref = ref.strip()
    p = sa.text(
        "SELECT p.id, p.url, pv.title FROM post p "
        "LEFT JOIN post_version pv ON pv.post_id = p.id AND pv.valid_to IS NULL WHERE "
    )
    rows: list[Any] = []
    if ref.isdigit():
        rows = list(conn.execute(sa.text(p.text + "p.id = :i"), {"i": int(ref)}))
        if not rows:
            rows = list(conn.execute(sa.text(p.text + "p.external_id = :e"), {"e": ref}))
    else:
        bare = ref.split("#", 1)[0].rstrip("/")
        rows = list(
            conn.execute(sa.text(p.text + "p.url IN (:a, :b)"), {"a": bare, "b": bare + "/"})
        )
    if not rows:
        raise PostNotFound(f"no post in the archive has URL or id {ref!r}")
    if len(rows) > 1:
        ids = ", ".join(str(r.id) for r in rows)
        raise PostNotFound(f"{ref!r} names several posts (archive ids {ids}); give the id")
    return int(rows[0].id), str(rows[0].url), str(rows[0].title or "")


_VERSION_COLUMNS = (
    "version, deleted, removed_as, edited_at, author_raw, author_url, published_at, "
    "parent_external_id, body_text"
)


def thread_history(engine: Engine, post_id: int) -> list[CrawlChanges]:
    """Every version event of the post and its comments, grouped by crawl, oldest first."""
    with engine.connect() as conn:
        events = conn.execute(
            sa.text(
                "SELECT ch.crawl_id, ch.comment_id, ch.comment_external_id, ch.version, ch.kind, "
                "cr.started_at, cr.status FROM changes ch LEFT JOIN crawl cr ON cr.id = ch.crawl_id "
                "WHERE ch.post_id = :p "
                "ORDER BY ch.crawl_id, ch.valid_from, ch.comment_id IS NOT NULL, "
                "ch.comment_external_id, ch.version"
            ).columns(started_at=UTCDateTime()),
            {"p": post_id},
        ).all()
        comments = {
            (r.comment_id, r.version): dict(r._mapping)
            for r in conn.execute(
                sa.text(
                    f"SELECT cv.comment_id, {_VERSION_COLUMNS} FROM comment_version cv "
                    "JOIN comment c ON c.id = cv.comment_id WHERE c.post_id = :p"
                ),
                {"p": post_id},
            )
        }
        posts = {
            r.version: dict(r._mapping)
            for r in conn.execute(
                sa.text(
                    "SELECT version, deleted, title, author_raw, published_at, body_text "
                    "FROM post_version WHERE post_id = :p"
                ),
                {"p": post_id},
            )
        }
    out: list[CrawlChanges] = []
    for row in events:
        if not out or out[-1].crawl_id != row.crawl_id:
            out.append(CrawlChanges(row.crawl_id, row.started_at, row.status))
        if row.comment_id is None:
            after, before = posts[row.version], posts.get(row.version - 1)
        else:
            after = comments[(row.comment_id, row.version)]
            before = comments.get((row.comment_id, row.version - 1))
        out[-1].events.append(
            Event(row.kind, row.comment_external_id, row.version, after, before)
        )
    return out


def word_diff(old: str, new: str) -> str:
    """`new` with the words changed from `old` marked `[-removed-]{+added+}`."""
    a, b = old.split(), new.split()
    parts: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts += a[i1:i2]
            continue
        if i2 > i1:
            parts.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            parts.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(parts)


def _short(text: str | None, width: int = 70) -> str:
    words = " ".join((text or "").split())
    return words if len(words) <= width else words[: width - 1] + "…"


def _lines(event: Event) -> Iterator[str]:
    what = "post" if event.comment_external_id is None else f"comment {event.comment_external_id}"
    a, b = event.after, event.before or {}
    head = f"  {event.kind:<8} {what} (v{event.version})"
    if event.kind == "renamed":
        yield f"{head}: author {b.get('author_raw')!r} -> {a.get('author_raw')!r}"
    elif event.kind == "edited":
        yield f"{head}:"
        for name in ("title", "author_raw", "author_url", "published_at", "parent_external_id",
                     "edited_at"):
            if name in a and a.get(name) != b.get(name):
                yield f"      {name}: {b.get(name)!r} -> {a.get(name)!r}"
        if a.get("body_text") != b.get("body_text"):
            yield "      " + word_diff(b.get("body_text") or "", a.get("body_text") or "")
    else:
        by = a.get("author_raw")
        word = a.get("removed_as") if event.kind == "deleted" else None
        head += f" as {word}" if word else ""  # the service's word, where it stated one
        yield f"{head}{f' by {by}' if by else ''}: {_short(a.get('title') or a.get('body_text'))}"


def format_history(post_url: str, title: str, crawls: list[CrawlChanges]) -> str:
    """The text `palimpsest history` prints."""
    lines = [f"{title} <{post_url}>"]
    if not crawls:
        lines.append("  (no versions recorded)")
    for crawl in crawls:
        when = crawl.started_at.strftime("%Y-%m-%d %H:%M UTC") if crawl.started_at else "?"
        counts: dict[str, int] = {}
        for e in crawl.events:
            counts[e.kind] = counts.get(e.kind, 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in counts.items())
        lines.append(f"crawl {crawl.crawl_id} ({when}, {crawl.status}): {summary}")
        for event in crawl.events:
            lines.extend(_lines(event))
    return "\n".join(lines)
