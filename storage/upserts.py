"""The archive writer's upsert statements, built once per database dialect.

Identity rows (source, post, author, alias, comment, post_state) and thread problems
are written with INSERT ... ON CONFLICT DO UPDATE on both SQLite and PostgreSQL: no
read-then-write race between concurrent writers. Seen-times only widen (first_seen_at
takes the least, last_seen_at the greatest), so recording an older snapshot never moves
them backwards. Built once and reused, the statements compile once too (the writer's
hot path); they take named parameters (dicts keyed by column), except the ones with a
row per person or comment of a thread (authors, aliases, new comments), which are
prepared once and fed typed rows (storage.prepared).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import Author, AuthorAlias, Comment, Post, PostState, Source, ThreadProblem
from storage.prepared import PreparedInsert

__all__ = ["AliasRow", "AuthorRow", "CommentRow", "Upserts"]


class AuthorRow(NamedTuple):
    """One person of a thread, as the author upsert takes it."""

    source_id: int
    key: str
    display_name: str | None
    profile_url: str | None
    external_id: str | None
    first_seen_at: datetime
    last_seen_at: datetime


class AliasRow(NamedTuple):
    """One spelling of a person's name in a thread, as the alias upsert takes it."""

    author_id: int
    raw_name: str | None
    first_seen_at: datetime
    last_seen_at: datetime


class CommentRow(NamedTuple):
    """One comment new to its post, as the comment upsert takes it."""

    post_id: int
    external_id: str
    first_seen_at: datetime
    last_seen_at: datetime


def _t(model: Any) -> sa.Table:
    return cast(sa.Table, model.__table__)


class Upserts:
    """One prepared upsert per identity table, for one dialect ('sqlite' | 'postgresql')."""

    def __init__(self, dialect: str) -> None:
        insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # SQLite's two-argument max()/min() are scalar; fixed-width UTC text orders like
        # time, so they work on its timestamps too. Both return NULL if an argument is
        # NULL on SQLite, so they are only used on NOT NULL columns.
        greatest: Any = sa.func.greatest if dialect == "postgresql" else sa.func.max
        least: Any = sa.func.least if dialect == "postgresql" else sa.func.min

        def seen(table: sa.Table, ins: Any) -> dict[str, Any]:
            return {
                "first_seen_at": least(table.c.first_seen_at, ins.excluded.first_seen_at),
                "last_seen_at": greatest(table.c.last_seen_at, ins.excluded.last_seen_at),
            }

        source = _t(Source)
        ins = insert(source)
        self.source = ins.on_conflict_do_update(
            index_elements=["key"],
            set_={c: ins.excluded[c] for c in ("name", "url", "platform")},
        ).returning(source.c.id)

        post = _t(Post)
        ins = insert(post)
        newer = ins.excluded.last_seen_at >= post.c.last_seen_at
        self.post = ins.on_conflict_do_update(
            index_elements=["source_id", "external_id"],
            set_={"url": sa.case((newer, ins.excluded.url), else_=post.c.url), **seen(post, ins)},
        ).returning(post.c.id)

        author = _t(Author)
        ins = insert(author)
        newer = ins.excluded.last_seen_at >= author.c.last_seen_at
        author_upsert = ins.on_conflict_do_update(
            index_elements=["source_id", "key"],
            set_={
                "display_name": sa.case(
                    (newer, ins.excluded.display_name), else_=author.c.display_name
                ),
                "profile_url": sa.func.coalesce(
                    sa.case((newer, ins.excluded.profile_url), else_=None),
                    author.c.profile_url,
                    ins.excluded.profile_url,
                ),
                "external_id": sa.func.coalesce(author.c.external_id, ins.excluded.external_id),
                **seen(author, ins),
            },
        )
        self.author = PreparedInsert(author_upsert, AuthorRow)

        alias = _t(AuthorAlias)
        ins = insert(alias)
        self.alias = PreparedInsert(
            ins.on_conflict_do_update(index_elements=["author_id", "raw_name"], set_=seen(alias, ins)),
            AliasRow,
        )

        comment = _t(Comment)
        ins = insert(comment)
        # Only for comments the post does not have yet: a comment already archived is
        # not written when it is seen again (its last seen is the thread's check).
        self.comment = PreparedInsert(
            ins.on_conflict_do_update(
                index_elements=["post_id", "external_id"], set_=seen(comment, ins)
            ),
            CommentRow,
        )

        state = _t(PostState)
        ins = insert(state)
        ps = state.c
        newer = sa.or_(
            ps.last_checked_at.is_(None), ins.excluded.last_checked_at >= ps.last_checked_at
        )
        set_: dict[str, Any] = {
            # A literal, not a bound 0: the statement's only parameters are its columns.
            "gone_count": sa.literal_column("0", sa.Integer()),
            "fingerprint": sa.case((newer, ins.excluded.fingerprint), else_=ps.fingerprint),
            "last_checked_at": sa.case(
                (newer, ins.excluded.last_checked_at), else_=ps.last_checked_at
            ),
            "last_activity_at": sa.case(
                (ps.last_activity_at.is_(None), ins.excluded.last_activity_at),
                (ins.excluded.last_activity_at.is_(None), ps.last_activity_at),
                (
                    ins.excluded.last_activity_at > ps.last_activity_at,
                    ins.excluded.last_activity_at,
                ),
                else_=ps.last_activity_at,
            ),
        }
        # A partial thread must not move the last complete crawl, nor its fingerprint:
        # a recrawl skips parsing only when it matches what a complete crawl saw.
        partial = {k: v for k, v in set_.items() if k != "fingerprint"}
        self.post_state_partial = ins.on_conflict_do_update(index_elements=["post_id"], set_=partial)
        # A partial thread that wrote a version made the archive differ from what the
        # last complete crawl saw: were the site to go back to that, its fingerprint,
        # validators (a 304) or page bodies would match and the partial crawl's versions
        # would stay current. So they are forgotten: the next crawl fetches and parses.
        forget = {c: sa.null() for c in ("fingerprint", "pages", "etag", "last_modified")}
        self.post_state_partial_changed = ins.on_conflict_do_update(
            index_elements=["post_id"], set_={**partial, **forget}
        )
        self.post_state_complete = ins.on_conflict_do_update(
            index_elements=["post_id"],
            set_={
                **set_,
                "last_complete_crawl_id": ins.excluded.last_complete_crawl_id,
                # Validators, like the fingerprint, only from a whole thread.
                **{
                    c: sa.case((newer, ins.excluded[c]), else_=ps[c])
                    for c in ("pages", "etag", "last_modified")
                },
                # Only forward: a re-parse of older pages is not a later check.
                "last_complete_at": _later(ps.last_complete_at, ins.excluded.last_complete_at),
                # Likewise; a check that fetched only some pages (vouched) leaves it.
                "last_full_at": _later(ps.last_full_at, ins.excluded.last_full_at),
            },
        )

        problem = _t(ThreadProblem)
        ins = insert(problem)
        # The same thread recorded again by one crawl: a problem of the same ordinal is
        # rewritten.
        self.problem = ins.on_conflict_do_update(
            index_elements=["crawl_id", "post_id", "ordinal"], set_={"problem": ins.excluded.problem}
        )


def _later(stored: Any, new: Any) -> Any:
    """The later of a stored time and a new one, either of which may be NULL."""
    return sa.case((stored.is_(None), new), (new > stored, new), else_=stored)
