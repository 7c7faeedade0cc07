"""Downloader middleware: the hash and size of each body as the server sent it.

Placed next to the download handler (960, beside the WARC capture's 950), so it sees the
body after transfer decoding (de-chunked) but before decompression: the bytes a WARC
response record holds as its payload. `crawler.fetches` reads them for the fetch row
(`fetch.sha256`, `fetch.size`) and for the recrawl's byte-identical check, so each body
is hashed once, and no later middleware's handling can change what provenance says.
"""

from __future__ import annotations

import hashlib
from typing import Any, Self

__all__ = ["RECEIVED", "ReceivedBodyMiddleware"]

# request.meta key: (sha256 hex, size) of the body as received.
RECEIVED = "palimpsest_received"


class ReceivedBodyMiddleware:
    """Note the SHA-256 and size of every response body as it came off the wire."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls()

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        body: bytes = response.body
        request.meta[RECEIVED] = (hashlib.sha256(body).hexdigest(), len(body))
        return response
