"""The parser's input: one fetched response as a plain value (no Scrapy, no clock)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

__all__ = ["FORM_POST", "Page", "asked_for", "form_post_body", "form_post_url", "json_body", "url_for"]

# A page asked by POST (a plugin's "load more" request, wpDiscuz's): its URL carries the
# form as its query and this fragment, so a thread's bookkeeping keeps one URL per page;
# the spider sends the query as the form body (a fragment never leaves the crawler).
FORM_POST = "palimpsest-form-post"
# A page asked on behalf of another (a feed page asked for one post's id): its URL carries
# that page's URL in this fragment, so each asker's response is its own.
_FOR = "palimpsest-for="


def form_post_url(endpoint: str, form: str) -> str:
    """The URL of a page asked by POSTing the urlencoded `form` to `endpoint`."""
    return f"{endpoint}?{form}#{FORM_POST}"


def url_for(url: str, asker: str) -> str:
    """`url` asked on behalf of the page at `asker`."""
    return f"{url.split('#', 1)[0]}#{_FOR}{quote(asker, safe='')}"


def asked_for(url: str) -> str | None:
    """The page a URL made by `url_for` was asked for; None for any other URL."""
    fragment = urlsplit(url).fragment
    return unquote(fragment.removeprefix(_FOR)) if fragment.startswith(_FOR) else None


def form_post_body(url: str) -> str | None:
    """The urlencoded form to POST for a URL made by `form_post_url`; None for a GET."""
    parts = urlsplit(url)
    return parts.query if parts.fragment == FORM_POST else None


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
