"""The `palimpsest` command: crawl, schedule, db, sql, export, demo.

Each command is a thin wrapper: the work lives in `storage`, `crawler` and
`scheduler`. A `PalimpsestError` becomes one line on stderr and its exit code.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from storage.errors import PalimpsestError

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DB = "sqlite:///palimpsest.db"
SQL_TABLE_MAX_ROWS = 1000


def db_option(fn: F) -> F:
    """The shared `--db URL` option (env PALIMPSEST_DB, default sqlite:///palimpsest.db)."""
    return click.option(
        "--db",
        "db_url",
        envvar="PALIMPSEST_DB",
        default=DEFAULT_DB,
        show_default=True,
        help="Archive database URL (env PALIMPSEST_DB).",
    )(fn)


def config_option(fn: F) -> F:
    """The shared `--config PATH` option (env PALIMPSEST_CONFIG)."""
    return click.option(
        "--config",
        "config_path",
        envvar="PALIMPSEST_CONFIG",
        default=None,
        help="Sources and topic TOML (env PALIMPSEST_CONFIG; else ./palimpsest.toml; else the bundled default).",
    )(fn)


def user_errors(fn: F) -> F:
    """Turn a PalimpsestError into one line on stderr and its exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PalimpsestError as exc:
            click.echo(f"palimpsest: error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def enqueue_options(fn: F) -> F:
    """`--queue` (enqueue for the workers instead of crawling here) and `--queue-name NAME`."""
    fn = click.option(
        "--queue-name", "queue_name", envvar="PALIMPSEST_QUEUE", default="crawls",
        show_default=True, metavar="NAME",
        help="With --queue: the job queue to put crawls in (env PALIMPSEST_QUEUE).",
    )(fn)
    return click.option(
        "--queue", "use_queue", is_flag=True,
        help="Enqueue the crawl(s) for `palimpsest worker` instead (PostgreSQL archive).",
    )(fn)


@click.group()
@click.version_option(package_name="palimpsest-archive")
def main() -> None:
    """palimpsest: a versioned archive of blog posts and their comment threads."""


# Commands are added below, one small function each.


# -- crawl and demo ---------------------------------------------------------------------


@main.command()
@config_option
@db_option
@click.option("--source", "sources", multiple=True, metavar="KEY",
              help="Crawl this source (repeatable); default: every enabled source.")
@click.option("--trigger", type=click.Choice(["manual", "schedule"]), default="manual",
              show_default=True, help="Recorded on the crawl row.")
@click.option("--warc", "warc_dir", default=None, metavar="DIR",
              help="Write every request and response to WARC files in DIR.")
@click.option("-v", "--verbose", is_flag=True, help="Scrapy's INFO log on stderr.")
@enqueue_options
@user_errors
def crawl(config_path: str | None, db_url: str, sources: tuple[str, ...], trigger: str,
          warc_dir: str | None, verbose: bool, use_queue: bool, queue_name: str) -> None:
    """Crawl sources into the archive: a line per thread, a summary at the end.

    Exit status 0 when every crawl ended ok or partial, 1 when one failed, 2 on a
    config error, 3 when another crawl of the source is running. With --queue, put one
    job per source in the queue for the workers and exit.
    """
    from crawler.config import load_config
    from crawler.runner import format_summary, run_crawl, run_crawls, sources_to_crawl
    from storage.errors import ConfigError

    config = load_config(config_path)
    keys = sources_to_crawl(config, sources)
    if not keys:
        raise ConfigError(f"{config.path}: sources: no enabled source to crawl")
    if use_queue:
        _enqueue(db_url, config.path, keys, trigger=trigger, queue=queue_name)
        return
    if len(keys) == 1:
        summaries = [run_crawl(keys[0], config_path=config.path, db_url=db_url, trigger=trigger,
                               warc_dir=warc_dir, progress=click.echo,
                               log_level="INFO" if verbose else "WARNING")]
        click.echo(format_summary(summaries[0]))
    else:  # Twisted's reactor runs once per process: one process per source.
        summaries = run_crawls(keys, config_path=config.path, db_url=db_url, trigger=trigger,
                               warc_dir=warc_dir, verbose=verbose)
    statuses = {s.status for s in summaries}
    sys.exit(1 if "failed" in statuses else 3 if "locked" in statuses else 0)


@main.command()
@config_option
@db_option
@click.option("--crawl", "crawl_id", type=int, required=True, metavar="ID",
              help="The crawl whose WARC files to re-read.")
@click.option("--warc", "warc_dir", default=None, metavar="DIR",
              help="Where the crawl's WARC files are (default: [crawl] warc_dir, else ./warc).")
@user_errors
def reparse(config_path: str | None, db_url: str, crawl_id: int, warc_dir: str | None) -> None:
    """Re-derive a crawl's threads from its WARC files with the current parsers (no network).

    Recorded as a new crawl with trigger 'reparse'; unchanged parsers write no new version.
    """
    from crawler.reparse import reparse_crawl
    from crawler.runner import format_summary

    summary = reparse_crawl(crawl_id, db_url=db_url, config_path=config_path,
                            warc_dir=warc_dir, progress=click.echo)
    click.echo(format_summary(summary))
    sys.exit(1 if summary.status == "failed" else 0)


@main.command()
@db_option
@user_errors
def demo(db_url: str) -> None:
    """Serve the bundled sample blog on 127.0.0.1, crawl it, and run two example queries."""
    from crawler.demo import run_demo

    sys.exit(run_demo(db_url, echo=click.echo))


def _enqueue(db_url: str, config_path: str | None, keys: list[str], *, trigger: str,
             queue: str) -> None:
    """Put one crawl job per source in the queue; a line for each."""
    import scheduler
    from storage.engine import open_engine
    from storage.queue import queue_app

    queue_app(db_url)  # SQLite: the one-line error, before any schema work
    open_engine(db_url).dispose()  # the queue's tables come with the schema (0008)
    ctx = scheduler.CrawlContext.create(db_url, config_path, "logs", queue=queue)
    for key in keys:
        click.echo(scheduler.enqueue(ctx, key, trigger=trigger).describe())


# -- schedule ---------------------------------------------------------------------------


def logs_dir_option(fn: F) -> F:
    """The `--logs-dir DIR` option of the scheduler commands (env PALIMPSEST_LOGS_DIR)."""
    return click.option(
        "--logs-dir",
        envvar="PALIMPSEST_LOGS_DIR",
        default="logs",
        show_default=True,
        type=click.Path(file_okay=False),
        help="Where each crawl's output goes, as DIR/SOURCE/TIME-TRIGGER-PID.log (env PALIMPSEST_LOGS_DIR).",
    )(fn)


@main.group()
def schedule() -> None:
    """Nightly crawls: run the scheduler, list the schedule, run a crawl now."""


@schedule.command("run")
@config_option
@db_option
@logs_dir_option
@enqueue_options
@user_errors
def schedule_run(config_path: str | None, db_url: str, logs_dir: str, use_queue: bool,
                 queue_name: str) -> None:
    """Run the scheduler in the foreground until SIGTERM or SIGINT.

    Jobs live in the archive database; the config is reconciled into them at start.
    With --queue (or `[schedule] queue = true`) each run is enqueued for the workers.
    """
    import logging

    import scheduler
    from crawler.config import load_config
    from storage.engine import open_engine

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = load_config(config_path)
    queue = queue_name if use_queue or config.schedule.queue else None
    engine = open_engine(db_url)
    ctx = scheduler.CrawlContext.create(db_url, config.path, logs_dir, queue=queue)
    scheduler.run_scheduler(ctx, config, engine)


@schedule.command("list")
@config_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON array, times in UTC.")
@user_errors
def schedule_list(config_path: str | None, db_url: str, as_json: bool) -> None:
    """Each source: schedule, next run, last run, its status and last error."""
    import json

    import scheduler
    from crawler.config import load_config
    from storage.engine import open_engine

    config = load_config(config_path)
    rows = scheduler.schedule_rows(config, open_engine(db_url, read_only=True))
    if as_json:
        click.echo(json.dumps(scheduler.schedule_json(rows), indent=2))
    else:
        click.echo(scheduler.format_schedule(rows))


@schedule.command("run-now")
@click.argument("source_key")
@config_option
@db_option
@logs_dir_option
@enqueue_options
@user_errors
def schedule_run_now(source_key: str, config_path: str | None, db_url: str, logs_dir: str,
                     use_queue: bool, queue_name: str) -> None:
    """Crawl SOURCE_KEY now, as the scheduler would (own process, log file, crawl lock).

    With --queue, put the crawl in the queue for the workers instead.
    """
    import scheduler
    from crawler.config import load_config
    from storage.engine import open_engine

    config = load_config(config_path)
    config.source(source_key)
    if use_queue:
        _enqueue(db_url, config.path, [source_key], trigger="manual", queue=queue_name)
        return
    open_engine(db_url).dispose()  # a bad URL or schema is reported here, not in the log
    ctx = scheduler.CrawlContext.create(db_url, config.path, logs_dir)
    log_path = scheduler.run_now(ctx, source_key)
    click.echo(f"crawl of {source_key!r} finished; log: {log_path}")


# -- the worker fleet (worker.py, storage/queue.py) ------------------------------------


@main.command("worker")
@config_option
@db_option
@logs_dir_option
@click.option("--concurrency", type=click.IntRange(min=1), default=1, show_default=True,
              metavar="N", help="Crawl processes at a time.")
@click.option("--queue", "queues", multiple=True, metavar="NAME",
              help="Take jobs from this queue (repeatable); default: crawls (env PALIMPSEST_QUEUE).")
@click.option("--max-attempts", type=click.IntRange(min=1), default=3, show_default=True,
              metavar="N", help="Runs of a failing crawl before its job is left failed.")
@click.option("--retry-wait", type=click.FloatRange(min=0), default=60.0, show_default=True,
              metavar="SECONDS", help="Wait before the first retry; doubled each time, at most an hour.")
@click.option("--stalled-after", type=click.FloatRange(min=0.5), default=60.0, show_default=True,
              metavar="SECONDS",
              help="A worker silent this long is dead: its jobs go back to the queue.")
@user_errors
def worker_command(config_path: str | None, db_url: str, logs_dir: str, concurrency: int,
                   queues: tuple[str, ...], max_attempts: int, retry_wait: float,
                   stalled_after: float) -> None:
    """Take crawl jobs from the queue in the archive's PostgreSQL and run them.

    Each job is one crawl process (as the scheduler starts them). SIGTERM: no new job,
    the running crawls finish their threads, their jobs go back to the queue.
    """
    import logging

    import worker
    from crawler.config import load_config
    from scheduler import CrawlContext
    from storage.engine import open_engine

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = load_config(config_path)
    open_engine(db_url).dispose()  # a bad URL or an old schema is reported here
    ctx = CrawlContext.create(db_url, config.path, logs_dir)
    default = os.environ.get("PALIMPSEST_QUEUE") or "crawls"
    options = worker.WorkerOptions(
        queues=queues or (default,), concurrency=concurrency, max_attempts=max_attempts,
        retry_base=retry_wait, stalled_after=stalled_after,
    )
    worker.run_worker(ctx, options)


@main.group()
def queue() -> None:
    """The crawl job queue of the worker fleet (PostgreSQL): its status."""


@queue.command("status")
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object, times in UTC.")
@user_errors
def queue_status_command(db_url: str, as_json: bool) -> None:
    """Per source: jobs waiting, running (where, since when), failed; the workers alive."""
    import json

    from storage.engine import open_engine
    from storage.queue import queue_app
    from storage.queue_status import format_queue_status, queue_json, queue_status

    queue_app(db_url)  # the queue is PostgreSQL's: SQLite gets the one-line error
    engine = open_engine(db_url, read_only=True)
    try:
        status = queue_status(engine)
    finally:
        engine.dispose()
    if as_json:
        click.echo(json.dumps(queue_json(status), indent=2))
    else:
        click.echo(format_queue_status(status))


# -- db and sql -------------------------------------------------------------------------


@main.group()
def db() -> None:
    """The archive database's schema: upgrade, current revision, drift check."""


def reader_role_option(fn: F) -> F:
    """The `--reader-role NAME` option (env PALIMPSEST_READER_ROLE): PostgreSQL's reader."""
    return click.option(
        "--reader-role",
        envvar="PALIMPSEST_READER_ROLE",
        default="palimpsest_reader",
        show_default=True,
        metavar="NAME",
        help="PostgreSQL: the read-only role `sql` logs in as (env PALIMPSEST_READER_ROLE).",
    )(fn)


@db.command("upgrade")
@db_option
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@reader_role_option
@user_errors
def db_upgrade(db_url: str, revision: str, reader_role: str) -> None:
    """Bring the database schema up to REVISION (creating it when empty).

    On PostgreSQL, also create the read-only role for `palimpsest sql` (when the
    connecting user may) and grant it SELECT on the archive's tables and views.
    """
    from storage import schema

    click.echo(schema.upgrade_database(db_url, revision, reader_role=reader_role))


@db.command("current")
@db_option
@user_errors
def db_current(db_url: str) -> None:
    """Print the database's revision and the newest one this palimpsest knows."""
    from storage import schema

    click.echo(schema.describe_revision(db_url))


@db.command("check")
@db_option
@user_errors
def db_check(db_url: str) -> None:
    """Exit non-zero unless the schema is at head and matches the models (no drift)."""
    from storage import schema

    click.echo(schema.check_database(db_url))


@main.command()
@click.argument("query")
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "jsonl"]),
              default="table", show_default=True, help="Output format.")
