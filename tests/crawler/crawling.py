"""Helpers for crawl tests: a config for a local site, a crawl in a subprocess, the archive read back.

Crawls run as `python -m cli crawl` in a child process: Twisted's reactor runs once per
process, and this is also exactly what a user runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[2]

TOPIC = """
[topic]
name = "Deportation and offshore detention"
keywords = ["deport*", "CECOT", "Bukele", "El Salvador", "Guantanamo", "Alien Enemies Act"]
tags = ["Deportation Policy"]
"""


def write_config(tmp_path: Path, base_url: str, *, key: str = "testblog", extra: str = "",
                 name: str = "sources.toml") -> Path:
    """A config with the test topic and one source at `base_url` (which must be local)."""
    assert urlsplit(base_url).hostname == "127.0.0.1", base_url
    path = tmp_path / name
    path.write_text(
        TOPIC
        + "\n[crawl]\ndelay_seconds = 0\nconcurrency_per_host = 4\n"
        + f'\n[[sources]]\nkey = "{key}"\nname = "Test blog"\nurl = "{base_url.rstrip("/")}/"\n'
        + extra,
        encoding="utf-8",
    )
    return path


@dataclass
class CrawlRun:
    returncode: int
    stdout: str
    stderr: str


def run_crawl(config: Path, db_url: str, *args: str, timeout: float = 300) -> CrawlRun:
    """`palimpsest crawl --config CONFIG --db DB ARGS...` in a child process."""
    env = {k: v for k, v in os.environ.items() if k not in ("PALIMPSEST_CONFIG", "PALIMPSEST_DB")}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "crawl", "--config", str(config), "--db", db_url, *args],
        cwd=REPO, env=env, check=False, capture_output=True, text=True, timeout=timeout,
    )
    return CrawlRun(done.returncode, done.stdout, done.stderr)


@dataclass(frozen=True)
class ArchivedComment:
    post: str
    external_id: str
    author: str
    published_at: Any
    parent: str | None
    text: str
    content_hash: str


def query(db_url: str, sql: str) -> list[Any]:
    """The rows of one SQL query against the archive at `db_url` (Row: by name or as a tuple)."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql)))
    finally:
        engine.dispose()


def read_archive(db_url: str) -> dict[str, Any]:
    """Everything a comparison needs, from the archive's tables and views."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            posts = {
                r.external_id: r
                for r in conn.execute(sa.text(
                    "SELECT external_id, title, author_name, published_at, tags, categories, "
                    "body_text, content_hash FROM post_history WHERE valid_to IS NULL"
                ))
            }
            comments = [
                ArchivedComment(
                    r.post_external_id, r.external_id, r.author_name, as_utc(r.published_at),
                    r.threaded_parent_external_id, r.body_text, r.content_hash,
                )
                for r in conn.execute(sa.text(
                    "SELECT post_external_id, external_id, author_name, published_at, "
                    "threaded_parent_external_id, body_text, content_hash "
                    "FROM comment_history WHERE valid_to IS NULL AND NOT deleted"
                ))
            ]
            counts = {
                t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in ("post_version", "comment_version", "comment", "post", "fetch")
            }
            crawls = list(conn.execute(sa.text("SELECT id, status, trigger, stats FROM crawl ORDER BY id")))
    finally:
        engine.dispose()
    return {"posts": posts, "comments": comments, "counts": counts, "crawls": crawls}


def as_utc(value: Any) -> datetime | None:
    """SQLite keeps UTC text ('...Z'), PostgreSQL timestamptz: both as aware UTC datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)  # Python 3.11 reads a trailing Z
    if value.tzinfo is None:  # a naive value from the database is UTC by convention
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def stats_of(crawl_row: Any) -> dict[str, Any]:
    stats = crawl_row.stats
    if isinstance(stats, str):
        import json

        stats = json.loads(stats)
    return dict(stats or {})


def crawl_ok(config: Path, db_url: str) -> dict[str, Any]:
    """Crawl, require exit 0 and a crawl row `ok`, and return the archive (read_archive)."""
    run = run_crawl(config, db_url)
    assert run.returncode == 0, run.stderr[-3000:]
    archive = read_archive(db_url)
    assert archive["crawls"][-1].status == "ok", stats_of(archive["crawls"][-1])
    return archive
