"""Tombstones: the deleted=true version that closes the history of a post or a comment.

A tombstone repeats the last known content of the version it follows, so "what was
deleted" is one row; it is a new version (version + 1, valid from the crawl that found
the thing gone), never an update of the old one. The comment tombstones of
`storage.thread_writer` and the post tombstones of `storage.gone` are both written here.
A comment tombstone carries the service's word for the removal (`removed_as`) when the
service stated it, NULL when the removal was inferred from absence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["insert_tombstones"]

# Set anew on the tombstone; every other column but id and valid_to is copied.
_SET = ("version", "valid_from", "crawl_id", "deleted")
_WORD = "removed_as"  # set too, on a table that has it (comment_version)
_NOT_COPIED = {"id", "valid_to", _WORD, *_SET}


def insert_tombstones(
    conn: Connection,
    table: sa.Table,
    version_ids: Sequence[int],
    t: datetime,
    crawl_id: int,
    *,
    removed_as: str | None = None,
) -> None:
    """Insert a tombstone after each of `version_ids` (rows of the version `table`).

    `removed_as`: the service's word for the removal (None: inferred, or a post). The
    caller closes those versions first (valid_to = t): the table allows one current
    version per post or comment.
    """
    c = table.c
    copied = [col for col in c if col.name not in _NOT_COPIED]
    set_cols = [
        (c.version + 1).label("version"),
        sa.literal(t, c.valid_from.type).label("valid_from"),
        sa.literal(crawl_id, sa.Integer()).label("crawl_id"),
        sa.true().label("deleted"),
    ]
    names = list(_SET)
    if _WORD in c:
        set_cols.append(sa.literal(removed_as, c[_WORD].type).label(_WORD))
        names.append(_WORD)
    elif removed_as is not None:
        raise ValueError(f"{table.name} has no {_WORD} column")
    select = sa.select(*set_cols, *copied).where(c.id.in_(list(version_ids)))
    conn.execute(sa.insert(table).from_select([*names, *[col.name for col in copied]], select))