@click.option("--as-of", "as_of", default=None, metavar="TIMESTAMP",
              help="See the archive as it stood then (ISO 8601, UTC unless an offset is given).")
@click.option("--params", "params_json", default=None, metavar="JSON",
              help='Values for :name placeholders, as a JSON object: \'{"source": "x"}\'.')
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="One :NAME placeholder's value, as text (repeatable).")
@click.option("--reader-db", "reader_db", envvar="PALIMPSEST_READER_DB", default=None,
              metavar="URL",
              help="PostgreSQL: the URL to log in as the read-only role (env "
                   "PALIMPSEST_READER_DB); default: --db with the reader's name.")
@reader_role_option
@click.option("--timeout", "timeout_s", type=click.FloatRange(min=0, min_open=True),
              default=60.0, show_default=True, metavar="SECONDS",
              help="Stop the query after this long.")
@click.option("--max-rows", "max_rows", type=click.IntRange(min=1), default=None,
              metavar="N",
              help=f"Print at most N rows (default {SQL_TABLE_MAX_ROWS} for --format table, "
                   "no limit for the other formats).")
@user_errors
def sql(query: str, db_url: str, fmt: str, as_of: str | None, params_json: str | None,
        params: tuple[str, ...], reader_db: str | None, reader_role: str, timeout_s: float,
        max_rows: int | None) -> None:
    """Run one read-only SQL QUERY on the archive (views: docs/schema.md).

    On PostgreSQL the query logs in as the read-only role (`palimpsest db upgrade`
    creates it); it never runs as a superuser or the archive's owner (docs/security.md).
    """
    import io

    from storage.export.options import parse_params, parse_timestamp
    from storage.query import run_query, write_result
    from storage.reader import open_query_engine

    when = parse_timestamp(as_of) if as_of else None
    bound = parse_params(params_json, params)
    if max_rows is None and fmt == "table":
        max_rows = SQL_TABLE_MAX_ROWS
    engine = open_query_engine(db_url, reader_db=reader_db, role=reader_role)
    try:
        result = run_query(engine, query, params=bound, as_of=when, timeout_s=timeout_s,
                           max_rows=max_rows)
    finally:
        engine.dispose()
    out = io.StringIO()  # click.get_text_stream is deprecated; echo respects CliRunner
    write_result(result, fmt, out)
    click.echo(out.getvalue(), nl=False)


