"""Downloader middleware: hand the spider bodies it can decode, whatever the site declared.

Runs after decompression (below HttpCompressionMiddleware's 590) and after the WARC
capture has stored the raw bytes. A text response whose charset is mislabelled, missing
or contradicted by a BOM is re-encoded as UTF-8 with ``charset=utf-8``, and the fault is
logged with its URL. The decision itself is `crawler.encoding.decode_body` (pure).
"""

from __future__ import annotations

from typing import Any, Self

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse

from crawler.encoding import decode_body
from crawler.faultlog import note_fault

__all__ = ["EncodingFixMiddleware"]

_TEXT_TYPES = (
    b"text/html",
    b"application/xhtml",
    b"application/json",
    b"text/xml",
    b"application/xml",
    b"application/rss",
    b"application/atom",
)


class EncodingFixMiddleware:
    """Re-encode text responses with an untrustworthy charset as UTF-8."""

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        content_type = (response.headers.get(b"Content-Type") or b"").lower()
        if not isinstance(response, TextResponse) or not content_type.startswith(_TEXT_TYPES):
            return response
        headers = {"content-type": content_type.decode("latin-1")}
        decoded = decode_body(response.body, headers)
        if decoded.problem is None:
            return response  # declared right (or plain UTF-8): Scrapy decodes it fine
        kind = f"encoding_{decoded.problem}"
        detail = f"declared {decoded.declared or 'nothing'}, decoded as {decoded.encoding}"
        note_fault(self.stats, kind, response.url, detail, "re-encoded as UTF-8")
        base_type = content_type.split(b";")[0].decode("latin-1")
        new_headers = response.headers.copy()
        new_headers[b"Content-Type"] = f"{base_type}; charset=utf-8"
        return response.replace(
            body=decoded.text.encode("utf-8"), headers=new_headers, encoding="utf-8"
        )
