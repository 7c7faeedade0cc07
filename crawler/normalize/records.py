"""Copies of the frozen thread records with some fields changed, cheaper than dataclasses.replace."""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["evolve"]

R = TypeVar("R")


def evolve(record: R, **changes: Any) -> R:
    """`dataclasses.replace(record, **changes)` for the records of `storage.records`.

    Assembling and normalizing a thread copy every comment twice; replace() re-runs the
    frozen __init__ (one object.__setattr__ per field) and costs 3.7 µs a comment, this
    copy of the instance dict 0.75 µs. Equal to replace() because the records are plain
    frozen dataclasses: no __post_init__, no init=False field, no __slots__ (a test holds
    them to that). Unknown field names raise TypeError, as replace() does.
    """
    fields = type(record).__dataclass_fields__  # type: ignore[attr-defined]
    if not changes.keys() <= fields.keys():
        unknown = ", ".join(sorted(changes.keys() - fields.keys()))
        raise TypeError(f"{type(record).__name__} has no field {unknown}")
    state = record.__dict__.copy()
    state.update(changes)
    copy = object.__new__(type(record))
    object.__setattr__(copy, "__dict__", state)  # past the frozen __setattr__
    return copy
