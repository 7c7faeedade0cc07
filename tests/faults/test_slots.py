"""Politeness on Scrapy's download slots, timed by the servers' own request logs.

Each test crawls one or two fault servers (`tests.faults.probe`, one child process each)
and reads when each request arrived, by the server's clock: the delay between requests
to a host, robots.txt Crawl-delay under AutoThrottle, one request at a time when asked,
and a Retry-After that holds back its own host and no other.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.faults.probe import run_probe
from tests.faults.server import Fault, FaultServer, serve_faults
from tests.faults.test_middlewares import FAST, site

pytestmark = pytest.mark.slow  # real crawls in child processes

# A request's arrival lags its start by the connection's set-up, a little more for a new
# connection than for a kept one: a gap may look this much shorter at the server.
CLOCK_SLACK = 0.02


def gaps(fs: FaultServer) -> list[float]:
    """Seconds between consecutive arrivals at the server, robots.txt included."""
    times = [at for at, _ in fs.arrivals]
    return [b - a for a, b in itertools.pairwise(times)]


def crawl(servers: list[FaultServer], pages: int, **settings: Any) -> dict[str, Any]:
    urls = [fs.base_url + f"/p{i}" for i in range(pages) for fs in servers]
    return run_probe(urls, {**FAST, **settings})


def test_requests_to_a_host_are_never_closer_than_the_delay() -> None:
    with serve_faults(pages=site()) as fs:
        result = crawl([fs], 6, DOWNLOAD_DELAY=0.3, CONCURRENT_REQUESTS_PER_DOMAIN=2)
    assert len(result["results"]) == 6 and len(fs.arrivals) == 7  # robots.txt first
    # [0]: robots.txt, the crawl's first connection, whose set-up on a loaded machine
    # can delay its arrival past the slack.
    assert min(gaps(fs)[1:]) >= 0.3 - CLOCK_SLACK, gaps(fs)


def test_crawl_delay_holds_under_autothrottle() -> None:
    # AutoThrottle's only floor is DOWNLOAD_DELAY (0 here); against a server that answers
    # in a millisecond it would soon start requests back to back.
    robots = "User-agent: *\nCrawl-delay: 0.4\n"
    with serve_faults(pages=site(robots)) as fs:
        result = crawl(
            [fs],
            6,
            DOWNLOAD_DELAY=0,
            AUTOTHROTTLE_ENABLED=True,
            AUTOTHROTTLE_START_DELAY=0.05,
            AUTOTHROTTLE_TARGET_CONCURRENCY=2.0,
            CONCURRENT_REQUESTS_PER_DOMAIN=2,
        )
    assert len(result["results"]) == 6
    assert min(gaps(fs)[1:]) >= 0.4 - CLOCK_SLACK, gaps(fs)  # [0]: robots.txt, as above


def test_one_request_at_a_time_without_a_delay() -> None:
    # Each page takes 0.3 s: with one request at a time, none arrives sooner after the last.
    slow = Fault("slow", r"^/p", delay=0.3)
    with serve_faults(pages=site()) as upstream, serve_faults(upstream.base_url, [slow]) as fs:
        result = crawl([fs], 4, DOWNLOAD_DELAY=0, CONCURRENT_REQUESTS_PER_DOMAIN=1)
    assert [r["status"] for r in result["results"]] == [200] * 4
    assert min(gaps(fs)[1:]) >= 0.3 - CLOCK_SLACK, gaps(fs)


def test_retry_after_pauses_its_host_only() -> None:
    # Both hosts ask for 0.2 s between requests. A answers its first page, 0.7 s in, with
    # "come back in 2 s"; B (another loopback address, so another download slot) goes on
    # at its own pace meanwhile, and A's pages wait.
    robots = "User-agent: *\nCrawl-delay: 0.2\n"
    busy = Fault("retry_after", r"^/p0$", status=429, retry_after=2, times=1, delay=0.7)
    with (
        serve_faults(pages=site(robots)) as upstream,
        serve_faults(upstream.base_url, [busy]) as a,
        serve_faults(pages=site(robots), host="127.0.0.2") as b,
    ):
        result = crawl([a, b], 8, DOWNLOAD_DELAY=0, CONCURRENT_REQUESTS_PER_DOMAIN=2)
    assert sum(r["status"] == 200 for r in result["results"]) == 16
    first, retried = [at for at, path in a.arrivals if path == "/p0"]
    answered = first + 0.7  # when the 429 left the server
    window = (answered + CLOCK_SLACK, answered + 2 - CLOCK_SLACK)
    assert not [p for at, p in a.arrivals if window[0] <= at < window[1]], a.arrivals
    assert retried >= window[1]
    assert sum(at >= window[1] for at, _ in a.arrivals) >= 5  # the rest of A came after
    assert sum(window[0] <= at < window[1] for at, _ in b.arrivals) >= 4, b.arrivals
