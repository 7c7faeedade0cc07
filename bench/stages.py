"""The measured stages of the benchmark, each run in a process of its own.

    python -m bench.stages STAGE JSON_ARGS   -> prints one line: "bench-result: {...}"

A process per stage because Twisted's reactor runs once per process, and so that each
stage's peak RSS is its own (the parent reads it with os.wait4). Inside, only the work
is timed: wall time, and CPU time of this process and its children (getrusage), not
the imports or the loading of pages into memory.
"""

from __future__ import annotations

import importlib
import json
import resource
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["RESULT_PREFIX", "STAGES", "thread_pages"]

RESULT_PREFIX = "bench-result: "


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


@contextmanager
def _timed(out: dict[str, Any]) -> Iterator[None]:
    wall, cpu = time.perf_counter(), _cpu()
    yield
    out["wall_s"] = time.perf_counter() - wall
    out["cpu_s"] = _cpu() - cpu


# -- crawling -------------------------------------------------------------------------


def fetch_only(args: dict[str, Any]) -> dict[str, Any]:
    """Scrapy downloads the crawl's URL list with the crawl's settings; nothing is parsed."""
    from scrapy.crawler import CrawlerProcess

    from bench.fetch_spider import FetchOnlySpider
    from bench.sitegen import read_urls
    from crawler.runner import crawl_settings, fewer_gc_passes

    urls = read_urls(Path(args["site"]))
    settings = crawl_settings(config_path=None, db_url="sqlite://", overrides=args["overrides"])
    # Same downloader stack as the crawl; no archive pipeline, no resume middleware.
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("SPIDER_MIDDLEWARES", {}, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(FetchOnlySpider)
    out: dict[str, Any] = {}
    with _timed(out):
        process.crawl(crawler, urls=urls)
        with fewer_gc_passes():  # as run_crawl does: the limit gets the same process set-up
            process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    spider = crawler.spider
    # Only 200s count: a page that was not served is not a page fetched.
    out["pages"] = int(stats.get("downloader/response_status_count/200", 0))
    if out["pages"] < len(urls):  # robots.txt is fetched once more by Scrapy itself
        raise SystemExit(f"fetch-only: {out['pages']} pages of {len(urls)} answered 200")
    out["bytes"] = int(getattr(spider, "bytes", 0))
    return out


def crawl(args: dict[str, Any]) -> dict[str, Any]:
    """`palimpsest crawl` of the site (crawler.runner.run_crawl), version rows counted."""
    # Imported before the clock starts, as fetch_only imports Scrapy before its own: the
    # crawl is timed from run_crawl on, not from the interpreter's module loading.
    for module in ("scrapy.crawler", "crawler.spiders.archive", "storage.archive", "storage.locks"):
        importlib.import_module(module)
    from crawler.runner import run_crawl

    before = _version_rows(args["db"])
    out: dict[str, Any] = {}
    with _timed(out):
        summary = run_crawl(args["source"], config_path=args["config"], db_url=args["db"],
                            overrides=args["overrides"])
    after = _version_rows(args["db"])
    if summary.status != "ok":  # a failed crawl's speed means nothing: stop the benchmark
        raise SystemExit(f"crawl {summary.status}: {summary}")
    out.update(pages=summary.pages, status=summary.status, posts=summary.posts,
               comments=summary.comments, errors=summary.errors,
               version_rows_written=after - before, problems=list(summary.problems[:5]))
    return out


def _version_rows(db_url: str) -> int:
    import sqlalchemy as sa

    from storage.engine import open_engine

    engine = open_engine(db_url)
    try:
        with engine.connect() as conn:
            return sum(int(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one())
                       for t in ("post_version", "comment_version"))
    finally:
        engine.dispose()


# -- parsing --------------------------------------------------------------------------


def thread_pages(site: Path, base: str, posts: int) -> list[list[tuple[str, bytes]]]:
    """The first `posts` threads of the site as (url, body) pages, read from disk."""
    from bench.sitegen import read_urls

    threads: dict[str, list[tuple[str, bytes]]] = {}
    for url in read_urls(site):
        path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
        if not path.startswith("20"):  # /YYYY/MM/post-N/...: thread pages only
            continue
        post = "/".join(path.split("/")[:3])
        if post not in threads and len(threads) >= posts:
            continue
        body = (site / path / "index.html").read_bytes()
        threads.setdefault(post, []).append((base.rstrip("/") + "/" + path, body))
    return list(threads.values())


def _snapshots(threads: list[list[tuple[str, bytes]]]) -> list[Any]:
    """palimpsest's per-thread work: parse every page, assemble, normalize."""
    from crawler.normalize.thread import normalize_thread
    from crawler.page import Page
    from crawler.parsers.wordpress_html import parse_post_page
    from crawler.thread import assemble_thread

    now = datetime.now(UTC)
    done = []
    for pages in threads:
        parsed = [parse_post_page(Page(url=u, body=b, fetched_at=now,
                                              headers={"content-type": "text/html; charset=UTF-8"}))
                  for u, b in pages]
        snapshot = assemble_thread(
            source_key="bench", post=parsed[0].post,
            pages=[p.comments for p in sorted(parsed, key=lambda p: p.comment_page or 1)],
            complete=True, fetched_at=now, expected_comment_count=parsed[0].post.comment_count_displayed,
        )
        done.append(normalize_thread(snapshot))
    return done


def parse(args: dict[str, Any]) -> dict[str, Any]:
    """Per-page parsing of the same thread pages by `args["engine"]`."""
    threads = thread_pages(Path(args["site"]), args["base"], args["posts"])
    bodies = [b for pages in threads for _, b in pages]
    engine = args["engine"]
    out: dict[str, Any] = {"pages": len(bodies), "bytes": sum(map(len, bodies))}
    if engine == "palimpsest":
        with _timed(out):
            snapshots = _snapshots(threads)
        out["comments"] = sum(len(s.comments) for s in snapshots)
    elif engine == "lxml":
        import lxml.html

        with _timed(out):
            for body in bodies:
                lxml.html.fromstring(body)
    elif engine == "trafilatura":
        import trafilatura

        chars = 0
        with _timed(out):
            for body in bodies:
                chars += len(trafilatura.extract(body, include_comments=True) or "")
        out["chars"] = chars
    else:
        raise SystemExit(f"unknown parse engine {engine!r}")
    return out


# -- writing --------------------------------------------------------------------------


def write(args: dict[str, Any]) -> dict[str, Any]:
    """Archive.record of parsed, normalized threads into a fresh SQLite archive."""
    from storage.archive import Archive
    from storage.engine import open_engine
    from storage.records import ThreadCheck

    snapshots = _snapshots(thread_pages(Path(args["site"]), args["base"], args["posts"]))
    engine = open_engine(args["db"])
    archive = Archive(engine)
    archive.ensure_source("bench", "Bench Blog", args["base"], "wordpress")
    crawl_id = archive.start_crawl("bench", "manual")
    out: dict[str, Any] = {"threads": len(snapshots)}
    written = 0
    with _timed(out):
        for snapshot in snapshots:
            check = ThreadCheck(checked_at=snapshot.fetched_at)
            written += archive.record(snapshot, crawl_id, check).new_comment_versions
    engine.dispose()
    out["comment_versions"] = written
    return out


def raw_sqlite(args: dict[str, Any]) -> dict[str, Any]:
    """The same comment and comment_version rows by plain sqlite3 executemany.

    Same schema (created by the archive's migrations), same pragmas as storage.engine
    (WAL, synchronous=NORMAL), one transaction per thread like the writer. What it does
    not do: compare with current versions, hash, authors, aliases, reply/quote edges,
    the post version: that is the writer's work the ratio prices.
    """
    from storage.engine import open_engine
    from storage.hashing import comment_hash

    snapshots = _snapshots(thread_pages(Path(args["site"]), args["base"], args["posts"]))
    open_engine(args["db"]).dispose()  # the schema
    path = args["db"].removeprefix("sqlite:///")
    now = datetime.now(UTC).isoformat()
    prepared = []
    for s in snapshots:
        rows = [(c.external_id, comment_hash(c), c.author_raw, c.author_url,
                 c.published_at.isoformat() if c.published_at else None, c.threaded_parent_external_id,
                 c.parent_external_id, c.body_html, c.body_text, c.own_text, c.position, c.page)
                for c in s.comments]
        prepared.append((s.post.external_id, s.post.url, rows))
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("INSERT INTO source (key, name, url, platform, created_at) VALUES ('bench', 'b', 'u', 'wordpress', ?)",
                (now,))
    con.execute("INSERT INTO crawl (source_id, trigger, status, started_at) VALUES (1, 'manual', 'running', ?)", (now,))
    out: dict[str, Any] = {"threads": len(prepared)}
    written = 0
    with _timed(out):
        for post_external_id, url, rows in prepared:
            con.execute("BEGIN IMMEDIATE")
            post_id = con.execute(
                "INSERT INTO post (source_id, external_id, url, first_seen_at, last_seen_at) "
                "VALUES (1, ?, ?, ?, ?) RETURNING id", (post_external_id, url, now, now)).fetchone()[0]
            con.executemany("INSERT INTO comment (post_id, external_id, first_seen_at, last_seen_at) "
                            "VALUES (?, ?, ?, ?)", [(post_id, r[0], now, now) for r in rows])
            ids = dict(con.execute("SELECT external_id, id FROM comment WHERE post_id = ?", (post_id,)))
            con.executemany(
                "INSERT INTO comment_version (comment_id, version, valid_from, crawl_id, content_hash, deleted, "
                "author_raw, author_url, published_at, threaded_parent_external_id, parent_external_id, "
                "body_html, body_text, own_text, position, page) "
                "VALUES (?, 1, ?, 1, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(ids[r[0]], now, *r[1:]) for r in rows])
            con.execute("COMMIT")
            written += len(rows)
    con.close()
    out["comment_versions"] = written
    return out


STAGES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "fetch_only": fetch_only,
    "crawl": crawl,
    "parse": parse,
    "write": write,
    "raw_sqlite": raw_sqlite,
}


def main(argv: list[str]) -> int:
    stage, args = argv[0], json.loads(argv[1])
    result = STAGES[stage](args)
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
