"""Downloader middleware: each body as the server sent it, for its hash and size.

Placed next to the download handler (960, beside the WARC capture's 950), so it sees the
body after transfer decoding (de-chunked) but before decompression: the bytes a WARC
response record holds as its payload. `crawler.fetches` reads them for the fetch row
(`fetch.sha256`, `fetch.size`) and for the recrawl's byte-identical check, so each body
is hashed once, when first asked, and no later middleware's handling can change what
provenance says. A downloader that nobody asks (Scrapy alone, as in `make bench`'s
fetch-only limit) hashes nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any, Self

__all__ = ["RECEIVED", "ReceivedBody", "ReceivedBodyMiddleware"]

# request.meta key: the ReceivedBody of the response.
RECEIVED = "palimpsest_received"


class ReceivedBody:
    """A body as it came off the wire: its size, and its SHA-256 computed once, on demand.

    Holds the bytes themselves (a reference, not a copy) until the response is done with;
    only a compressed body, which decompression replaces on the response, is kept alive
    for longer than it would have been.
    """

    __slots__ = ("_body", "_sha256")

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._sha256: str | None = None

    @property
    def size(self) -> int:
        return len(self._body)

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = hashlib.sha256(self._body).hexdigest()
        return self._sha256


class ReceivedBodyMiddleware:
    """Keep every response body as it came off the wire (`RECEIVED` in the request's meta)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls()

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        request.meta[RECEIVED] = ReceivedBody(response.body)
        return response
