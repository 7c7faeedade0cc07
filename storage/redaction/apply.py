"""Applying one takedown rule to what the archive already holds, in the caller's transaction.

Every version of every post and comment the rule concerns is read back as a record,
passed through the same `Rule` functions as a fresh crawl, and written over when it
changed, with the content hash of its redacted form (so that a recrawl of the unchanged
site hashes equal and writes nothing). Reply names and quoted passages of those versions
follow. An author rule moves the author's versions to the placeholder author
`[redacted]` of the source and deletes the author's row and aliases. This is the one
place where versions are rewritten instead of added: a takedown must not leave the old
state behind.

The body's links, which the hash takes and storage cannot derive (it parses no HTML),
come from the caller's `links_of` (the crawler's own extraction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from storage.hashing import comment_hash, post_hash
from storage.models import (
    author_alias_t,
    author_t,
    comment_t,
    comment_version_t,
    parse_utc,
    post_t,
    post_version_t,
    quote_t,
    reply_t,
)
from storage.records import CommentRecord, PostRecord, QuoteRecord, ReplyRecord
from storage.upserts import AliasRow, AuthorRow, Upserts

from .rules import MARKER
from .targets import Target

__all__ = ["Changes", "LinksOf", "apply_target"]

LinksOf = Callable[[str], tuple[str, ...]]
_cv, _pv, _r, _q = comment_version_t.c, post_version_t.c, reply_t.c, quote_t.c


@dataclass
class Changes:
    """What one takedown changed, counted (the redaction row keeps these)."""

    comments_redacted: int = 0
    posts_redacted: int = 0
    comment_versions_rewritten: int = 0
    post_versions_rewritten: int = 0
    reply_names_rewritten: int = 0
    quotes_rewritten: int = 0
    authors_removed: int = 0
    aliases_removed: int = 0
    # the redacted text, kept in memory only: what the WARC search looks for
    texts: set[str] = field(default_factory=set, repr=False)

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if isinstance(v, int)}


def apply_target(conn: Connection, target: Target, links_of: LinksOf) -> Changes:
    """Redact what `target` names, in every version; return what changed."""
    rule = target.rule
    changes = Changes()
    placeholder = _placeholder_author(conn, target) if rule.kind == "author" else None
    query = sa.select(post_t.c.id, post_t.c.external_id).where(post_t.c.source_id == target.source_id)
    if rule.kind != "author":  # only names reach other threads, and only author rules have them
        query = query.where(post_t.c.external_id == rule.post_external_id)
    for post in conn.execute(query.order_by(post_t.c.id)).all():
        _Thread(conn, target, links_of, changes, placeholder).run(post.id, post.external_id)
    if target.author_id is not None:
        changes.aliases_removed = conn.execute(
            sa.delete(author_alias_t).where(author_alias_t.c.author_id == target.author_id)
        ).rowcount
        changes.authors_removed = conn.execute(
            sa.delete(author_t).where(author_t.c.id == target.author_id)
        ).rowcount
    return changes


def _placeholder_author(conn: Connection, target: Target) -> int:
    """The source's `[redacted]` author (created as a crawl's write would create it),
    seen since the redacted author was: the placeholder takes their place in time too."""
    seen = conn.execute(
        sa.select(author_t.c.first_seen_at, author_t.c.last_seen_at)
        .where(author_t.c.id == target.author_id)
    ).one()
    now = seen.first_seen_at
    upserts = Upserts(conn.dialect.name)
    upserts.author.execute(conn, [AuthorRow(
        source_id=target.source_id, key=MARKER, display_name=MARKER, profile_url=None,
        external_id=None, first_seen_at=now, last_seen_at=seen.last_seen_at)])  # fmt: skip
    author_id = int(conn.execute(
        sa.select(author_t.c.id).where(author_t.c.source_id == target.source_id,
                                       author_t.c.key == MARKER)
    ).scalar_one())  # fmt: skip
    upserts.alias.execute(conn, [AliasRow(
        author_id=author_id, raw_name=MARKER, first_seen_at=now,
        last_seen_at=seen.last_seen_at)])  # fmt: skip
    return author_id


def as_utc(value: Any) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (SQLite text or timestamptz)."""
    if value is None or isinstance(value, datetime):
        return value.astimezone(UTC) if value is not None else None
    return parse_utc(str(value))


