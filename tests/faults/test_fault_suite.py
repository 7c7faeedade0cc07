"""The fault suite: crawl a blog through the fault server and check nothing is lost or invented.

A generated WordPress-like blog (bench.sitegen: 8 posts, 25 comments each, 3 comment
pages) is served by the fault server and crawled three times into one archive, on
SQLite and on PostgreSQL:

1. clean: the baseline;
2. through a plan of faults, one family per thread (errors, Retry-After, timeouts,
   dropped connections, truncated bodies, wrong charsets, garbage, a comment-page trap,
   huge pages, redirect loops, off-site redirects);
3. clean again.

Asserted: no false deletion, no duplicated comment, no invented version; the faulted crawl
ends `partial`; every injected fault appears, with its URL, in the crawl row's stats; the
final clean crawl changes nothing. The outcome of each fault is printed at the end of the
test run (tests/faults/conftest.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bench.sitegen import SiteSpec, generate_site
from tests.crawler.crawling import read_archive, run_crawl, stats_of, write_config
from tests.faults.conftest import FAULT_REPORT
from tests.faults.server import Fault, FaultServer, Injection, serve_faults

pytestmark = pytest.mark.slow  # real crawls in child processes

POSTS, COMMENTS, PER_PAGE = 8, 25, 6  # 4 comment pages per thread (bench.sitegen, seed 7)


def post(i: int) -> str:
    """The path of generated post i (bench.sitegen's scheme)."""
    return f"/2025/{1 + i % 12:02d}/post-{i}/"


def page(i: int, n: int) -> str:
    return f"{post(i)}comment-page-{n}/"


def exact(path: str) -> str:
    return "^" + path.replace("?", r"\?") + "$"


FAULT_PLAN: list[Fault] = [
    # Transient: retried, the thread ends complete.
    Fault("status", exact(page(1, 1)), status=500, times=1),
    Fault("retry_after", exact(page(1, 2)), status=429, retry_after=1, times=1),
    Fault("retry_after", exact(post(2)), status=503, retry_after=1, times=1),
    Fault("slow", exact(page(2, 1)), delay=1.6, times=1),
    Fault("drop", exact(page(2, 2)), times=2),  # Twisted re-sends once by itself
    # Persistent: the thread ends partial, and nothing is inferred from it.
    Fault("truncate", exact(page(3, 1)), lie_length=True),
    Fault("truncate", exact(page(4, 1)), fraction=0.6),
    Fault("garbage", exact(page(6, 2))),
    Fault("status", exact(page(7, 1)), status=503),
    Fault("comment_trap", "^" + post(8)),
    # Encodings: decoded right, nothing changes.
    Fault("wrong_charset", exact(post(5))),
    Fault("no_charset", exact(page(5, 1))),
    Fault("bom", exact(page(5, 2))),
    # Discovery: refused or stopped, the other routes still find every post.
    Fault("huge", exact("/feed/"), size=3 * 1024 * 1024),
    Fault("redirect_loop", exact("/?feed=rss2")),
    Fault("offsite_redirect", exact("/?sitemap=index")),
]
PARTIAL_POSTS = {3, 4, 6, 7, 8}


@pytest.fixture
def blog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FaultServer, Path]]:
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "tests.faults.fast_settings")
    root = tmp_path / "site"
    root.mkdir()
    with serve_faults(directory=root) as fs:
        generate_site(
            root,
            SiteSpec(posts=POSTS, comments=COMMENTS, per_page=PER_PAGE, page_kb=4),
            fs.base_url,
        )
        config = write_config(tmp_path, fs.base_url, extra="use_rest = false\n")
        yield fs, config


def crawl(fs: FaultServer, config: Path, db_url: str, faults: list[Fault]) -> dict[str, Any]:
    for fault in faults:
        fault.seen = 0
    fs.faults = faults
    fs.injections = []
    fs.requests = []
    run = run_crawl(config, db_url, timeout=240)
    assert run.returncode == 0, run.stderr[-4000:]
    return read_archive(db_url)


def deleted_versions(db_url: str) -> int:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.text("SELECT count(*) FROM comment_version WHERE deleted")
            ).scalar_one()
    finally:
        engine.dispose()


def where_counted(injection: Injection, stats: dict[str, Any]) -> list[str]:
    """What the crawl's stats say about the injected fault's URL."""
    url = injection.url
    if injection.kind == "comment_trap":
        # The trap is the thread's: counted once, on whichever page hit the limit.
        base = url.split("comment-page-")[0]
        return [f"problem: {p}" for p in stats.get("problems", []) if base in p]
    seen = [f"{f['kind']}: {f['outcome']}" for f in stats.get("faults", []) if f["url"] == url]
    seen += [f"problem: {p}" for p in stats.get("problems", []) if f"{url}:" in p]
    return seen


