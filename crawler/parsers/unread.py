"""A comment item the parser found but could not read: never a record, always a problem.

A page whose item has no author or no text would otherwise give a record with an
invented "Anonymous" and an empty text, and a thread that looks complete. Instead the
item is left out, and the thread that holds it is partial (no deletion is inferred from
it), its problem naming the page, the comment and what was missing.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["UnreadComment", "unread_problem"]


@dataclass(frozen=True, kw_only=True)
class UnreadComment:
    """One comment item of a page whose parts could not all be found."""

    external_id: str
    missing: tuple[str, ...]  # "author", "text"


def unread_problem(url: str, unread: UnreadComment) -> str:
    """The thread problem of one unread comment: its page, its id and what was missing."""
    return f"{url}: comment {unread.external_id}: no {' and no '.join(unread.missing)} found; not archived"