@main.command()
@click.argument("post")
@db_option
@user_errors
def history(post: str, db_url: str) -> None:
    """Print a thread's changes crawl by crawl; POST is its URL or archive id (storage/history.py)."""
    from storage.engine import open_engine
    from storage.history import find_post, format_history, thread_history

    engine = open_engine(db_url, read_only=True)
    try:
        with engine.connect() as conn:
            post_id, url, title = find_post(conn, post)
        crawls = thread_history(engine, post_id)
    finally:
        engine.dispose()
    click.echo(format_history(url, title, crawls))


@main.command()
@click.argument("target", metavar="URL_OR_FILE")
@click.option("--url", "page_url", default=None, metavar="URL",
              help="The address of a saved page (links and ids are read relative to it).")
@click.option("--platform", default=None, metavar="NAME",
              help="Read the page as this platform's post page (default: the source's, else detected).")
@config_option
@click.option("--source", "source_key", default=None, metavar="KEY",
              help="Read the page as this source of the config would be read.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, times in UTC.")
@user_errors
def inspect(target: str, page_url: str | None, platform: str | None, config_path: str | None,
            source_key: str | None, as_json: bool) -> None:
    """What palimpsest reads from one page: site, post, comments, problems (crawler/inspect.py)."""
    import json
    from datetime import UTC, datetime
    from pathlib import Path

    from crawler.inspect import fetch_page, format_inspection, inspect_page, inspection_json
    from crawler.page import Page

    selectors = source = None
    if source_key is not None:
        from crawler.config import load_config

        source = load_config(config_path).source(source_key)
        platform, selectors = platform or source.platform, source.selectors
    path = Path(target)
    if path.is_file():
        saved = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        page = Page(url=page_url or path.resolve().as_uri(), body=path.read_bytes(), fetched_at=saved,
                    headers={"content-type": "text/html"})
    else:
        page = fetch_page(target)
    service = None
    if source is not None and source.comments is not None:
        from crawler.inspect_service import read_service_thread

        service = read_service_thread(page, source, fetch_page)
    result = inspect_page(page, platform, selectors, service, fetch=fetch_page)
    if as_json:
        click.echo(json.dumps(inspection_json(result), ensure_ascii=False, indent=1))
    else:
        click.echo(format_inspection(result))


