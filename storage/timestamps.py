"""UTC timestamps as text, quickly: the common case of `models.format_utc`.

format_utc caches its results by (value, type, tzinfo, fold), and hashing an aware
datetime costs more than formatting one; the writer formats a distinct `published_at`
for every comment, twice (its content hash and its row). For a plain `datetime` in
`datetime.timezone.utc`, the text is its isoformat with "Z" for "+00:00"; anything else
goes to format_utc. tests/storage/test_writer_statements.py checks they agree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from storage.models import format_utc

__all__ = ["utc_text"]


def utc_text(value: datetime) -> str:
    """format_utc(value)."""
    if value.tzinfo is UTC and type(value) is datetime:
        return value.isoformat(timespec="microseconds")[:-6] + "Z"
    return format_utc(value)
