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


@click.group()
@click.version_option(package_name="palimpsest-archive")
def main() -> None:
    """palimpsest: a versioned archive of blog posts and their comment threads."""


# Commands are added below, one small function each.


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
@user_errors
def schedule_run(config_path: str | None, db_url: str, logs_dir: str) -> None:
    """Run the scheduler in the foreground until SIGTERM or SIGINT.

    Jobs live in the archive database; the config is reconciled into them at start.
    """
    import logging

    import scheduler
    from crawler.config import load_config
    from storage.engine import open_engine

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = load_config(config_path)
    engine = open_engine(db_url)
    ctx = scheduler.CrawlContext.create(db_url, config.path, logs_dir)
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
@user_errors
def schedule_run_now(source_key: str, config_path: str | None, db_url: str, logs_dir: str) -> None:
    """Crawl SOURCE_KEY now, as the scheduler would (own process, log file, crawl lock)."""
    import scheduler
    from crawler.config import load_config
    from storage.engine import open_engine

    config = load_config(config_path)
    config.source(source_key)
    open_engine(db_url).dispose()  # a bad URL or schema is reported here, not in the log
    ctx = scheduler.CrawlContext.create(db_url, config.path, logs_dir)
    log_path = scheduler.run_now(ctx, source_key)
    click.echo(f"crawl of {source_key!r} finished; log: {log_path}")


# -- db and sql -------------------------------------------------------------------------


@main.group()
def db() -> None:
    """The archive database's schema: upgrade, current revision, drift check."""


@db.command("upgrade")
@db_option
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@user_errors
def db_upgrade(db_url: str, revision: str) -> None:
    """Bring the database schema up to REVISION (creating it when empty)."""
    from storage import schema

    click.echo(schema.upgrade_database(db_url, revision))


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
@user_errors
def sql(query: str, db_url: str, fmt: str) -> None:
    """Run one read-only SQL QUERY on the archive (views: docs/schema.md)."""
    from storage.engine import open_engine
    from storage.query import run_query, write_result

    engine = open_engine(db_url, read_only=True)
    try:
        result = run_query(engine, query)
    finally:
        engine.dispose()
    write_result(result, fmt, click.get_text_stream("stdout"))


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=os.path.basename(sys.argv[0]))