# -- export, serve, report (research use; storage/export/, storage/report.py) -----------


@main.command()
@db_option
@config_option
@click.option("--out", "out_dir", required=True, metavar="DIR",
              help="Directory to write (created; must be empty).")
@click.option("--as-of", "as_of", default=None, metavar="TIMESTAMP",
              help="Snapshot time (ISO 8601, UTC unless an offset is given); default: now.")
@click.option("--format", "formats", multiple=True,
              type=click.Choice(["parquet", "csv", "jsonl", "sqlite", "graphml", "gexf", "edges"]),
              help="Output format (repeatable); default: parquet and csv.")
@click.option("--source", "sources", multiple=True, metavar="KEY",
              help="Only this source (repeatable); default: all.")
@click.option("--since", default=None, metavar="DATE",
              help="Only posts published on or after DATE (YYYY-MM-DD, UTC).")
@click.option("--until", default=None, metavar="DATE",
              help="Only posts published on or before DATE (YYYY-MM-DD, UTC).")
@click.option("--pseudonymize", is_flag=True,
              help="Replace author names and keys (also in text) by salted hashes.")
@click.option("--salt", default=None, envvar="PALIMPSEST_SALT",
              help="Salt for --pseudonymize (env PALIMPSEST_SALT); default: a new random one.")