def report(db: str, injections: list[Injection], stats: dict[str, Any]) -> None:
    FAULT_REPORT.append(
        f"[{db}] crawl status {stats.get('status', '?')}, "
        f"{len(stats.get('faults', []))} faults logged, "
        f"{stats.get('threads_partial', 0)} partial threads"
    )
    trap = [i for i in injections if i.kind == "comment_trap"]
    others = [i for i in injections if i.kind != "comment_trap"]
    if trap:  # one line for the whole trap, not one per page
        detail = f"{len(trap)} pages, each linking to one more"
        others.append(Injection("comment_trap", trap[0].url, detail))
    grouped = Counter((i.kind, i.url, i.detail) for i in others)
    for (kind, url, detail), n in sorted(grouped.items()):
        outcomes = sorted(set(where_counted(Injection(kind, url, detail), stats)))
        path = url.split("/", 3)[3] if url.count("/") >= 3 else url
        FAULT_REPORT.append(f"  {kind:<16} ×{n:<2} /{path} ({detail})")
        FAULT_REPORT.append(f"      -> {'; '.join(outcomes)[:300] or 'NOT COUNTED'}")


def test_faults_lose_nothing_and_invent_nothing(
    blog: tuple[FaultServer, Path], db_url: str
) -> None:
    fs, config = blog
    base = crawl(fs, config, db_url, [])
    assert base["crawls"][-1].status == "ok", stats_of(base["crawls"][-1])
    n_comments = base["counts"]["comment"]
    n_versions = base["counts"]["comment_version"] + base["counts"]["post_version"]
    assert n_comments == POSTS * COMMENTS

    faulted = crawl(fs, config, db_url, FAULT_PLAN)
    row = faulted["crawls"][-1]
    stats = stats_of(row)
    stats["status"] = row.status
    db = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    report(db, list(fs.injections), stats)

    # Every family of the plan was injected, and each injection is in the crawl stats.
    assert {f.kind for f in FAULT_PLAN} == {i.kind for i in fs.injections}
    uncounted = [i for i in fs.injections if not where_counted(i, stats)]
    assert not uncounted, uncounted
    # What could not be fetched made threads partial, and the crawl says so.
    assert row.status == "partial"
    assert stats["threads_partial"] == len(PARTIAL_POSTS), stats
    # Nothing false: no deletion, no duplicate, no new version from a damaged page.
    assert stats["tombstones"] == 0 and deleted_versions(db_url) == 0
    ids = Counter((c.post, c.external_id) for c in faulted["comments"])
    assert max(ids.values()) == 1
    assert faulted["counts"]["comment"] == n_comments
    assert len(faulted["comments"]) == n_comments
    new = faulted["counts"]["comment_version"] + faulted["counts"]["post_version"] - n_versions
    assert new == 0, f"{new} versions invented by the faulted crawl"
    # Requests stayed bounded: the trap stopped, the host was not hammered.
    assert len(fs.requests) < 200

    clean = crawl(fs, config, db_url, [])
    assert clean["crawls"][-1].status == "ok"
    final = clean["counts"]["comment_version"] + clean["counts"]["post_version"]
    assert final == n_versions and deleted_versions(db_url) == 0


def test_dead_host_is_paused_and_the_crawl_ends_partial(
    blog: tuple[FaultServer, Path], db_url: str
) -> None:
    fs, config = blog
    base = crawl(fs, config, db_url, [])
    versions = base["counts"]["comment_version"]
    # After robots.txt the site fails on every request, the home page too: a 200 among
    # the first answers would reset the count of failures in a row.
    dead = crawl(fs, config, db_url, [Fault("status", r"^/(?!robots\.txt)", status=500)])
    row = dead["crawls"][-1]
    stats = stats_of(row)
    assert row.status == "partial", stats
    assert any("paused" in r for r in stats.get("partial_reasons", [])), stats
    failing = [r for r in fs.requests if r != "/robots.txt"]
    # The pause threshold, plus the other requests in flight (concurrency_per_host = 4).
    assert len(failing) <= 12 + 3, failing
    assert dead["counts"]["comment_version"] == versions and deleted_versions(db_url) == 0
    FAULT_REPORT.append(
        f"[{'postgresql' if db_url.startswith('postgresql') else 'sqlite'}] dead host: "
        f"{len(failing)} failing requests then paused; crawl {row.status}; "
        f"{stats.get('partial_reasons', ['?'])[0][:160]}"
    )
