"""Shared helpers of the export tests: run the CLI, normalize values for comparison."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from storage.export.values import as_datetime
from storage.models import format_utc


def cli(*args: str) -> Result:
    """Run `palimpsest ARGS` in-process; the result holds exit code and output."""
    from cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def norm(value: Any, *, ts: bool = False) -> Any:
    """One spelling for a value from any reader: ids as text, timestamps as UTC text."""
    if value is None:
        return None
    if ts or isinstance(value, datetime):
        return format_utc(as_datetime(value))  # type: ignore[arg-type]
    if hasattr(value, "item"):  # numpy scalars from pandas
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def all_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file())
