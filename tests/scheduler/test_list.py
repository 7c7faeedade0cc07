"""`palimpsest schedule list`: what a researcher sees after good and bad nights."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from cli import main
from scheduler import ArchiveJobStore
from storage.engine import connect
from storage.errors import SchemaOutOfDate
from storage.models import Crawl, Source

NIGHT = datetime(2026, 11, 27, 8, 2, tzinfo=UTC)
DNS = "network: https://blog-a.example/: DNSLookupError: no results for blog-a.example."


def add_history(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        for key, last in (("blog-a", "failed"), ("blog-b", "running")):
            source = Source(
                key=key, name=key, url="https://x.example/", platform="wordpress", created_at=NIGHT
            )
            session.add(source)
            session.flush()
            session.add(
                Crawl(
                    source_id=source.id,
                    trigger="schedule",
                    status="ok",
                    started_at=NIGHT - timedelta(days=1),
                    finished_at=NIGHT - timedelta(days=1, minutes=-20),
                )
            )
            session.add(
                Crawl(
                    source_id=source.id,
                    trigger="schedule",
                    status=last,
                    started_at=NIGHT,
                    finished_at=None if last == "running" else NIGHT + timedelta(minutes=1),
                    error=DNS if last == "failed" else None,
                )
            )


def run_list(config: Path, db_url: str, *extra: str) -> str:
    result = CliRunner().invoke(
        main, ["schedule", "list", "--config", str(config), "--db", db_url, *extra]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_a_failed_night_shows_status_error_and_last_ok(
    archive: Engine, sqlite_url: str, write_config: Callable[..., Path]
) -> None:
    config = write_config({"blog-a": None, "blog-b": "15 4 * * *", "blog-c": None})
    add_history(archive)
    lines = run_list(config, sqlite_url).splitlines()
    assert lines[0].split() == [
        "SOURCE",
        "SCHEDULE",
        "NEXT",
        "RUN",
        "LAST",
        "RUN",
        "STATUS",
        "LAST",
        "OK",
    ]
    a = next(i for i, line in enumerate(lines) if line.startswith("blog-a"))
    assert "0 3 * * * UTC" in lines[a]
    assert "not scheduled yet" in lines[a]
    assert "2026-11-27 08:02 UTC" in lines[a] and " failed " in lines[a]
    assert lines[a].rstrip().endswith("2026-11-26 08:02 UTC")  # the last good night
    assert lines[a + 1].strip() == f"last error: {DNS}"
    b = next(line for line in lines if line.startswith("blog-b"))
    assert "15 4 * * * UTC" in b and "died (still 'running', no crawl holds the lock)" in b
    c = next(line for line in lines if line.startswith("blog-c"))
    assert "never run" in c
    assert "start `palimpsest schedule run`" in lines[-1]


def test_json_gives_the_same_in_utc(
    archive: Engine, sqlite_url: str, write_config: Callable[..., Path]
) -> None:
    config = write_config({"blog-a": None})
    add_history(archive)
    [row] = json.loads(run_list(config, sqlite_url, "--json"))
    assert row["source"] == "blog-a"
    assert row["last_status"] == "failed" and row["last_error"] == DNS
    assert row["last_run"] == "2026-11-27T08:02:00+00:00"
    assert row["last_ok"] == "2026-11-26T08:02:00+00:00"
    assert row["next_run"] is None and row["running"] is None


def test_the_job_store_never_creates_its_table(tmp_path: Path) -> None:
    # The schema comes from migrations only; an archive without the table is out of date.
    engine = connect(f"sqlite:///{tmp_path / 'bare.db'}")
    store = ArchiveJobStore(engine)
    try:
        store.start(None, "default")
        raise AssertionError("started without its table")
    except SchemaOutOfDate as exc:
        assert "scheduler_job" in str(exc) and "palimpsest db upgrade" in str(exc)
    with engine.connect() as conn:
        tables = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).all()
    assert tables == []
