"""The parser's input: one fetched response as a plain value (no Scrapy, no clock)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Page"]


@dataclass(frozen=True, kw_only=True)
class Page:
    """One fetched response, as a parser sees it: no Scrapy, no clock."""

    url: str
    body: bytes
    fetched_at: datetime  # UTC, aware
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    encoding: str | None = None  # declared or detected; parsers may re-detect
