"""The export's queries: each exported table as of a time T, streamed in batches.

The connection is one that sees the archive as of T (`storage.export.asof`, the same
shadowing views `palimpsest sql --as-of` uses): there, the versions valid at T are the
current ones (`valid_to IS NULL`), later facts are gone or cleared, and the public
views answer as of T. So the queries here are those of the archive as it stands; a
tombstone (deleted) version hides its post or comment. Rows come out in a stable order
(ids, thread position, version) so that two exports of the same archive are
byte-identical, and in batches through a streaming cursor (server-side on PostgreSQL)
so memory stays flat however large the archive is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import ColumnElement

from storage.models import (
    Author,
    AuthorAlias,
    Comment,
    CommentVersion,
    Crawl,
    Post,
    PostVersion,
    Quote,
    Reply,
    Source,
    UTCDateTime,
)

__all__ = ["Row", "Scope", "Snapshot"]

Row = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Scope:
    """Which slice of the archive: as-of time, sources, publication window."""

    as_of: datetime
    sources: tuple[str, ...] = ()
    published_from: datetime | None = None  # inclusive
    published_before: datetime | None = None  # exclusive


def _current(version: Any) -> ColumnElement[bool]:
    """The version valid at T: on an as-of connection, the current one."""
    return version.valid_to.is_(None)


# The live comments as the archive's view shows them; read for `last_seen_at`, whose
# definition (the row's own time or the thread's last complete check) is the view's. A
# scalar subquery by comment id: joined, PostgreSQL planned the view over the as-of
# shadows as a nested loop over all of it per row (16 x 125 comments: 10 s, not 0.1 s).
_current_comments = sa.table(
    "current_comments", sa.column("comment_id", sa.Integer()), sa.column("last_seen_at", UTCDateTime())
)


class Snapshot:
    """The export's tables for one scope, read through one as-of connection."""

    def __init__(self, conn: Connection, scope: Scope, batch_size: int = 2000) -> None:
        self.conn = conn
        self.scope = scope
        self.batch_size = batch_size
        pv = PostVersion.__table__.alias("spv")
        conds: list[ColumnElement[bool]] = [_current(pv.c)]
        if scope.published_from is not None:
            conds.append(pv.c.published_at >= scope.published_from)
        if scope.published_before is not None:
            conds.append(pv.c.published_at < scope.published_before)
        scoped = sa.select(pv.c.post_id).where(*conds)
        if scope.sources:
            scoped = scoped.join(Post, Post.id == pv.c.post_id).join(
                Source, Source.id == Post.source_id
            ).where(Source.key.in_(scope.sources))
        # posts in scope, deleted or not (their history belongs in `versions`)
        self.scoped_posts = scoped.scalar_subquery()
        # posts live at T: the posts table, and the only posts whose comments are exported
        self.live_posts = (
            sa.select(PostVersion.post_id)
            .where(_current(PostVersion), PostVersion.deleted.is_(False))
            .where(PostVersion.post_id.in_(self.scoped_posts))
            .scalar_subquery()
        )

    # -- streaming ---------------------------------------------------------------------

    def _stream(self, query: Executable) -> Iterator[list[Row]]:
        result = self.conn.execution_options(stream_results=True, yield_per=self.batch_size)
        for part in result.execute(query).mappings().partitions(self.batch_size):
            yield [dict(r) for r in part]

    # -- tables ------------------------------------------------------------------------

    def posts(self) -> Iterator[list[Row]]:
        cv = CommentVersion.__table__.alias("ccv")
        c = Comment.__table__.alias("cc")
        live_comments = (
            sa.select(sa.func.count())
            .select_from(cv.join(c, c.c.id == cv.c.comment_id))
            .where(c.c.post_id == Post.id, _current(cv.c), cv.c.deleted.is_(False))
            .scalar_subquery()
        )
        query = (
            sa.select(
                Post.id.label("post_id"),
                Source.key.label("source_key"),
                Post.external_id,
                Post.url,
                PostVersion.title,
                PostVersion.author_id,
                PostVersion.author_raw.label("author_name"),
                Author.key.label("author_key"),
                PostVersion.published_at,
                PostVersion.published_raw,
                PostVersion.modified_at,
                PostVersion.tags,
                PostVersion.categories,
                PostVersion.comment_count_displayed,
                live_comments.label("comment_count"),
                PostVersion.body_text,
                PostVersion.body_html,
                PostVersion.version,
                PostVersion.id.label("version_id"),
                PostVersion.valid_from,
                PostVersion.crawl_id,
                PostVersion.content_hash,
                Post.first_seen_at,
                Post.last_seen_at,
            )
            .join(Post, Post.id == PostVersion.post_id)
            .join(Source, Source.id == Post.source_id)
            .outerjoin(Author, Author.id == PostVersion.author_id)
            .where(_current(PostVersion), PostVersion.deleted.is_(False))
            .where(PostVersion.post_id.in_(self.scoped_posts))
            .order_by(Post.id)
        )
        return self._stream(query)

    def comments(self) -> Iterator[list[Row]]:
        query = (
            sa.select(
                Comment.id.label("comment_id"),
                Comment.post_id,
                Post.external_id.label("post_external_id"),
                Source.key.label("source_key"),
                Comment.external_id,
                CommentVersion.author_id,
                CommentVersion.author_raw.label("author_name"),
                Author.key.label("author_key"),
                CommentVersion.author_url,
                CommentVersion.published_at,
                CommentVersion.published_raw,
                CommentVersion.published_approximate,
                CommentVersion.edited,
                CommentVersion.edited_at,
                CommentVersion.threaded_parent_external_id,
                CommentVersion.parent_external_id,
                CommentVersion.position,
                CommentVersion.page,
                CommentVersion.body_text,
                CommentVersion.own_text,
                CommentVersion.body_html,
                CommentVersion.version,
                CommentVersion.id.label("version_id"),
                CommentVersion.valid_from,
                CommentVersion.crawl_id,
                CommentVersion.content_hash,
                Comment.first_seen_at,
                sa.select(_current_comments.c.last_seen_at)
                .where(_current_comments.c.comment_id == Comment.id)
                .scalar_subquery()
                .label("last_seen_at"),
            )
            .join(Comment, Comment.id == CommentVersion.comment_id)
            .join(Post, Post.id == Comment.post_id)
            .join(Source, Source.id == Post.source_id)
            .outerjoin(Author, Author.id == CommentVersion.author_id)
            .where(_current(CommentVersion), CommentVersion.deleted.is_(False))
            .where(Comment.post_id.in_(self.live_posts))
            .order_by(Comment.post_id, CommentVersion.position, Comment.id)
        )
        return self._stream(query)

    def _edges(self, edge: Any, columns: list[Any]) -> Iterator[list[Row]]:
        query = (
            sa.select(
                Comment.id.label("comment_id"),
                Comment.post_id,
                Comment.external_id,
                CommentVersion.id.label("version_id"),
                *columns,
            )
            .select_from(edge)
            .join(CommentVersion, CommentVersion.id == edge.comment_version_id)
            .join(Comment, Comment.id == CommentVersion.comment_id)
            .where(_current(CommentVersion), CommentVersion.deleted.is_(False), _current(edge))
            .where(Comment.post_id.in_(self.live_posts))
            .order_by(Comment.post_id, CommentVersion.position, Comment.id, edge.ordinal)
        )
        return self._stream(query)

    def replies(self) -> Iterator[list[Row]]:
        return self._edges(
            Reply,
            [Reply.ordinal, Reply.kind, Reply.raw_name, Reply.target_kind,
             Reply.target_external_id, Reply.resolved_by],
        )

    def quotes(self) -> Iterator[list[Row]]:
        return self._edges(
            Quote,
            [Quote.ordinal, Quote.quoted_text, Quote.source_kind, Quote.source_external_id,
             Quote.source_url],
        )

    def authors(self) -> Iterator[list[Row]]:
        ids = sa.union(
            sa.select(PostVersion.author_id.label("author_id")).where(
                PostVersion.post_id.in_(self.scoped_posts)
            ),
            sa.select(CommentVersion.author_id.label("author_id"))
            .join(Comment, Comment.id == CommentVersion.comment_id)
            .where(Comment.post_id.in_(self.scoped_posts)),
        ).subquery()
        first_alias = (
            sa.select(AuthorAlias.raw_name)
            .where(AuthorAlias.author_id == Author.id)
            .order_by(AuthorAlias.first_seen_at, AuthorAlias.raw_name)
            .limit(1)
            .scalar_subquery()
        )
        post_count = (
            sa.select(sa.func.count())
            .where(
                PostVersion.author_id == Author.id,
                _current(PostVersion),
                PostVersion.deleted.is_(False),
                PostVersion.post_id.in_(self.scoped_posts),
            )
            .scalar_subquery()
        )
        comment_count = (
            sa.select(sa.func.count())
            .select_from(CommentVersion)
            .join(Comment, Comment.id == CommentVersion.comment_id)
            .where(
                CommentVersion.author_id == Author.id,
                _current(CommentVersion),
                CommentVersion.deleted.is_(False),
                Comment.post_id.in_(self.live_posts),
            )
            .scalar_subquery()
        )
        query = (
            sa.select(
                Author.id.label("author_id"),
                Source.key.label("source_key"),
                Author.key.label("author_key"),
                sa.func.coalesce(first_alias, Author.display_name).label("name"),
                post_count.label("post_count"),
                comment_count.label("comment_count"),
                Author.first_seen_at,
            )
            .join(Source, Source.id == Author.source_id)
            .where(Author.id.in_(sa.select(ids.c.author_id)))
            .order_by(Author.id)
        )
        for batch in self._stream(query):
            aliases = self._aliases([r["author_id"] for r in batch])
            for r in batch:
                r["aliases"] = aliases.get(r["author_id"], [])
            yield batch

    def _aliases(self, author_ids: list[int]) -> dict[int, list[str]]:
        rows = self.conn.execute(
            sa.select(AuthorAlias.author_id, AuthorAlias.raw_name)
            .where(AuthorAlias.author_id.in_(author_ids))
            .order_by(AuthorAlias.author_id, AuthorAlias.raw_name)
        )
        found: dict[int, list[str]] = {}
        for r in rows:
            found.setdefault(r.author_id, []).append(r.raw_name)
        return found

    def versions(self) -> Iterator[list[Row]]:
        posts = (
            sa.select(
                sa.literal("post").label("kind"),
                PostVersion.id.label("version_id"),
                Source.key.label("source_key"),
                PostVersion.post_id,
                Post.external_id.label("post_external_id"),
                sa.null().label("comment_id"),
                Post.external_id,
                PostVersion.version,
                PostVersion.valid_from,
                PostVersion.valid_to,
                PostVersion.crawl_id,
                PostVersion.deleted,
                sa.null().label("removed_as"),
                sa.null().label("edited"),
                sa.null().label("edited_at"),
                PostVersion.content_hash,
                PostVersion.author_id,
                PostVersion.author_raw.label("author_name"),
                Author.key.label("author_key"),
                sa.null().label("author_url"),
                PostVersion.title,
                PostVersion.published_at,
                PostVersion.published_raw,
                sa.null().label("published_approximate"),
                PostVersion.modified_at,
                PostVersion.tags,
                PostVersion.categories,
                PostVersion.comment_count_displayed,
                sa.null().label("position"),
                sa.null().label("page"),
                sa.null().label("threaded_parent_external_id"),
                sa.null().label("parent_external_id"),
                PostVersion.body_text,
                sa.null().label("own_text"),
                PostVersion.body_html,
            )
            .join(Post, Post.id == PostVersion.post_id)
            .join(Source, Source.id == Post.source_id)
            .outerjoin(Author, Author.id == PostVersion.author_id)
            .where(PostVersion.post_id.in_(self.scoped_posts))
            .order_by(PostVersion.post_id, PostVersion.version)
        )
        yield from self._stream(posts)
        comments = (
            sa.select(
                sa.literal("comment").label("kind"),
                CommentVersion.id.label("version_id"),
                Source.key.label("source_key"),
                Comment.post_id,
                Post.external_id.label("post_external_id"),
                CommentVersion.comment_id,
                Comment.external_id,
                CommentVersion.version,
                CommentVersion.valid_from,
                CommentVersion.valid_to,
                CommentVersion.crawl_id,
                CommentVersion.deleted,
                CommentVersion.removed_as,
                CommentVersion.edited,
                CommentVersion.edited_at,
                CommentVersion.content_hash,
                CommentVersion.author_id,
                CommentVersion.author_raw.label("author_name"),
                Author.key.label("author_key"),
                CommentVersion.author_url,
                sa.null().label("title"),
                CommentVersion.published_at,
                CommentVersion.published_raw,
                CommentVersion.published_approximate,
                sa.null().label("modified_at"),
                sa.null().label("tags"),
                sa.null().label("categories"),
                sa.null().label("comment_count_displayed"),
                CommentVersion.position,
                CommentVersion.page,
                CommentVersion.threaded_parent_external_id,
                CommentVersion.parent_external_id,
                CommentVersion.body_text,
                CommentVersion.own_text,
                CommentVersion.body_html,
            )
            .join(Comment, Comment.id == CommentVersion.comment_id)
            .join(Post, Post.id == Comment.post_id)
            .join(Source, Source.id == Post.source_id)
            .outerjoin(Author, Author.id == CommentVersion.author_id)
            .where(Comment.post_id.in_(self.scoped_posts))
            .order_by(Comment.post_id, CommentVersion.comment_id, CommentVersion.version)
        )
        yield from self._stream(comments)

    def crawls(self) -> Iterator[list[Row]]:
        # The as-of shadow of `crawl` holds the crawls that had started by T (or recorded
        # a version valid by T: a re-parse dates versions by fetch time), and a crawl
        # that finished after T shows as running, with no finish time or stats yet.
        query = (
            sa.select(
                Crawl.id.label("crawl_id"),
                Source.key.label("source_key"),
                Crawl.trigger,
                Crawl.status,
                Crawl.started_at,
                Crawl.finished_at,
                Crawl.software_version,
                Crawl.stats,
            )
            .join(Source, Source.id == Crawl.source_id)
            .order_by(Crawl.id)
        )
        if self.scope.sources:
            query = query.where(Source.key.in_(self.scope.sources))
        return self._stream(query)

    def sources(self) -> list[Row]:
        """The sources in scope (for the manifest): key, name, url, platform."""
        query = sa.select(Source.key, Source.name, Source.url, Source.platform).order_by(Source.key)
        if self.scope.sources:
            query = query.where(Source.key.in_(self.scope.sources))
        return [dict(r) for r in self.conn.execute(query).mappings()]
