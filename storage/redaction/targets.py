"""What a `palimpsest redact` command names: an author key, or SOURCE:EXTERNAL_ID of a
comment or post, looked up in the archive as `Rule`s (one per source the author is in).

Bad input is an InputError naming the option and value; nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from storage.errors import InputError
from storage.models import author_alias_t, author_t, comment_t, post_t, source_t
from storage.names import name_key

from .rules import MARKER, Rule, RuleKind, name_hash

__all__ = ["Target", "find_targets"]


@dataclass(frozen=True)
class Target:
    """One rule about to be applied, with the plaintext it needs while it runs (names and
    the archive ids of the denied author), which is never stored."""

    rule: Rule
    source_id: int
    author_id: int | None = None
    names: tuple[str, ...] = ()  # every spelling of the author's name (WARC search)


def _split(option: str, value: str) -> tuple[str, str]:
    source, sep, external_id = value.partition(":")
    if not sep or not source.strip() or not external_id.strip():
        raise InputError(f"{option} {value!r} must be SOURCE:EXTERNAL_ID (e.g. my-blog:25)")
    return source.strip(), external_id.strip()


def _source_id(conn: Connection, option: str, value: str, key: str) -> int:
    found = conn.execute(sa.select(source_t.c.id).where(source_t.c.key == key)).scalar()
    if found is None:
        raise InputError(f"{option} {value!r}: {key!r} is not a source in this archive")
    return int(found)


def find_targets(conn: Connection, kind: RuleKind, value: str) -> list[Target]:
    """The rules `--author KEY`, `--comment SOURCE:ID` or `--post SOURCE:ID` means."""
    if kind == "author":
        return _authors(conn, value)
    option = f"--{kind}"
    source, external_id = _split(option, value)
    source_id = _source_id(conn, option, value, source)
    if kind == "post":
        found = conn.execute(
            sa.select(post_t.c.id).where(post_t.c.source_id == source_id,
                                         post_t.c.external_id == external_id)
        ).scalar()
        if found is None:
            raise InputError(f"--post {value!r}: source {source!r} has no post {external_id!r}")
        rule = Rule(source_key=source, kind="post", post_external_id=external_id)
        return [Target(rule, source_id)]
    rows = conn.execute(
        sa.select(post_t.c.external_id)
        .select_from(comment_t.join(post_t, post_t.c.id == comment_t.c.post_id))
        .where(post_t.c.source_id == source_id, comment_t.c.external_id == external_id)
    ).all()
    if not rows:
        raise InputError(f"--comment {value!r}: source {source!r} has no comment {external_id!r}")
    if len(rows) > 1:
        raise InputError(
            f"--comment {value!r}: source {source!r} has {len(rows)} comments {external_id!r} "
            "(on different posts); this platform's comment ids are per post"
        )
    rule = Rule(source_key=source, kind="comment", post_external_id=rows[0].external_id,
                comment_external_id=external_id)
    return [Target(rule, source_id)]


def _authors(conn: Connection, value: str) -> list[Target]:
    key = name_key(value)
    if not key or key == MARKER:
        raise InputError(f"--author {value!r} is not an author key")
    rows = conn.execute(
        sa.select(author_t.c.id, author_t.c.display_name, author_t.c.external_id,
                  source_t.c.id.label("source_id"), source_t.c.key.label("source_key"))
        .join(source_t, source_t.c.id == author_t.c.source_id)
        .where(author_t.c.key == key)
        .order_by(source_t.c.key)
    ).all()
    if not rows:
        raise InputError(f"--author {value!r}: no author with the key {key!r} in this archive")
    targets = []
    for r in rows:
        aliases = conn.scalars(
            sa.select(author_alias_t.c.raw_name).where(author_alias_t.c.author_id == r.id)
        ).all()
        names = tuple(sorted({key, r.display_name, *aliases, *([r.external_id] if r.external_id else [])}))
        rule = Rule(source_key=r.source_key, kind="author", author_hash=name_hash(key),
                    name_hashes=frozenset(name_hash(n) for n in names))
        targets.append(Target(rule, r.source_id, author_id=r.id, names=names))
    return targets