@click.option("--salt-file", default=None, metavar="PATH",
              help="Where a generated salt is written; default: DIR.salt beside DIR.")
@click.option("--nodes", type=click.Choice(["authors", "comments"]), default="authors",
              show_default=True, help="Network formats: what a node is.")
@click.option("--edges", "edge_kinds", default="threaded,at_reply,mention,quote",
              show_default=True, metavar="KINDS",
              help="Network formats: the edge kinds, comma-separated.")
@click.option("--per-thread", is_flag=True,
              help="Network formats: one network per thread instead of one for the whole scope.")
@user_errors
def export(db_url: str, config_path: str | None, out_dir: str, as_of: str | None,
           formats: tuple[str, ...], sources: tuple[str, ...], since: str | None,
           until: str | None, pseudonymize: bool, salt: str | None,
           salt_file: str | None, nodes: str, edge_kinds: str, per_thread: bool) -> None:
    """Write a snapshot of the archive for analysis: files, manifest.json, CODEBOOK.md.

    See docs/exports.md. The same archive, --as-of and options give byte-identical files.
    """
    from datetime import UTC, datetime
    from pathlib import Path

    from crawler.config import load_config
    from storage.engine import open_engine
    from storage.errors import InputError
    from storage.export import (
        ExportOptions,
        export_snapshot,
        new_salt,
        parse_date,
        parse_edges,
        parse_timestamp,
    )

    out = Path(out_dir)
    salt_path: Path | None = None
    if pseudonymize and not salt:
        salt = new_salt()
        salt_path = Path(salt_file) if salt_file else out.with_name(out.name + ".salt")
        if salt_path.resolve().is_relative_to(out.resolve()):
            raise InputError(f"--salt-file {str(salt_path)!r} must be outside the export directory")
    config = load_config(config_path)
    topic = config.topic
    options = ExportOptions(
        out=out,
        as_of=parse_timestamp(as_of) if as_of else datetime.now(UTC),
        formats=formats or ("parquet", "csv"),
        sources=sources,
        since=parse_date(since, "--since") if since else None,
        until=parse_date(until, "--until") if until else None,
        pseudonymize=pseudonymize,
        salt=salt,
        nodes=nodes,
        edges=parse_edges(edge_kinds),
        per_thread=per_thread,
        # the file's name only: a path would differ between machines and break determinism
        topic={"name": topic.name, "keywords": list(topic.keywords), "tags": list(topic.tags),
               "config_file": Path(config.path).name},
    )
    engine = open_engine(db_url, read_only=True)
    try:
        result = export_snapshot(engine, options)
    finally:
        engine.dispose()
    if salt_path is not None and salt:
        salt_path.write_text(salt + "\n", encoding="utf-8")
        salt_path.chmod(0o600)
        click.echo(f"salt written to {salt_path} (keep it apart from the export)", err=True)
    counts = ", ".join(f"{n} {t}" for t, n in result.row_counts.items())
    click.echo(f"exported to {result.out}: {counts}")


