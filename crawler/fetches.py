"""Fetch provenance: one FetchRecord per HTTP response or failed request, and the signals
that carry them (and recorded threads) from the spider to the pipeline and the runner.

Responses are seen by the pipeline through Scrapy's `response_received`; requests that
never got a response (connection refused, timeout, robots.txt) reach it through
`fetch_failed`, which the spider sends from its errbacks.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from storage.records import FetchRecord

__all__ = ["body_sha256", "fetch_failed", "record_for_failure", "record_for_response", "thread_recorded"]

# Custom signals are plain sentinels in Scrapy.
fetch_failed = object()  # kwargs: request, failure, spider
thread_recorded = object()  # kwargs: thread (ThreadSnapshot), result (RecordResult), spider


# request.meta key of (body, its sha256): the fetch row hashes every body, and the spider
# compares a post page's hash with the last complete crawl's, so it is computed once.
_BODY_SHA256 = "palimpsest_body_sha256"


def body_sha256(response: Any) -> str:
    """sha256 (hex) of the response body, computed once per response."""
    body: bytes = response.body
    request = getattr(response, "request", None)
    meta = request.meta if request is not None else None
    cached = meta.get(_BODY_SHA256) if meta is not None else None
    if cached is not None and cached[0] is body:
        return str(cached[1])
    digest = hashlib.sha256(body).hexdigest()
    if meta is not None:
        meta[_BODY_SHA256] = (body, digest)
    return digest


def _header(headers: Any, name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        return None
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _elapsed_ms(meta: dict[str, Any]) -> int | None:
    latency = meta.get("download_latency")
    return None if latency is None else int(latency * 1000)


def record_for_response(response: Any, request: Any, *, fetched_at: datetime | None = None) -> FetchRecord:
    """The fetch row for a Scrapy response (`request` is the one that produced it)."""
    body: bytes = response.body
    meta = request.meta if request is not None else {}
    return FetchRecord(
        url=response.url,
        status=response.status,
        fetched_at=fetched_at or datetime.now(UTC),
        size=len(body),
        sha256=body_sha256(response),
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
