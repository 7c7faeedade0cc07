"""The fault-handling middlewares, crawled for real through the fault server.

Each test runs a tiny Scrapy crawl (`tests.faults.probe`) in a subprocess, since a
Twisted reactor cannot be restarted in one process, against 127.0.0.1 only.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from tests.faults.probe import run_probe
from tests.faults.server import Fault, FaultServer, serve_faults

pytestmark = pytest.mark.slow  # real crawls in child processes

TEXT = "Zoë “quoted” café"
PAGE = f"<html><head><meta charset='utf-8'></head><body><p>{TEXT}</p></body></html>".encode()
HTML = {"Content-Type": "text/html; charset=UTF-8"}

# Tiny delays keep the suite fast; the politeness logic is the same at any scale.
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "PALIMPSEST_BACKOFF_BASE": 0.05,
    "PALIMPSEST_BACKOFF_MAX": 0.2,
    "DOWNLOAD_TIMEOUT": 5,
    "RETRY_TIMES": 2,
}


def site(
    robots: str = "User-agent: *\nDisallow:\n",
) -> dict[str, tuple[int, dict[str, str], bytes]]:
    pages = {f"/p{i}": (200, HTML, PAGE) for i in range(10)}
    pages["/robots.txt"] = (200, {"Content-Type": "text/plain"}, robots.encode())
    return pages


@pytest.fixture
def upstream() -> Iterator[FaultServer]:
    with serve_faults(pages=site()) as up:
        yield up


def crawl(fs: FaultServer, paths: list[str], **settings: Any) -> dict[str, Any]:
    return run_probe([fs.base_url + p for p in paths], {**FAST, **settings})


def faults(result: dict[str, Any], kind: str) -> list[dict[str, str]]:
    return [f for f in result["stats"].get("palimpsest/faults", []) if f["kind"] == kind]


def test_crawl_delay_from_robots_is_applied() -> None:
    with serve_faults(pages=site("User-agent: *\nCrawl-delay: 0.4\n")) as fs:
        result = crawl(fs, ["/p1", "/p2", "/p3", "/p4"], CONCURRENT_REQUESTS_PER_DOMAIN=2)
    times = sorted(r["at"] for r in result["results"])
    assert len(times) == 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.3, gaps  # 0.4 s, minus scheduling noise
    assert result["stats"]["palimpsest/crawl_delay/127.0.0.1"] == 0.4  # per download slot


def test_retry_after_is_honoured(upstream: FaultServer) -> None:
    fault = Fault("retry_after", r"^/p1$", status=429, retry_after=1, times=1)
    with serve_faults(upstream.base_url, [fault]) as fs:
        result = crawl(fs, ["/p1"])
    (page,) = result["results"]
    assert page["status"] == 200 and page["retry_times"] == 1
    assert page["at"] >= 1.0  # not before the second the server asked for
    (logged,) = faults(result, "retry_after")
    assert logged["url"] == fs.base_url + "/p1" and logged["outcome"].startswith("retried")


def test_long_retry_after_pauses_the_host(upstream: FaultServer) -> None:
    fault = Fault("retry_after", r"^/p", status=503, retry_after=3600)
    with serve_faults(upstream.base_url, [fault]) as fs:
        result = crawl(fs, [f"/p{i}" for i in range(6)], CONCURRENT_REQUESTS_PER_DOMAIN=1)
        asked = [r for r in fs.requests if r.startswith("/p")]
    assert len(asked) == 1  # one 503, then nothing: the host asked us to leave
    assert any("paused" in r for r in result["stats"]["palimpsest/partial_reasons"])
    assert len(faults(result, "host_paused")) == 5


def test_failing_host_is_paused_not_hammered(upstream: FaultServer) -> None:
    with serve_faults(upstream.base_url, [Fault("status", r"^/p", status=500)]) as fs:
        result = crawl(
            fs,
            [f"/p{i}" for i in range(10)],
            PALIMPSEST_HOST_MAX_FAILURES=4,
            CONCURRENT_REQUESTS_PER_DOMAIN=1,
        )
        asked = [r for r in fs.requests if r.startswith("/p")]
    assert len(asked) == 4
    (reason,) = result["stats"]["palimpsest/partial_reasons"]
    assert "4 failures in a row" in reason and fs.base_url in reason
    assert len(faults(result, "http_500")) == 4
    skipped = faults(result, "host_paused")
    assert {f["url"] for f in skipped} | {f["url"] for f in faults(result, "http_500")} >= {
        fs.base_url + f"/p{i}" for i in range(10)
    }


def test_transient_faults_are_retried_with_backoff(upstream: FaultServer) -> None:
    plan = [
        Fault("status", r"^/p1$", status=502, times=2),
        Fault("slow", r"^/p2$", delay=2.0, times=1),
        Fault("truncate", r"^/p3$", lie_length=True, times=1),
        # times=2: Twisted silently re-sends once on a dropped persistent connection.
        Fault("drop", r"^/p4$", times=2),
    ]
    with serve_faults(upstream.base_url, plan) as fs:
        result = crawl(fs, ["/p1", "/p2", "/p3", "/p4"], DOWNLOAD_TIMEOUT=0.7)
    ok = {r["url"].rsplit("/", 1)[1]: r for r in result["results"] if r.get("status") == 200}
    assert set(ok) == {"p1", "p2", "p3", "p4"}
    assert TEXT in ok["p3"]["text"]
    assert [f["outcome"][:7] for f in faults(result, "http_502")] == ["retried"] * 2
    assert (
        faults(result, "timeout")
        and faults(result, "truncated")
        and faults(result, "connection_lost")
    )


@pytest.mark.parametrize(("kind", "encoding", "problem", "ctype", "first"), [
    ("wrong_charset", "cp1252", "mislabelled", "text/html; charset=UTF-8", "3c"),
    ("no_charset", "cp1252", "undeclared", "text/html", "3c"),
    ("bom", "utf-8", "bom", "text/html; charset=ISO-8859-1", "efbbbf"),
])
def test_mislabelled_encodings_are_read_right_and_the_response_is_kept_as_sent(
    upstream: FaultServer, kind: str, encoding: str, problem: str, ctype: str, first: str
) -> None:
    with serve_faults(upstream.base_url, [Fault(kind, r"^/p1$")]) as fs:  # type: ignore[arg-type]
        result = crawl(fs, ["/p1"])
    (page,) = result["results"]
    # The decision (crawler.fetches.decode_response) reads the text right ...
    assert TEXT in page["decoded"]
    assert (page["encoding"], page["encoding_problem"]) == (encoding, problem)
    # ... and nothing rewrote the response: its header and bytes are the server's.
    assert page["content_type"] == ctype
    assert page["body_hex"].startswith(first)


def test_redirect_loop_and_offsite_redirect_are_stopped(upstream: FaultServer) -> None:
    plan = [Fault("redirect_loop", r"^/p1"), Fault("offsite_redirect", r"^/p2$")]
    with serve_faults(upstream.base_url, plan) as fs:
        result = crawl(fs, ["/p1", "/p2"])
        assert fs.offsite_hits == []
    errors = {r["url"].rsplit("/", 1)[1]: r["error"] for r in result["results"]}
    assert "redirect loop" in errors["p1"] and "off-site" in errors["p2"]
    assert faults(result, "redirect_loop")[0]["url"] == fs.base_url + "/p1"
    assert faults(result, "offsite_redirect")[0]["url"] == fs.base_url + "/p2"


def test_huge_page_is_refused(upstream: FaultServer) -> None:
    with serve_faults(upstream.base_url, [Fault("huge", r"^/p1$", size=3_000_000)]) as fs:
        result = crawl(fs, ["/p1"], DOWNLOAD_MAXSIZE=1_000_000)
    (page,) = result["results"]
    assert "error" in page
    (logged,) = faults(result, "too_large")
    assert logged["url"] == fs.base_url + "/p1" and logged["outcome"] == "not retried"
