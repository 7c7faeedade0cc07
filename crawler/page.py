"""The parser's input: one fetched response as a plain value (no Scrapy, no clock)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["Page", "json_body"]


@dataclass(frozen=True, kw_only=True)
class Page:
    """One fetched response, as a parser sees it: no Scrapy, no clock."""

    url: str
    body: bytes
    fetched_at: datetime  # UTC, aware
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    # The codec its body is read with, as the fetch decided it (crawler.fetches.
    # decode_response; "utf-8" once crawler.encoding.normalize_page re-encoded it);
    # None: not decided yet (normalize_page decides).
    encoding: str | None = None


def json_body(page: Page) -> Any:
    """The page's body read as JSON; ValueError naming the URL when it is not JSON."""
    try:
        return json.loads(page.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{page.url}: not a JSON response ({exc})") from None
