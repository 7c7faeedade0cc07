"""Text as both databases can store it."""

from __future__ import annotations

from typing import overload

__all__ = ["clean_text"]


@overload
def clean_text(text: str) -> str: ...
@overload
def clean_text(text: None) -> None: ...
@overload
def clean_text(text: str | None) -> str | None: ...
def clean_text(text: str | None) -> str | None:
    """`text` as both databases can store it: NUL becomes U+FFFD."""
    # PostgreSQL text cannot hold NUL; an HTML parser would have made it U+FFFD anyway,
    # and doing it on both databases keeps their contents identical.
    if text is None or "\x00" not in text:
        return text
    return text.replace("\x00", "\ufffd")