class _Thread:
    """One post and its comments, every version, through the rule."""

    def __init__(self, conn: Connection, target: Target, links_of: LinksOf, changes: Changes,
                 placeholder: int | None) -> None:
        self.conn, self.target, self.rule = conn, target, target.rule
        self.links_of, self.changes, self.placeholder = links_of, changes, placeholder

    def _denied_author(self, author_id: int | None) -> bool:
        return author_id is not None and author_id == self.target.author_id

    def run(self, post_id: int, post_external_id: str) -> None:
        rule = self.rule
        posts = self.conn.execute(
            sa.select(post_version_t, author_t.c.key.label("author_key"))
            .outerjoin(author_t, author_t.c.id == _pv.author_id)
            .where(_pv.post_id == post_id).order_by(_pv.version)
        ).all()
        post_denied = (
            rule.kind == "post" and post_external_id == rule.post_external_id
        ) or any(self._denied_author(p.author_id) for p in posts)
        if post_denied:
            self.changes.posts_redacted += 1
        for row in posts:
            self._post_version(row, post_external_id, post_denied)

        comments = self.conn.execute(
            sa.select(comment_version_t, comment_t.c.external_id,
                      author_t.c.key.label("author_key"))
            .join(comment_t, comment_t.c.id == _cv.comment_id)
            .outerjoin(author_t, author_t.c.id == _cv.author_id)
            .where(comment_t.c.post_id == post_id).order_by(_cv.comment_id, _cv.version)
        ).all()  # fmt: skip
        denied: set[str] = set()
        if rule.kind == "comment" and post_external_id == rule.post_external_id:
            denied = {str(rule.comment_external_id)}
        elif rule.kind == "author":
            denied = {c.external_id for c in comments if self._denied_author(c.author_id)}
        self.changes.comments_redacted += len({c.comment_id for c in comments if c.external_id in denied})
        edges = self._edges([c.id for c in comments])
        previous: Any = None
        for row in comments:
            # A tombstone repeats the last content but has no edges of its own: it is
            # read with its predecessor's (whose rows are that version's to rewrite).
            borrowed = row.deleted and previous is not None and previous.comment_id == row.comment_id
            own = edges[previous.id if borrowed else row.id]
            self._comment_version(row, own, denied, post_denied, write_edges=not borrowed)
            previous = row

    # -- posts -------------------------------------------------------------------------

    def _post_version(self, row: Any, external_id: str, denied: bool) -> None:
        record = PostRecord(
            external_id=external_id, url="", title=row.title, author_raw=row.author_raw,
            author_key=row.author_key or "", published_at=as_utc(row.published_at),
            tags=tuple(row.tags or ()), categories=tuple(row.categories or ()),
            body_html=row.body_html, body_text=row.body_text, links=self.links_of(row.body_html),
            comment_count_displayed=row.comment_count_displayed,
        )  # fmt: skip
        new = self.rule.post(record, denied=denied)
        moved = denied and self.placeholder is not None and self._denied_author(row.author_id)
        if new == record and not moved:
            return
        if denied:
            self.changes.texts.update(t for t in (row.title, row.body_text) if t)
        values: dict[str, Any] = {
            "title": new.title, "author_raw": new.author_raw, "body_html": new.body_html,
            "body_text": new.body_text, "content_hash": post_hash(new),
        }  # fmt: skip
        if moved:
            values["author_id"] = self.placeholder
        self.conn.execute(sa.update(post_version_t).where(_pv.id == row.id).values(**values))
        self.changes.post_versions_rewritten += 1

    # -- comments ----------------------------------------------------------------------

    def _edges(self, version_ids: list[int]) -> dict[int, tuple[list[Any], list[Any]]]:
        found: dict[int, tuple[list[Any], list[Any]]] = {v: ([], []) for v in version_ids}
        if not version_ids:
            return found
        for r in self.conn.execute(
            sa.select(reply_t).where(_r.comment_version_id.in_(version_ids)).order_by(_r.ordinal)
        ):
            found[r.comment_version_id][0].append(r)
        for q in self.conn.execute(
            sa.select(quote_t).where(_q.comment_version_id.in_(version_ids)).order_by(_q.ordinal)
        ):
            found[q.comment_version_id][1].append(q)
        return found

    def _comment_version(self, row: Any, edges: tuple[list[Any], list[Any]], denied: set[str],
                         post_denied: bool, *, write_edges: bool) -> None:
        replies, quotes = edges
        record = CommentRecord(
            external_id=row.external_id, author_raw=row.author_raw, author_key=row.author_key or "",
            author_url=row.author_url, published_at=as_utc(row.published_at),
            threaded_parent_external_id=row.threaded_parent_external_id,
            parent_external_id=row.parent_external_id, body_html=row.body_html,
            body_text=row.body_text, links=self.links_of(row.body_html), own_text=row.own_text,
            position=row.position, page=row.page,
            replies=tuple(ReplyRecord(ordinal=r.ordinal, kind=r.kind, raw_name=r.raw_name,
                                      target_kind=r.target_kind,
                                      target_external_id=r.target_external_id,
                                      resolved_by=r.resolved_by) for r in replies),
            quotes=tuple(QuoteRecord(ordinal=q.ordinal, quoted_text=q.quoted_text,
                                     source_kind=q.source_kind,
                                     source_external_id=q.source_external_id,
                                     source_url=q.source_url) for q in quotes),
        )  # fmt: skip
        new = self.rule.comment(record, denied=denied, post_denied=post_denied)
        moved = self.placeholder is not None and self._denied_author(row.author_id)
        if new == record and not moved:
            return
        if row.external_id in denied:
            self.changes.texts.update(t for t in (row.body_text, row.own_text) if t)
        values: dict[str, Any] = {
            "author_raw": new.author_raw, "author_url": new.author_url,
            "body_html": new.body_html, "body_text": new.body_text, "own_text": new.own_text,
            "content_hash": comment_hash(new),
        }  # fmt: skip
        if moved:
            values["author_id"] = self.placeholder
        self.conn.execute(sa.update(comment_version_t).where(_cv.id == row.id).values(**values))
        self.changes.comment_versions_rewritten += 1
        if not write_edges:
            return
        for reply, edge in zip(replies, new.replies, strict=True):
            if reply.raw_name != edge.raw_name:
                self.conn.execute(
                    sa.update(reply_t).where(_r.id == reply.id).values(raw_name=edge.raw_name)
                )
                self.changes.reply_names_rewritten += 1
        for quote, passage in zip(quotes, new.quotes, strict=True):
            if quote.quoted_text != passage.quoted_text:
                self.changes.texts.add(quote.quoted_text)
                self.conn.execute(
                    sa.update(quote_t).where(_q.id == quote.id).values(quoted_text=passage.quoted_text)
                )
                self.changes.quotes_rewritten += 1