@main.command()
@db_option
@config_option
@click.option("--author", "author_key", default=None, metavar="KEY",
              help="Redact this author (their key, as author_key shows it) in every source.")
@click.option("--comment", "comment_id", default=None, metavar="SOURCE:EXTERNAL_ID",
              help="Redact this one comment.")
@click.option("--post", "post_id", default=None, metavar="SOURCE:EXTERNAL_ID",
              help="Redact this one post (its own content; its comments stay).")
@click.option("--reason", required=True, metavar="TEXT",
              help="Why (recorded in the redaction table; do not name the person).")
@click.option("--warc", "warc_dir", default=None, metavar="DIR",
              help="Where the source's WARC files are (default: [crawl] warc_dir, else ./warc).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@user_errors
def redact(db_url: str, config_path: str | None, author_key: str | None, comment_id: str | None,
           post_id: str | None, reason: str, warc_dir: str | None, yes: bool) -> None:
    """Remove a person's or an item's content from the archive, its WARC captures and all
    later crawls and exports, keeping a placeholder in its place (docs/exports.md, Takedowns).
    """
    from pathlib import Path

    from crawler.config import load_config
    from crawler.normalize.links import link_hrefs
    from crawler.warc_redact import rewrite_warcs
    from storage.engine import open_engine
    from storage.errors import InputError
    from storage.redaction.rules import RuleKind
    from storage.redaction.takedown import TakedownResult, run_takedown
    from storage.redaction.targets import Target

    options: list[tuple[RuleKind, str | None]] = [
        ("author", author_key), ("comment", comment_id), ("post", post_id)
    ]
    given = [(kind, value) for kind, value in options if value is not None]
    if len(given) != 1:
        raise InputError("give exactly one of --author KEY, --comment SOURCE:ID, --post SOURCE:ID")
    kind, value = given[0][0], str(given[0][1])
    directory = Path(warc_dir or load_config(config_path).crawl.warc_dir or "warc")

    def command(target: Target) -> str:
        # the author's key is their name: the record names them by its hash
        shown = f"key-sha256:{target.rule.author_hash}" if kind == "author" else value
        return f"palimpsest redact --{kind} {shown} --reason {reason!r}" + (" --yes" if yes else "")

    def confirm(result: TakedownResult) -> bool:
        click.echo(result.summary())
        return yes or click.confirm("Redact this for good?", default=False)

    engine = open_engine(db_url)
    try:
        result = run_takedown(engine, kind, value, reason=reason, command=command,
                              links_of=link_hrefs, warc_dir=directory,
                              rewrite_warcs=rewrite_warcs, confirm=confirm)
    finally:
        engine.dispose()
    if not result.committed:
        click.echo("nothing changed")
        sys.exit(1)
    ids = ", ".join(str(i) for i in result.redaction_ids)
    click.echo(f"redacted (redaction {ids}); the database was vacuumed")


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@user_errors
def serve(db_url: str, host: str, port: int) -> None:
    """Browse the archive read-only in Datasette (needs the `serve` extra).

    A PostgreSQL archive is served from a SQLite snapshot exported at start-up.
    """
    from storage.engine import open_engine
    from storage.export.serve import listen_warning, run_datasette, served_file

    warning = listen_warning(host)
    if warning:
        click.echo(f"palimpsest: warning: {warning}", err=True)
    engine = open_engine(db_url, read_only=True)
    try:
        with served_file(engine) as served:
            engine.dispose()
            mode = "immutable" if served.immutable else "read-only"
            click.echo(f"serving {served.path} ({mode}) on http://{host}:{port}/", err=True)
            run_datasette(served, host, port)
    finally:
        engine.dispose()


@main.command()
@click.argument("post")
@db_option
@click.option("--out", "out_file", default=None, metavar="FILE.html",
              help="Where to write the page; default: thread-<post id>.html.")
@click.option("--as-of", "as_of", default=None, metavar="TIMESTAMP",
              help="Show the thread as it stood then (ISO 8601).")
@user_errors
def report(post: str, db_url: str, out_file: str | None, as_of: str | None) -> None:
    """Write one self-contained HTML page about the thread POST (archive post id or URL)."""
    from pathlib import Path

    from storage.engine import open_engine
    from storage.export import parse_timestamp, snapshot_connection
    from storage.report import load_thread, render_report

    when = parse_timestamp(as_of) if as_of else None
    engine = open_engine(db_url, read_only=True)
    try:
        with snapshot_connection(engine, when) as conn:
            data = load_thread(conn, post)
    finally:
        engine.dispose()
    data.as_of = when
    path = Path(out_file or f"thread-{data.post['post_id']}.html")
    path.write_text(render_report(data), encoding="utf-8")
    click.echo(f"wrote {path}")


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=os.path.basename(sys.argv[0]))
