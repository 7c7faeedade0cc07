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


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=os.path.basename(sys.argv[0]))
