"""Politeness held across crawl processes: the shared host pace in PostgreSQL (host_pace).

Two crawls of two blogs on one host, in two processes, keep the host's delay between
all their requests together (measured from the servers' own logs); a Crawl-delay or a
Retry-After heard by one crawl is written for every crawl of that host.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.engine import open_engine
from storage.host_pace import HostPace
from tests.faults.server import Fault

from .conftest import REPO
from .sites import gaps_by_host, serve_blogs, write_sources

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

HOST = "127.0.0.7"


def crawl_together(db_url: str, config: Path, keys: list[str]) -> None:
    """`palimpsest crawl --source KEY` for each key at once, with the shared pace on."""
    env = {**os.environ, "PALIMPSEST_SHARED_PACE": "1"}
    env.pop("PALIMPSEST_CRAWL_COMMAND", None)
    procs = [subprocess.Popen([sys.executable, "-m", "cli", "crawl", "--source", key, "--db",
                               db_url, "--config", str(config)], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for key in keys]
    for proc in procs:
        out, _ = proc.communicate(timeout=180)
        assert proc.returncode == 0, out


def host_row(db_url: str) -> dict[str, object]:
    engine = open_engine(db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT crawl_delay, extract(epoch FROM crawl_delay_until - now()) AS kept,"
                " extract(epoch FROM resume_at - now()) AS resume_in FROM host_pace"
                " WHERE host = :h"), {"h": HOST}).mappings().one()
    finally:
        engine.dispose()
    return dict(row)


def test_two_crawls_of_one_host_keep_its_delay_between_all_their_requests(
    pg_url: str, tmp_path: Path
) -> None:
    delay = 0.3
    open_engine(pg_url).dispose()
    with serve_blogs(tmp_path / "sites", {"blog-a": HOST, "blog-b": HOST}) as servers:
        config = write_sources(tmp_path / "p.toml", {k: s.base_url for k, s in servers.items()},
                               delay=delay)
        crawl_together(pg_url, config, ["blog-a", "blog-b"])
    # Both blogs were crawled over the same stretch of time (the pace interleaved them).
    a, b = (servers[k].arrivals for k in ("blog-a", "blog-b"))
    assert len(a) >= 8 and len(b) >= 8
    assert a[0][0] < b[-1][0] and b[0][0] < a[-1][0]
    gaps = gaps_by_host(servers)[HOST]
    assert min(gaps) >= delay, sorted(gaps)[:5]


def test_a_crawl_delay_heard_by_one_crawl_paces_the_other(pg_url: str, tmp_path: Path) -> None:
    open_engine(pg_url).dispose()
    with serve_blogs(tmp_path / "sites", {"blog-a": HOST, "blog-b": HOST}, posts=2,
                     robots_extra={"blog-a": "Crawl-delay: 1\n"}) as servers:
        config = write_sources(tmp_path / "p.toml", {k: s.base_url for k, s in servers.items()},
                               delay=0.05)
        crawl_together(pg_url, config, ["blog-a", "blog-b"])
    row = host_row(pg_url)
    assert row["crawl_delay"] == 1.0 and float(row["kept"]) > 86_000  # type: ignore[arg-type]
    robots_at = next(t for t, path in servers["blog-a"].arrivals if path == "/robots.txt")
    later = sorted(t for s in servers.values() for t, _ in s.arrivals if t > robots_at + 1.5)
    assert len(later) >= 4  # blog-b, without a Crawl-delay of its own, was still crawling
    assert min(b - a for a, b in pairwise(later)) >= 1.0


def test_a_retry_after_heard_by_one_crawl_holds_every_crawl_of_the_host(
    pg_url: str, tmp_path: Path
) -> None:
    open_engine(pg_url).dispose()
    fault = Fault("retry_after", r"^/wp-sitemap", times=1, status=503, retry_after=4)
    with serve_blogs(tmp_path / "sites", {"blog-a": HOST}, faults={"blog-a": [fault]}) as servers:
        config = write_sources(tmp_path / "p.toml", {"blog-a": servers["blog-a"].base_url},
                               delay=0.05)
        env_crawl = time.monotonic()
        crawl_together(pg_url, config, ["blog-a"])
        assert time.monotonic() - env_crawl >= 4  # this crawl waited too
    # Written by the crawl: 4 s after the 503, passed since (the crawl went on after it).
    resume_in = host_row(pg_url)["resume_in"]
    assert resume_in is not None and -120 < float(resume_in) <= 0  # type: ignore[arg-type]
    # Another process, another source: the host's row holds it back while it lasts.
    engine = open_engine(pg_url)
    pace = HostPace(engine, margin=0.05)
    pace.note_retry_after(HOST, 2.0)
    assert 1.8 <= pace.reserve(HOST, 0.05) <= 2.0
    engine.dispose()
