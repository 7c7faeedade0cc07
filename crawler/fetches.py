"""Fetch provenance: one FetchRecord per HTTP response or failed request, and the signals
that carry them (and recorded threads) from the spider to the pipeline and the runner.

Responses are seen by the pipeline through Scrapy's `response_received`; requests that
never got a response (connection refused, timeout, robots.txt) reach it through
`fetch_failed`, which the spider sends from its errbacks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from crawler.encoding import Decoded, decode_body
from crawler.middlewares.received import RECEIVED, ReceivedBody
from storage.records import FetchRecord

__all__ = ["body_sha256", "decode_response", "fetch_failed", "record_for_failure", "record_for_response", "thread_recorded"]

# Custom signals are plain sentinels in Scrapy.
fetch_failed = object()  # kwargs: request, failure, spider
thread_recorded = object()  # kwargs: thread (thread_fetch.FinishedThread), result (RecordResult), spider


# request.meta key of the encoding decision for the response's body (Decoded or None).
_DECODED = "palimpsest_decoded"

# Bodies decoded as text: markup, feeds, sitemaps and JSON (charset decided from the bytes).
_TEXT_TYPES = ("text/html", "application/xhtml", "application/json", "text/xml",
               "application/xml", "application/rss", "application/atom")


def _received(response: Any) -> ReceivedBody:
    """The body as the server sent it (`ReceivedBodyMiddleware`); the body at hand for a
    response that did not pass it."""
    request = getattr(response, "request", None)
    found: ReceivedBody | None = request.meta.get(RECEIVED) if request is not None else None
    if found is None:
        found = ReceivedBody(response.body)
        if request is not None:
            request.meta[RECEIVED] = found
    return found


def body_sha256(response: Any) -> str:
    """sha256 (hex) of the response body as the server sent it, computed once."""
    return _received(response).sha256


def decode_response(response: Any) -> Decoded | None:
    """How the response's body is read as text (`crawler.encoding.decode_body`), decided
    once per response; None for a body that is not text (an image, a 304's empty one)."""
    request = getattr(response, "request", None)
    meta = request.meta if request is not None else {}
    if _DECODED in meta:
        return meta[_DECODED]  # type: ignore[no-any-return]
    ctype = (_header(response.headers, "Content-Type") or "").lower()
    decoded = None
    if response.body and ctype.startswith(_TEXT_TYPES):
        decoded = decode_body(response.body, {"content-type": ctype})
    meta[_DECODED] = decoded
    return decoded


def _header(headers: Any, name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        return None
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _elapsed_ms(meta: dict[str, Any]) -> int | None:
    latency = meta.get("download_latency")
    return None if latency is None else int(latency * 1000)


def record_for_response(response: Any, request: Any, *, fetched_at: datetime | None = None) -> FetchRecord:
    """The fetch row for a Scrapy response (`request` is the one that produced it): the
    body's hash and size as received, and the encoding it is read with."""
    meta = request.meta if request is not None else {}
    received = _received(response)
    decoded = decode_response(response)
    return FetchRecord(
        url=response.url,
        status=response.status,
        fetched_at=fetched_at or datetime.now(UTC),
        size=received.size,
        sha256=received.sha256,
        encoding=decoded.encoding if decoded is not None else None,
        elapsed_ms=_elapsed_ms(meta),
        content_type=_header(response.headers, "Content-Type"),
        method=request.method if request is not None else "GET",
        warc_file=meta.get("warc_file"),
        warc_offset=meta.get("warc_offset"),
    )


def record_for_failure(request: Any, failure: Any, *, fetched_at: datetime | None = None) -> FetchRecord:
    """The fetch row for a request that got no response; status 0 means none."""
    error = failure.getErrorMessage() if hasattr(failure, "getErrorMessage") else str(failure)
    kind = type(getattr(failure, "value", failure)).__name__
    return FetchRecord(
        url=request.url,
        status=0,
        fetched_at=fetched_at or datetime.now(UTC),
        size=0,
        method=request.method,
        elapsed_ms=_elapsed_ms(request.meta),
        error=f"{kind}: {error}"[:500],
    )
