"""Running one crawl of one source in this process, and several sources one process each.

Twisted's reactor cannot be restarted, so `run_crawl` runs at most once per process;
`run_crawls` starts `python -m crawler.runner --source KEY` per source, one after another.
`palimpsest crawl`, `palimpsest demo`, the scheduler (through `palimpsest crawl`) and the
tests all come through here.

    python -m crawler.runner --source KEY [--config PATH] [--db URL] [--trigger T]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.config import Config, load_config
from crawler.faultlog import ABORT_REASON, failure_reason, note_partial
from storage.errors import CrawlLocked, PalimpsestError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from storage.archive import Archive
    from storage.locks import CrawlLockHandle

__all__ = [
    "SUMMARY_PREFIX",
    "CrawlSummary",
    "crawl_settings",
    "fewer_gc_passes",
    "format_summary",
    "run_crawl",
    "run_crawls",
    "sources_to_crawl",
]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

# The line a crawl subprocess prints last, so the parent can read its summary back.
SUMMARY_PREFIX = "palimpsest-summary: "


@dataclass(frozen=True, kw_only=True)
class CrawlSummary:
    """What one crawl did, for the end-of-crawl report and the exit status."""

    source: str
    crawl_id: int | None
    status: str  # ok | partial | failed | aborted; or locked: another crawl held the source
    pages: int = 0
    posts: int = 0
    comments: int = 0
    new_versions: int = 0
    tombstones: int = 0
    unchanged_threads: int = 0  # fingerprint matched the last complete crawl: not re-parsed
    errors: int = 0
    # Comment items found but not read (no author or no text): left out, thread partial.
    unreadable_comments: int = 0
    site: str | None = None  # what the first post page said the site is (crawler.parsers.site)
    # Posts archived with no comments to read, "URL: comments closed: why" (ThreadPage.closed).
    closed: tuple[str, ...] = field(default_factory=tuple)
    duration_seconds: float = 0.0
    problems: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_stats(cls, source: str, stats: dict[str, Any]) -> CrawlSummary:
        summary = stats.get("palimpsest/summary") or {}
        status = stats.get("palimpsest/status") or "failed"
        return cls(
            source=source,
            crawl_id=stats.get("palimpsest/crawl_id"),
            status=status,
            pages=int(summary.get("pages", 0)),
            posts=int(summary.get("posts", 0)),
            comments=int(summary.get("comments", 0)),
            new_versions=int(summary.get("new_versions", 0)),
            tombstones=int(summary.get("tombstones", 0)),
            unchanged_threads=int(summary.get("threads_unchanged", 0)),
            errors=int(summary.get("errors", 0)),
            unreadable_comments=int(summary.get("unreadable_comments", 0)),
            site=summary.get("site"),
            closed=tuple(summary.get("posts_closed_why", ())),
            duration_seconds=float(summary.get("duration_seconds", 0.0)),
            problems=tuple(summary.get("problems", ())),
        )


def format_summary(s: CrawlSummary) -> str:
    """The few lines printed at the end of a crawl."""
    unchanged = f" ({s.unchanged_threads} unchanged)" if s.unchanged_threads else ""
    lines = [
        f"crawl {s.crawl_id} of {s.source}: {s.status} in {s.duration_seconds:.1f}s",
        (
            f"  {s.posts} posts{unchanged}, {s.comments} comments seen; {s.new_versions} new versions, "
            f"{s.tombstones} deletions; {s.pages} pages fetched; {s.errors} errors"
        ),
    ]
    if s.site:
        lines.append(f"  site: {s.site}")
    if s.closed:
        lines.append(f"  {len(s.closed)} posts archived with no comments to read (their threads are "
                     "empty, not unread):")
        lines += [f"    {why}" for why in s.closed[:5]]
        if len(s.closed) > 5:
            lines.append(f"    ... and {len(s.closed) - 5} more (the crawl row's stats: posts_closed_why)")
    if s.unreadable_comments:
        lines.append(
            f"  {s.unreadable_comments} comments could not be read (no author or text found) and "
            "were not archived: run `palimpsest inspect URL` on one of the pages named below "
            "to see what is read (docs/inspect.md)"
        )
    lines += [f"  problem: {p}" for p in s.problems[:10]]
    if len(s.problems) > 10:
        lines.append(f"  ... and {len(s.problems) - 10} more problems (see the crawl row's stats)")
    return "\n".join(lines)


def crawl_settings(
    *,
    config_path: str | None,
    db_url: str,
    trigger: str = "manual",
    warc_dir: str | None = None,
    log_level: str = "WARNING",
    overrides: dict[str, Any] | None = None,
) -> Any:
    """The project settings with this crawl's database, config, trigger and capture."""
    from scrapy.utils.project import get_project_settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("PALIMPSEST_DB_URL", db_url, priority="cmdline")
    settings.set("PALIMPSEST_CONFIG", config_path, priority="cmdline")
    settings.set("PALIMPSEST_TRIGGER", trigger, priority="cmdline")
    if warc_dir:
        settings.set("PALIMPSEST_WARC_DIR", warc_dir, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(
    source_key: str,
    *,
    config_path: str | None = None,
    db_url: str,
    trigger: str = "manual",
    warc_dir: str | None = None,
    progress: Progress | None = None,
    log_level: str = "WARNING",
    overrides: dict[str, Any] | None = None,
    config_obj: Config | None = None,
    archive: Archive | None = None,
) -> CrawlSummary:
    """Crawl one source in this process (once per process) and return its summary.

    `config_obj` and `archive`: a Config already loaded, an Archive already open (a
    reparse has both), so the process loads the config once and opens one engine.

    Config and database problems surface here as PalimpsestError, before Scrapy starts.
    """
    from scrapy.crawler import CrawlerProcess
    from twisted.internet.task import LoopingCall

    from crawler.fetches import thread_recorded
    from crawler.spiders.archive import ArchiveSpider
    from storage.archive import Archive
    from storage.engine import open_engine
    from storage.locks import crawl_lock, mark_stale_crawls_aborted

    config = config_obj or load_config(config_path)  # one load per crawl process
    source = config.source(source_key)
    # The crawl's one engine: it creates or upgrades the schema (failing early and
    # clearly), holds the crawl lock, and is the spider's Archive. Per-source politeness
    # and WARC capture are applied by the spider (crawler.politeness).
    engine = archive.engine if archive is not None else open_engine(db_url)
    archive = archive or Archive(engine)

    settings = crawl_settings(
        config_path=config.path, db_url=db_url, trigger=trigger, warc_dir=warc_dir,
        log_level=log_level, overrides=overrides,
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ArchiveSpider)
    if progress is not None:
        crawler.signals.connect(_progress_handler(progress), signal=thread_recorded, weak=False)

    # The one place a crawl starts and ends, under the source's crawl lock: a second
    # crawl of the source (scheduled, manual, another machine) gets CrawlLocked, exit 3.
    # Holding the lock, any crawl row still 'running' is a dead process's: close it.
    # Should the lock be lost mid-crawl (taken over, or the PostgreSQL session ended),
    # the crawl stops as on SIGTERM: the thread being written completes, the row is
    # marked `aborted` with the reason, and nothing is half-written.
    startup_errors: list[Any] = []
    heartbeat = settings.getfloat("PALIMPSEST_LOCK_HEARTBEAT")
    try:
        with crawl_lock(engine, source.key, heartbeat_every=heartbeat) as lock:
            mark_stale_crawls_aborted(engine, source.key)
            started = process.crawl(crawler, source=source.key, config=config, archive=archive)
            started.addErrback(startup_errors.append)
            # After crawl(): that is where Scrapy installs its reactor, which the
            # LoopingCall would otherwise pull in as Twisted's default one.
            watch = LoopingCall(_stop_if_lock_lost, lock, crawler)
            watch.start(min(1.0, heartbeat), now=False)
            with fewer_gc_passes():
                process.start()
    finally:
        engine.dispose()

    for failure in startup_errors:
        # The crawl could not start or stopped on an exception (the archive or the config
        # failing inside Scrapy): a user error keeps its one-line message and exit status.
        if isinstance(failure.value, PalimpsestError):
            raise failure.value
    stats = crawler.stats.get_stats() if crawler.stats else {}
    summary = CrawlSummary.from_stats(source.key, stats)
    if startup_errors:
        reasons = tuple(failure_reason(f) for f in startup_errors)
        log.error("crawl of %s stopped: %s", source.key, "; ".join(reasons))
        summary = dataclasses.replace(summary, status="failed", problems=summary.problems + reasons)
    return summary


# Python's default gen-0 threshold (700) ran ~500 cyclic collections in a 1,000-post
# recrawl, 6% of its CPU: a crawl allocates many short-lived containers (responses,
# Deferreds, records) beside a large long-lived heap (Scrapy, SQLAlchemy, lxml).
CRAWL_GC_THRESHOLD = (10_000, 10, 10)


@contextmanager
def fewer_gc_passes() -> Iterator[None]:
    """Run the block with a higher gen-0 garbage collection threshold, then restore it."""
    before = gc.get_threshold()
    gc.set_threshold(*CRAWL_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _stop_if_lock_lost(lock: CrawlLockHandle, crawler: Crawler) -> None:
    from scrapy.utils.defer import deferred_from_coro

    if lock.lost.is_set() and crawler.crawling:
        reason = f"crawl lock lost: {lock.why}"
        log.error("stopping the crawl of %s: %s", lock.key, reason)
        if crawler.stats is not None:
            note_partial(crawler.stats, reason)
            crawler.stats.set_value(ABORT_REASON, reason)
        stop_async = getattr(crawler, "stop_async", None)  # Scrapy >= 2.14
        if stop_async is not None:
            deferred_from_coro(stop_async())
        else:
            crawler.stop()


def _progress_handler(progress: Progress) -> Callable[..., None]:
    started = time.monotonic()
    count = 0

    def on_thread(thread: Any, result: Any, spider: Any = None) -> None:
        nonlocal count
        count += 1
        new = result.new_post_versions + result.new_comment_versions
        snapshot = thread.snapshot  # a crawler.thread_fetch.FinishedThread
        flag = "" if snapshot.complete else "  [partial]"
        title = snapshot.post.title or snapshot.post.url
        title = title if len(title) <= 60 else title[:57] + "..."
        if thread.closed:  # no comments to read: never "0 comments"
            what = f"{thread.closed}, {new} new versions"
        elif thread.unchanged:  # skipped by fingerprint
            what = f"{result.unchanged_comments} comments, unchanged"
        else:
            what = f"{len(snapshot.comments)} comments, {new} new versions"
        progress(f"[{count:>4} {time.monotonic() - started:6.1f}s] {title!r}: {what}{flag}")

    return on_thread


def run_crawls(
    source_keys: Sequence[str],
    *,
    config_path: str | None,
    db_url: str,
    trigger: str = "manual",
    warc_dir: str | None = None,
    verbose: bool = False,
) -> list[CrawlSummary]:
    """Crawl several sources, each in a process of its own, one after another."""
    summaries = []
    for key in source_keys:
        argv = [sys.executable, "-m", "crawler.runner", "--source", key, "--trigger", trigger]
        if config_path:
            argv += ["--config", config_path]
        if warc_dir:
            argv += ["--warc", warc_dir]
        if verbose:
            argv.append("--verbose")
        env = {**os.environ, "PALIMPSEST_DB": db_url}  # not in argv: a password would show in ps
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True)
        summary = None
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(SUMMARY_PREFIX):
                summary = CrawlSummary(**_tuples(json.loads(line[len(SUMMARY_PREFIX):])))
            else:
                print(line, end="", flush=True)
        status = proc.wait()
        if summary is None and status == CrawlLocked.exit_code:
            summary = CrawlSummary(source=key, crawl_id=None, status="locked",
                                   problems=("another crawl of this source is running",))
        elif summary is None:
            summary = CrawlSummary(source=key, crawl_id=None, status="failed",
                                   problems=(f"crawl process exited with status {status}",))
        summaries.append(summary)
    return summaries


def _tuples(data: dict[str, Any]) -> dict[str, Any]:
    data["problems"] = tuple(data.get("problems", ()))
    return data


def sources_to_crawl(config: Config, keys: Sequence[str]) -> list[str]:
    """The keys asked for (each must exist), or every enabled source."""
    if keys:
        return [config.source(k).key for k in keys]
    return [s.key for s in config.enabled_sources]


def main(argv: Sequence[str] | None = None) -> int:
    """One crawl in this process; prints progress, the summary, and a machine-readable line."""
    parser = argparse.ArgumentParser(prog="python -m crawler.runner", description=__doc__)
    parser.add_argument("--source", required=True)
    parser.add_argument("--config", default=None)
    parser.add_argument("--db", default=os.environ.get("PALIMPSEST_DB", "sqlite:///palimpsest.db"))
    parser.add_argument("--trigger", default="manual", choices=("manual", "schedule"))
    parser.add_argument("--warc", default=None)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    try:
        summary = run_crawl(
            args.source, config_path=args.config, db_url=args.db, trigger=args.trigger,
            warc_dir=args.warc, progress=lambda line: print(line, flush=True),
            log_level="INFO" if args.verbose else "WARNING",
        )
    except PalimpsestError as exc:
        print(f"palimpsest: error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(format_summary(summary), flush=True)
    print(SUMMARY_PREFIX + json.dumps(asdict(summary)), flush=True)
    return 1 if summary.status == "failed" else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
