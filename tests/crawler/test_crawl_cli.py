"""The crawl entry points against the bundled demo blog on 127.0.0.1 (no WordPress needed):
`palimpsest demo`, `palimpsest crawl` with several sources, `scrapy crawl archive`, and
`python -m crawler.runner`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.demo import EXAMPLE_QUERIES
from crawler.demo_server import serve_demo_site
from tests.crawler.crawling import REPO, read_archive, run_crawl, stats_of, write_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    with serve_demo_site() as base_url:
        yield base_url


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PALIMPSEST_CONFIG", "PALIMPSEST_DB")}
    env.update(extra)
    return env


def test_demo_crawls_the_sample_blog_and_runs_the_example_queries(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "cli", "demo", "--db", db],
        cwd=REPO, env=_env(), check=False, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "crawl 1 of demo: ok" in done.stdout
    assert done.stdout.count("$ palimpsest sql") == 2
    assert done.stdout.count(" rows)") == 2, done.stdout
    archive = read_archive(db)
    (crawl,) = archive["crawls"]
    assert crawl.status == "ok" and crawl.trigger == "demo"
    assert archive["posts"] and archive["comments"]
    titles = {p.title for p in archive["posts"].values()}
    assert not any("Opening day" in t for t in titles), "the off-topic post is not archived"
    # The printed query works as printed, through the real command.
    query = EXAMPLE_QUERIES[0][1]
    sql = subprocess.run(
        [sys.executable, "-m", "cli", "sql", query, "--db", db],
        cwd=REPO, env=_env(), check=False, capture_output=True, text=True, timeout=120,
    )
    assert sql.returncode == 0, sql.stderr
    assert sql.stdout.strip() and sql.stdout.strip() in done.stdout


def test_crawl_several_sources_one_process_each(demo_url: str, tmp_path: Path) -> None:
    config = write_config(
        tmp_path, demo_url, key="first",
        extra=f'\n[[sources]]\nkey = "second"\nname = "Again"\nurl = "{demo_url}/"\n'
        + '\n[[sources]]\nkey = "off"\nname = "Disabled"\nurl = "http://127.0.0.1:9/"\nenabled = false\n',
    )
    db = f"sqlite:///{tmp_path / 'two.db'}"
    run = run_crawl(config, db)
    assert run.returncode == 0, run.stderr[-3000:]
    archive = read_archive(db)
    assert [(c.status, c.trigger) for c in archive["crawls"]] == [("ok", "manual")] * 2
    assert "crawl 1 of first: ok" in run.stdout and "crawl 2 of second: ok" in run.stdout
    # Live progress: a line per thread.
    assert run.stdout.count("comments,") == 2 * stats_of(archive["crawls"][0])["posts"], run.stdout


def test_crawl_one_source_with_schedule_trigger_and_summary(demo_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, demo_url)
    db = f"sqlite:///{tmp_path / 'one.db'}"
    run = run_crawl(config, db, "--source", "testblog", "--trigger", "schedule")
    assert run.returncode == 0, run.stderr[-3000:]
    (crawl,) = read_archive(db)["crawls"]
    assert crawl.trigger == "schedule"
    stats = stats_of(crawl)
    for key in ("pages", "posts", "comments", "new_versions", "errors", "duration_seconds"):
        assert key in stats, key
    lines = run.stdout.strip().splitlines()
    summary = lines[next(i for i, line in enumerate(lines) if line.startswith("crawl 1 of ")):]
    assert summary[0].startswith("crawl 1 of testblog: ok in ")
    assert f"{stats['posts']} posts, {stats['comments']} comments seen" in summary[1]
    # What the first post page said the site is (the demo site is a WordPress look-alike).
    assert summary[2:] == [f"  site: {stats['site']}"]


def test_unknown_source_is_a_config_error(demo_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, demo_url)
    run = run_crawl(config, f"sqlite:///{tmp_path / 'x.db'}", "--source", "nope")
    assert run.returncode == 2
    assert "no source with key 'nope'" in run.stderr and str(config) in run.stderr


def test_scrapy_crawl_from_the_repo_root(demo_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, demo_url)
    db = f"sqlite:///{tmp_path / 'scrapy.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "archive", "-a", "source=testblog"],
        cwd=REPO, env=_env(PALIMPSEST_CONFIG=str(config), PALIMPSEST_DB=db),
        check=False, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    archive = read_archive(db)
    assert [c.status for c in archive["crawls"]] == ["ok"]
    assert archive["comments"]


def test_runner_module(demo_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, demo_url)
    db = f"sqlite:///{tmp_path / 'runner.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "crawler.runner", "--source", "testblog", "--config", str(config)],
        cwd=REPO, env=_env(PALIMPSEST_DB=db), check=False, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[-1].startswith("palimpsest-summary: {")
    assert read_archive(db)["crawls"][0].status == "ok"
