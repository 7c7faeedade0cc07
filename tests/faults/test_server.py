"""The fault server itself: each fault does what it says, and is logged with its URL."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest

from tests.faults.server import Fault, FaultServer, serve_faults

POST = "<html><head><meta charset='utf-8'></head><body><p>Zoë “hi”</p></body></html>"


@pytest.fixture
def upstream() -> Iterator[FaultServer]:
    pages = {
        "/post/": (200, {"Content-Type": "text/html; charset=UTF-8"}, POST.encode()),
        "/wp-json/wp/v2/posts": (
            200,
            {"Content-Type": "application/json"},
            b'[{"link": "http:\\/\\/UP\\/post\\/"}]',
        ),
    }
    with serve_faults(pages=pages) as site:
        # Bodies may name the upstream's own address; the wrapper must rewrite it.
        link = site.base_url.encode().replace(b"/", rb"\/")
        pages["/wp-json/wp/v2/posts"] = (
            200,
            {"Content-Type": "application/json"},
            b'[{"link": "' + link + rb'\/post\/"}]',
        )
        yield site


def get(base: str, path: str, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_proxies_and_rewrites_links(upstream: FaultServer) -> None:
    with serve_faults(upstream=upstream.base_url) as fs:
        status, _, body = get(fs.base_url, "/wp-json/wp/v2/posts")
        assert status == 200
        assert json.loads(body)[0]["link"] == f"{fs.base_url}/post/"
        assert fs.injections == []


def test_status_times_then_recovers(upstream: FaultServer) -> None:
    with serve_faults(upstream.base_url, [Fault("status", r"^/post/", status=500, times=2)]) as fs:
        assert [get(fs.base_url, "/post/")[0] for _ in range(3)] == [500, 500, 200]
        assert [i.url for i in fs.injections] == [f"{fs.base_url}/post/"] * 2


def test_retry_after(upstream: FaultServer) -> None:
    with serve_faults(
        upstream.base_url, [Fault("retry_after", "/post/", status=429, retry_after=7)]
    ) as fs:
        status, headers, _ = get(fs.base_url, "/post/")
        assert (status, headers["retry-after"]) == (429, "7")


def test_wrong_charset_and_bom(upstream: FaultServer) -> None:
    faults = [Fault("wrong_charset", "/post/", times=1), Fault("bom", "/post/", times=1)]
    with serve_faults(upstream.base_url, faults) as fs:
        _, headers, body = get(fs.base_url, "/post/")
        assert "utf-8" in headers["content-type"].lower()
        assert "Zoë “hi”".encode("cp1252") in body
        _, headers, body = get(fs.base_url, "/post/")
        assert body.startswith(b"\xef\xbb\xbf") and "iso-8859-1" in headers["content-type"].lower()


def test_truncate_with_lying_length_is_data_loss(upstream: FaultServer) -> None:
    faults = [Fault("truncate", "/post/", lie_length=True)]
    with serve_faults(upstream.base_url, faults) as fs, pytest.raises(http.client.IncompleteRead):
        get(fs.base_url, "/post/")


def test_comment_trap_never_ends(upstream: FaultServer) -> None:
    with serve_faults(upstream.base_url, [Fault("comment_trap", r"^/post/")]) as fs:
        for n in (1, 2, 3):
            path = "/post/" if n == 1 else f"/post/comment-page-{n}/"
            _, _, body = get(fs.base_url, path)
            assert f"/post/comment-page-{n + 1}/#comments".encode() in body
            assert "Zoë".encode() in body


def test_huge_and_garbage(upstream: FaultServer) -> None:
    faults = [Fault("huge", "/huge", size=2_000_000), Fault("garbage", "/junk")]
    with serve_faults(upstream.base_url, faults) as fs:
        assert len(get(fs.base_url, "/huge")[2]) == 2_000_000
        assert len(get(fs.base_url, "/junk")[2]) == 4096


def test_offsite_redirect_target_is_counted(upstream: FaultServer) -> None:
    with serve_faults(upstream.base_url, [Fault("offsite_redirect", "/post/")]) as fs:
        status, headers, _ = get(fs.base_url, "/post/")
        assert status == 302 and headers["location"].startswith("http://localhost:")
        assert fs.offsite_hits == []


def test_refuses_non_local_upstream() -> None:
    with pytest.raises(ValueError):
        FaultServer(upstream="http://example.com/")
