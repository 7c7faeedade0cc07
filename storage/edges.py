"""A comment version's edges (its reply and quote rows), with a validity of their own.

A comment's @-reply and mention edges and its quotes' sources are derived from the whole
thread: they change when another comment appears, is edited or deleted, while the
comment itself does not. So they are not part of its content hash (storage.hashing),
and a change of them is no new version: the version's current edges are closed
(`valid_to`) and the new ones inserted (`valid_from`, `crawl_id`: the record of the
re-derivation). Only a complete thread re-derives an unchanged comment's edges; a
partial one lacks comments they may point to. docs/schema.md, "Re-derived edges".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage.models import comment_t, comment_version_t, quote_t, reply_t
from storage.prepared import PreparedInsert
from storage.records import CommentRecord
from storage.text import clean_text

__all__ = ["CurrentEdges", "current_edges", "insert_edges", "rederive_edges"]

_c, _cv = comment_t.c, comment_version_t.c
_TABLES = {"reply": reply_t, "quote": quote_t}


class ReplyRow(NamedTuple):
    """One reply row, in the table's column order: its version, what the edge is (what a
    re-derivation compares), its validity."""

    comment_version_id: int
    ordinal: int
    kind: str
    raw_name: str | None
    target_kind: str | None
    target_external_id: str | None
    resolved_by: str | None
    valid_from: datetime | None
    valid_to: datetime | None
    crawl_id: int


class QuoteRow(NamedTuple):
    """One quote row, laid out as ReplyRow."""

    comment_version_id: int
    ordinal: int
    quoted_text: str
    source_kind: str
    source_external_id: str | None
    source_url: str | None
    valid_from: datetime | None
    valid_to: datetime | None
    crawl_id: int


# The columns that say what an edge is, per table: a row's fields after its version's id.
_FIELDS = {"reply": ReplyRow._fields[1:7], "quote": QuoteRow._fields[1:6]}
_EDGE = {name: slice(1, 1 + len(fields)) for name, fields in _FIELDS.items()}


@dataclass(frozen=True)
class CurrentEdges:
    """The current edges of a post's current comment versions, by version id."""

    edges: dict[int, dict[str, tuple[tuple[Any, ...], ...]]]  # table -> sorted _FIELDS tuples
    since: dict[int, datetime]  # the latest valid_from of the version's edges


def _current_of_post(table: sa.Table) -> sa.Select[Any]:
    t = table.c
    return (
        sa.select(t.comment_version_id, t.valid_from, *(t[f] for f in _FIELDS[table.name]))
        .select_from(
            table.join(comment_version_t, _cv.id == t.comment_version_id).join(
                comment_t, _c.id == _cv.comment_id
            )
        )
        .where(_c.post_id == sa.bindparam("post_id"), _cv.valid_to.is_(None), t.valid_to.is_(None))
    )


_CURRENT = {name: _current_of_post(table) for name, table in _TABLES.items()}
_CLOSE = {
    name: sa.update(table)
    .where(
        table.c.comment_version_id == sa.bindparam("vid"),
        table.c.valid_to.is_(None),
    )
    .values(valid_to=sa.bindparam("t", type_=table.c.valid_to.type))
    for name, table in _TABLES.items()
}
# A row per edge of every new comment version: prepared once, fed named tuples.
_INSERT: dict[str, PreparedInsert[Any]] = {
    "reply": PreparedInsert(sa.insert(reply_t), ReplyRow),
    "quote": PreparedInsert(sa.insert(quote_t), QuoteRow),
}


def _rows(name: str, rec: CommentRecord, vid: int = 0, t: datetime | None = None,
          crawl_id: int = 0) -> list[Any]:
    """The edges of `rec` for table `name`, as rows (text cleaned as stored) of version
    `vid` valid from `t`."""
    if name == "reply":
        return [
            ReplyRow(vid, e.ordinal, e.kind, clean_text(e.raw_name), e.target_kind,
                     e.target_external_id, e.resolved_by, t, None, crawl_id)
            for e in rec.replies
        ]  # fmt: skip
    return [
        QuoteRow(vid, q.ordinal, clean_text(q.quoted_text), q.source_kind,
                 q.source_external_id, clean_text(q.source_url), t, None, crawl_id)
        for q in rec.quotes
    ]  # fmt: skip


def _key(name: str, rows: Sequence[Any]) -> tuple[tuple[Any, ...], ...]:
    edge = _EDGE[name]
    return tuple(sorted(tuple(r[edge]) for r in rows))


def current_edges(conn: Connection, post_id: int) -> CurrentEdges:
    """The current edges of the current versions of a post's comments."""
    out: dict[int, dict[str, list[tuple[Any, ...]]]] = {}
    since: dict[int, datetime] = {}
    for name, query in _CURRENT.items():
        for r in conn.execute(query, {"post_id": post_id}):
            values = tuple(getattr(r, f) for f in _FIELDS[name])
            out.setdefault(r.comment_version_id, {}).setdefault(name, []).append(values)
            vid = r.comment_version_id
            since[vid] = max(since.get(vid, r.valid_from), r.valid_from)
    edges = {
        vid: {name: tuple(sorted(rows.get(name, ()))) for name in _TABLES}
        for vid, rows in out.items()
    }
    return CurrentEdges(edges, since)


def _insert(
    conn: Connection, name: str, versions: Sequence[tuple[int, CommentRecord]], t: datetime,
    crawl_id: int,
) -> None:
    rows = [row for vid, rec in versions for row in _rows(name, rec, vid, t, crawl_id)]
    _INSERT[name].execute(conn, rows)


def insert_edges(
    conn: Connection, versions: Sequence[tuple[int, CommentRecord]], t: datetime, crawl_id: int
) -> None:
    """Insert the edges of each (version id, record), valid from `t`."""
    for name in _TABLES:
        _insert(conn, name, versions, t, crawl_id)


def rederive_edges(
    conn: Connection,
    versions: Sequence[tuple[int, CommentRecord]],
    current: CurrentEdges,
    t: datetime,
    crawl_id: int,
) -> int:
    """Re-derive the edges of unchanged comment versions: where a version's edges of a
    table differ from `current`, close those and insert the new ones. Returns how many
    versions had an edge re-derived. A snapshot older than a version's current edges (a
    reparse of old pages) re-derives none of them: it must not rewrite newer history."""
    changed: set[int] = set()
    versions = [(vid, rec) for vid, rec in versions if current.since.get(vid, t) <= t]
    for name in _TABLES:
        closing: list[dict[str, Any]] = []
        anew: list[tuple[int, CommentRecord]] = []
        for vid, rec in versions:
            had = current.edges.get(vid, {}).get(name, ())
            if _key(name, _rows(name, rec)) != had:
                changed.add(vid)
                anew.append((vid, rec))
                if had:
                    closing.append({"vid": vid, "t": t})
        if closing:
            conn.execute(_CLOSE[name], closing)
        _insert(conn, name, anew, t, crawl_id)
    return len(changed)
