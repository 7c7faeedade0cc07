"""Generated blogs on loopback hosts for the fleet tests, each server logging its requests.

Every blog is a `bench.sitegen` site served by a fault server (tests/faults) on a
loopback address of its own, 127.0.0.2, 127.0.0.3, ...: another address is another
host to Scrapy and to the shared pace, and blogs given the same address share a host
(on ports of their own), as two blogs on one server do. Each server records when each
request arrived (`FaultServer.arrivals`, its own clock), which the politeness tests read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from itertools import pairwise
from pathlib import Path

from bench.sitegen import SiteSpec, generate_site
from tests.faults.server import Fault, FaultServer, serve_faults


@contextmanager
def serve_blogs(root: Path, hosts: Mapping[str, str], *, posts: int = 3, comments: int = 6,
                faults: Mapping[str, list[Fault]] | None = None,
                robots_extra: Mapping[str, str] | None = None) -> Iterator[dict[str, FaultServer]]:
    """One generated blog per source key, on the given loopback host; yield the servers."""
    with ExitStack() as stack:
        servers = {}
        for i, (key, host) in enumerate(hosts.items()):
            site = root / key
            site.mkdir(parents=True, exist_ok=True)
            server = stack.enter_context(serve_faults(directory=site, host=host,
                                                      faults=(faults or {}).get(key)))
            spec = SiteSpec(posts=posts, comments=comments, per_page=50, page_kb=1, seed=7 + i)
            generate_site(site, spec, server.base_url)
            extra = (robots_extra or {}).get(key)
            if extra:
                robots = site / "robots.txt"
                robots.write_text(robots.read_text() + extra)
            servers[key] = server
        yield servers


def write_sources(path: Path, urls: Mapping[str, str], *, delay: float,
                  concurrency: int = 2, cron: str | None = None) -> Path:
    """A config crawling each blog (HTML route, the sites have no REST API).

    `cron`: every source's schedule (six fields put seconds first), without jitter.
    """
    lines = ["[topic]", 'name = "test"', 'keywords = ["deportation*", "CECOT"]', "",
             "[crawl]", f"delay_seconds = {delay}", f"concurrency_per_host = {concurrency}", ""]
    if cron:
        lines += ["[schedule]", f'cron = "{cron}"', 'timezone = "UTC"', "jitter_seconds = 0",
                  "misfire_grace_seconds = 3600", ""]
    for key, url in urls.items():
        lines += ["[[sources]]", f'key = "{key}"', f'name = "{key}"', f'url = "{url}/"',
                  "use_rest = false", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def gaps_by_host(servers: Mapping[str, FaultServer]) -> dict[str, list[float]]:
    """Per host, the gaps between consecutive request arrivals over all its servers."""
    arrivals: dict[str, list[float]] = {}
    for server in servers.values():
        arrivals.setdefault(server.host, []).extend(t for t, _ in server.arrivals)
    return {host: [b - a for a, b in pairwise(sorted(times))] for host, times in arrivals.items()}
