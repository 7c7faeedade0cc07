"""Fixtures of the scheduler tests: archives on SQLite and PostgreSQL, configs, a stand-in crawl."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.engine import open_engine

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
STANDIN = HERE / "standin_crawl.py"


# sqlite_url and pg_url come from tests/conftest.py (a fresh archive file or database).


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_url(request: pytest.FixtureRequest) -> str:
    """The same test on an SQLite file and on a PostgreSQL database."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def archive(sqlite_url: str) -> Iterator[Engine]:
    engine = open_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a config with the given sources: write_config({"blog-a": "*/2 * * * * *"}, ...).

    Sources with no schedule of their own get None. A real crawl of `site` (a local
    blog) wants `crawl_delay=0` and, for a static site, `source_extra="use_rest = false"`.
    """

    def write(
        schedules: dict[str, str | None],
        *,
        site: str = "http://127.0.0.1:9/",
        grace: int = 3600,
        jitter: int = 0,
        name: str = "palimpsest.toml",
        crawl_delay: float | None = None,
        source_extra: str = "",
    ) -> Path:
        lines = [
            "[topic]",
            'name = "test"',
            'keywords = ["deportation*", "CECOT"]',
            "",
        ]
        if crawl_delay is not None:
            lines += ["[crawl]", f"delay_seconds = {crawl_delay}", ""]
        lines += [
            "[schedule]",
            'cron = "0 3 * * *"',
            'timezone = "UTC"',
            f"jitter_seconds = {jitter}",
            f"misfire_grace_seconds = {grace}",
        ]
        for key, cron in schedules.items():
            lines += ["", "[[sources]]", f'key = "{key}"', f'name = "{key}"', f'url = "{site}"']
            if source_extra:
                lines.append(source_extra)
            if cron:
                lines.append(f'schedule = "{cron}"')
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def standin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Crawls run the stand-in (holds the real crawl lock, records each call); returns its record."""
    record = tmp_path / "standin-calls.jsonl"
    monkeypatch.setenv("PALIMPSEST_CRAWL_COMMAND", shlex.join([sys.executable, str(STANDIN)]))
    monkeypatch.setenv("STANDIN_RECORD", str(record))
    monkeypatch.setenv("STANDIN_SECONDS", "0.2")
    return record
