"""The worker fleet's benchmark: 20 sources, politeness off, 1 worker against 2, and the queue's cost.

    python -m bench.fleet --postgres URL [--sources 20] [--posts 40] [--comments 30]
                          [--out bench/fleet-results.json]

Generates `--sources` blogs (bench.sitegen), serves each (bench.static_server: nginx
when installed), and for 1 then 2 workers (`palimpsest worker --concurrency 1`, each
crawl one process, so 2 workers can use 2 cores) enqueues one crawl per source into a
fresh PostgreSQL database and times from the first job's start to the last job's end.
Then, with one idle worker, enqueues one source at a time to measure the queue itself:
enqueue-to-start latency (procrastinate's `deferred` to `started` events, the database's
clock) and the per-job overhead (the job's run minus its crawl's own run: the crawl
process's start-up and the queue's bookkeeping). Prints the figures and the machine's
load average before and after each measurement, and writes them to `--out`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.run import _load, machine
from bench.sitegen import SiteSpec, generate_site
from bench.static_server import serve_static

REPO = Path(__file__).resolve().parents[1]

_TIMES = sa.text(
    "SELECT j.id, j.args->>'source_key' AS source,"
    " min(e.at) FILTER (WHERE e.type = 'deferred') AS deferred,"
    " max(e.at) FILTER (WHERE e.type = 'started') AS started,"
    " max(e.at) FILTER (WHERE e.type = 'succeeded') AS succeeded"
    " FROM procrastinate_jobs j JOIN procrastinate_events e ON e.job_id = j.id"
    " GROUP BY j.id ORDER BY j.id"
)
_CRAWL_SECONDS = sa.text(
    "SELECT s.key, extract(epoch FROM c.finished_at - c.started_at)::float8 AS seconds"
    " FROM crawl c JOIN source s ON s.id = c.source_id"
)


def _config(path: Path, urls: dict[str, str]) -> Path:
    lines = ["[topic]", 'name = "benchmark"', 'keywords = ["deport*"]', "",
             "[crawl]", "concurrency_per_host = 16", "delay_seconds = 0.0", ""]
    for key, url in urls.items():
        lines += ["[[sources]]", f'key = "{key}"', f'name = "{key}"', f'url = "{url}/"',
                  'platform = "wordpress"', "use_rest = false", "warc = false", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class _Database:
    """A fresh PostgreSQL database, dropped at the end."""

    def __init__(self, base: str) -> None:
        self.admin = sa.create_engine(make_url(base).set(drivername="postgresql+psycopg"),
                                      isolation_level="AUTOCOMMIT")
        self.name = f"palimpsest_bench_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        self.url = self.admin.url.set(database=self.name).render_as_string(hide_password=False)

    def close(self) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()


def _cli(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "cli", *args], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def _workers(n: int, db: str, config: Path, logs: Path, env: dict[str, str]) -> list[Any]:
    return [subprocess.Popen([sys.executable, "-m", "cli", "worker", "--db", db, "--config",
                              str(config), "--logs-dir", str(logs), "--concurrency", "1"],
                             cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL) for _ in range(n)]


def _times(db: str) -> list[Any]:
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return list(conn.execute(_TIMES).mappings())
    finally:
        engine.dispose()


def _wait_done(db: str, count: int, timeout: float = 3600) -> list[Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = _times(db)
        if len(rows) == count and all(r["succeeded"] for r in rows):
            return rows
        time.sleep(0.2)
    raise RuntimeError(f"jobs not done after {timeout}s")


def _stop(procs: list[Any]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(120)


def throughput(base: str, n_workers: int, config: Path, keys: list[str], work: Path,
               env: dict[str, str], log: Any) -> dict[str, Any]:
    """Every source crawled once by `n_workers` workers: the wall time, first start to last end."""
    db = _Database(base)
    try:
        _cli("db", "upgrade", "--db", db.url, env=env)
        _cli("crawl", "--queue", "--db", db.url, "--config", str(config), env=env)
        load_before = _load()
        procs = _workers(n_workers, db.url, config, work / f"logs-{n_workers}", env)
        rows = _wait_done(db.url, len(keys))
        load_after = _load()
        _stop(procs)
    finally:
        db.close()
    wall = (max(r["succeeded"] for r in rows) - min(r["started"] for r in rows)).total_seconds()
    result = {"workers": n_workers, "crawls": len(rows), "wall_s": round(wall, 2),
              "crawls_per_s": round(len(rows) / wall, 3), "load_before": load_before,
              "load_after": load_after}
    log(f"{n_workers} worker(s): {len(rows)} crawls in {wall:.1f}s"
        f" ({result['crawls_per_s']} crawls/s); load {load_before} -> {load_after}")
    return result


def queue_cost(base: str, config: Path, keys: list[str], work: Path, env: dict[str, str],
               log: Any, samples: int) -> dict[str, Any]:
    """One idle worker, one job at a time: enqueue-to-start latency and per-job overhead."""
    db = _Database(base)
    try:
        _cli("db", "upgrade", "--db", db.url, env=env)
        load_before = _load()
        procs = _workers(1, db.url, config, work / "logs-cost", env)
        time.sleep(5)  # the worker is up and listening
        for i in range(samples):
            _cli("crawl", "--queue", "--source", keys[i % len(keys)], "--db", db.url,
                 "--config", str(config), env=env)
            _wait_done(db.url, i + 1)
        load_after = _load()
        _stop(procs)
        rows = _times(db.url)
        engine = sa.create_engine(db.url)
        with engine.connect() as conn:
            crawl_s = sorted(r["seconds"] for r in conn.execute(_CRAWL_SECONDS).mappings())
        engine.dispose()
    finally:
        db.close()
    latency = [(r["started"] - r["deferred"]).total_seconds() * 1000 for r in rows]
    job_s = sorted((r["succeeded"] - r["started"]).total_seconds() for r in rows)
    overhead = statistics.median(job_s) - statistics.median(crawl_s)
    result = {"samples": len(rows), "enqueue_to_start_ms_median": round(statistics.median(latency), 1),
              "enqueue_to_start_ms_max": round(max(latency), 1),
              "job_s_median": round(statistics.median(job_s), 2),
              "crawl_s_median": round(statistics.median(crawl_s), 2),
              "per_job_overhead_s": round(overhead, 2), "load_before": load_before,
              "load_after": load_after}
    log(f"queue cost: enqueue-to-start median {result['enqueue_to_start_ms_median']} ms"
        f" (max {result['enqueue_to_start_ms_max']}); job {result['job_s_median']}s vs its crawl"
        f" {result['crawl_s_median']}s: overhead {result['per_job_overhead_s']}s;"
        f" load {load_before} -> {load_after}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fleet", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True, help="server URL; fresh databases are made")
    parser.add_argument("--sources", type=int, default=20)
    parser.add_argument("--posts", type=int, default=40)
    parser.add_argument("--comments", type=int, default=30)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--out", default="bench/fleet-results.json")
    args = parser.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, flush=True)

    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "bench.fleet_settings",
           "PALIMPSEST_SHARED_PACE": "0"}
    env.pop("PALIMPSEST_CRAWL_COMMAND", None)
    with tempfile.TemporaryDirectory(prefix="palimpsest-fleet-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        work.chmod(0o755)  # nginx's workers (user nobody under root) read the sites here
        urls = {}
        for i in range(args.sources):
            site = work / f"site-{i:02d}"
            site.mkdir()
            spec = SiteSpec(posts=args.posts, comments=args.comments, per_page=50, page_kb=20,
                            seed=100 + i)
            generate_site(site, spec)
            base, server = stack.enter_context(serve_static(site))
            urls[f"blog-{i:02d}"] = base
        config = _config(work / "fleet.toml", urls)
        keys = list(urls)
        log(f"{args.sources} sources of {args.posts} posts x {args.comments} comments"
            f" on {server}; machine {machine()}")
        one = throughput(args.postgres, 1, config, keys, work, env, log)
        two = throughput(args.postgres, 2, config, keys, work, env, log)
        cost = queue_cost(args.postgres, config, keys, work, env, log, args.samples)
    ratio = round(two["crawls_per_s"] / one["crawls_per_s"], 2)
    log(f"throughput ratio, 2 workers / 1: {ratio}")
    report = {"machine": machine(), "sources": args.sources, "posts": args.posts,
              "comments": args.comments, "one_worker": one, "two_workers": two,
              "ratio": ratio, "queue_cost": cost}
    Path(args.out).write_text(json.dumps(report, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
