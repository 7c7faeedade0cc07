"""Pure parts of the crawl plumbing: fetch rows from responses and failures, crawl status."""

from __future__ import annotations

import hashlib

from scrapy import Request
from scrapy.http import HtmlResponse
from twisted.internet.error import ConnectionRefusedError
from twisted.python.failure import Failure

from crawler.fetches import record_for_failure, record_for_response
from crawler.pipelines import crawl_status


def test_fetch_row_for_a_response() -> None:
    request = Request("http://127.0.0.1:1/post/", meta={"download_latency": 0.25,
                                                        "warc_file": "a.warc.gz", "warc_offset": 7})
    body = b"<html><body>hi</body></html>"
    response = HtmlResponse(request.url, status=404, body=body, request=request,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    row = record_for_response(response, request)
    assert (row.url, row.status, row.size) == (request.url, 404, len(body))
    assert row.sha256 == hashlib.sha256(body).hexdigest()
    assert row.elapsed_ms == 250 and row.content_type == "text/html; charset=utf-8"
    assert (row.warc_file, row.warc_offset) == ("a.warc.gz", 7)
    assert row.fetched_at.tzinfo is not None and row.error is None


def test_fetch_row_for_a_failure() -> None:
    request = Request("http://127.0.0.1:1/")
    row = record_for_failure(request, Failure(ConnectionRefusedError("nobody home")))
    assert row.status == 0 and row.size == 0 and row.sha256 is None
    assert row.error is not None and row.error.startswith("ConnectionRefusedError")


def status(**kw: int | bool) -> str:
    base: dict[str, int | bool] = {"aborted": False, "ok_responses": 10,
                                   "threads": 3, "partial_threads": 0, "errors": 0}
    base.update(kw)
    return crawl_status(**base)  # type: ignore[arg-type]


def test_crawl_status() -> None:
    assert status() == "ok"
    assert status(partial_threads=1) == "partial"
    assert status(errors=2) == "partial"
    assert status(ok_responses=0, threads=0, errors=5) == "failed"
    assert status(aborted=True) == "aborted"
    assert status(aborted=True, ok_responses=0, threads=0) == "aborted"
    # A site that answered but had nothing on topic is not a failure.
    assert status(threads=0) == "ok"
