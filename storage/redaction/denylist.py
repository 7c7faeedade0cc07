"""The deny-list: the `redaction` table's rows as the `Rule`s every later write applies.

`Archive.record` loads a source's rules in each thread's transaction (one small query)
and passes the thread through them before the writer sees it, so a crawl or a reparse
after a takedown archives the redacted items only as placeholders, and an unchanged site
writes no new version. `record_rule` adds a row.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from storage.models import redaction_t, source_t

from .apply import Changes
from .rules import Rule
from .targets import Target

__all__ = ["load_rules", "record_rule"]

_r = redaction_t.c


def load_rules(conn: Connection, source_key: str) -> list[Rule]:
    """The rules of source `source_key`, in the order they were made."""
    rows = conn.execute(
        sa.select(redaction_t).join(source_t, source_t.c.id == _r.source_id)
        .where(source_t.c.key == source_key).order_by(_r.id)
    ).all()  # fmt: skip
    return [
        Rule(source_key=source_key, kind=r.kind, author_hash=r.author_hash,
             post_external_id=r.post_external_id, comment_external_id=r.comment_external_id,
             name_hashes=frozenset(r.name_hashes or ()))
        for r in rows
    ]  # fmt: skip


def record_rule(conn: Connection, target: Target, *, reason: str, command: str,
                changes: Changes) -> int:
    """Insert the redaction row (the deny-list entry) for `target`; return its id."""
    rule = target.rule
    return int(conn.execute(
        sa.insert(redaction_t).values(
            source_id=target.source_id, kind=rule.kind, author_hash=rule.author_hash,
            post_external_id=rule.post_external_id if rule.kind != "author" else None,
            comment_external_id=rule.comment_external_id,
            name_hashes=sorted(rule.name_hashes) or None, reason=reason, command=command,
            redacted_at=datetime.now(UTC), changes=changes.counts(),
        ).returning(_r.id)
    ).scalar_one())  # fmt: skip
