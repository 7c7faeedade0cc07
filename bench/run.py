"""`make bench`: palimpsest against its limits and a peer, on one generated site, one run.

    python -m bench.run [--posts N] [--comments M] [--repeats R] [--crawl-repeats C]
                        [--quick] [--scale | --scale-only] [--postgres URL] [--out bench/results.json]
    python -m bench.run --report bench/results.json      # the table again, from the file

Generates a synthetic WordPress site (bench.sitegen), serves it on 127.0.0.1
(bench.static_server), and measures each stage in a process of its own (bench.stages):
fetch-only Scrapy (the limit), palimpsest's first crawl and unchanged recrawl, parsing
(palimpsest, raw lxml, trafilatura), and archive writes against raw sqlite3. Prints a
table with ratios and writes the figures to a JSON file. Every figure is the median of
its repeats; CPU time is the measured process's (user + system, children included),
peak RSS its ru_maxrss. The static server's own CPU is not counted in any stage.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.sitegen import SiteSpec, generate_site
from bench.stages import RESULT_PREFIX
from bench.static_server import free_port, serve_static

__all__ = ["BENCH_OVERRIDES", "StageResult", "format_report", "main", "ratios", "run_stage"]

# Politeness off for the local server only: no delay, no AutoThrottle, 16 requests at a
# time (Scrapy's global default) for both the fetch-only limit and the crawls.
BENCH_OVERRIDES: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "WARNING",
}
STAGE_TIMEOUT_S = 3600  # a stuck stage is killed, never waited on forever

_CONFIG = """\
[topic]
name = "benchmark"
keywords = ["deport*"]

[crawl]
concurrency_per_host = 16
delay_seconds = 0.0

[[sources]]
key = "{key}"
name = "Bench Blog"
url = "{base}/"
platform = "wordpress"
use_rest = false
warc = false
"""


@dataclass
class StageResult:
    """One stage's median figures over its repeats."""

    name: str
    runs: int
    pages: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu_s / self.pages if self.pages else 0.0


def run_stage(stage: str, args: dict[str, Any], timeout: float = STAGE_TIMEOUT_S) -> dict[str, Any]:
    """Run one stage in a child process; its result plus the child's peak RSS (os.wait4)."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.stages", stage, json.dumps(args)],
                            stdout=subprocess.PIPE, text=True)
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    try:
        assert proc.stdout is not None
        lines = proc.stdout.read().splitlines()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        killer.cancel()
    found = [line for line in lines if line.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not found:
        tail = "\n".join(lines[-20:])
        raise RuntimeError(f"bench stage {stage} failed (exit {proc.returncode}):\n{tail}")
    result: dict[str, Any] = json.loads(found[-1][len(RESULT_PREFIX):])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux: kilobytes
    return result


def _median(name: str, runs: list[dict[str, Any]], pages_key: str = "pages") -> StageResult:
    """Median wall and CPU; the largest peak RSS (memory is a ceiling, not an average)."""
    extra = {k: v for k, v in runs[-1].items() if k not in ("wall_s", "cpu_s", "peak_rss_mb")}
    extra["wall_s_all"] = [round(r["wall_s"], 3) for r in runs]
    return StageResult(
        name=name, runs=len(runs), pages=int(runs[-1][pages_key]),
        wall_s=statistics.median(r["wall_s"] for r in runs),
        cpu_s=statistics.median(r["cpu_s"] for r in runs),
        peak_rss_mb=max(r["peak_rss_mb"] for r in runs),
        extra=extra,
    )


def _crawl_stage(args: dict[str, Any], log: Any, fresh: bool = False) -> dict[str, Any]:
    result = _crawl_attempts(args, log, fresh)
    expected = args.get("expect_comments")
    if expected is not None and result["comments"] != expected:
        # A crawl that missed comments is fast for the wrong reason (seen when a source
        # file changed under a running crawl: Scrapy re-reads callbacks' source).
        raise RuntimeError(f"crawl saw {result['comments']} comments of {expected}; figures discarded")
    return result


def _crawl_attempts(args: dict[str, Any], log: Any, fresh: bool) -> dict[str, Any]:
    """One crawl; a failed one is retried once (and said), a second failure stops the run.

    Why retry at all: on a shared, loaded machine a crawl has failed with no problem
    recorded; one retry keeps a two-hour run alive, and the log shows it happened.
    """
    for attempt in (1, 2):
        if fresh:  # a first crawl, into a new SQLite file each time
            for suffix in ("", "-wal", "-shm"):
                Path(args["db"].removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
        try:
            return run_stage("crawl", args)
        except RuntimeError as exc:
            if attempt == 2:
                raise
            log(f"  crawl failed, retrying once: {exc}")
    raise AssertionError("unreachable")


def _repeat(n: int, stage: str, args: dict[str, Any], log: Any) -> list[dict[str, Any]]:
    runs = []
    for i in range(n):
        runs.append(run_stage(stage, args))
        log(f"  {stage} {args.get('engine', '')} run {i + 1}/{n}: {runs[-1]['wall_s']:.2f}s wall, "
            f"{runs[-1]['cpu_s']:.2f}s CPU, {runs[-1]['peak_rss_mb']:.0f} MB")
    return runs


def _one_crawl(label: str, key: str, config: Path, db: str, log: Any, *, first: bool,
               expect: int | None = None) -> dict[str, Any]:
    r = _crawl_stage({"source": key, "config": str(config), "db": db, "overrides": BENCH_OVERRIDES,
                      "expect_comments": expect}, log, fresh=first and db.startswith("sqlite:"))
    log(f"  {label}: {r['pages']} pages in {r['wall_s']:.1f}s ({r['cpu_s']:.1f}s CPU, "
        f"{r['peak_rss_mb']:.0f} MB), {r['version_rows_written']} version rows, status {r['status']}")
    if not first and r["version_rows_written"] != 0:
        raise AssertionError(f"{label}: a recrawl of the unchanged site wrote {r['version_rows_written']} version rows")
    return r


def _crawls(site: Path, base: str, work: Path, db_url: str | None, repeats: int, key: str,
            log: Any) -> tuple[StageResult, StageResult]:
    """PostgreSQL: one first crawl of a new source key, then unchanged recrawls (304s)."""
    config = work / f"{key}.toml"
    config.write_text(_CONFIG.format(key=key, base=base))
    first_runs = []
    db = db_url or ""
    for i in range(repeats):
        if not db_url:
            db = f"sqlite:///{work / f'{key}-{i}.db'}"
        first_runs.append(_crawl_stage({"source": key, "config": str(config), "db": db,
                                        "overrides": BENCH_OVERRIDES}, log, fresh=not db_url))
        r = first_runs[-1]
        log(f"  first crawl ({key}) run {i + 1}/{repeats}: {r['pages']} pages in {r['wall_s']:.1f}s, "
            f"{r['version_rows_written']} version rows, status {r['status']}")
        if db_url:  # one PostgreSQL database: the first crawl of a source key happens once
            break
    re_runs = []
    for i in range(repeats):
        re_runs.append(_crawl_stage({"source": key, "config": str(config), "db": db,
                                     "overrides": BENCH_OVERRIDES}, log))
        r = re_runs[-1]
        log(f"  recrawl ({key}) run {i + 1}/{repeats}: {r['pages']} pages in {r['wall_s']:.1f}s, "
            f"{r['version_rows_written']} version rows, status {r['status']}")
        if r["version_rows_written"] != 0:
            raise AssertionError(f"recrawl of an unchanged site wrote {r['version_rows_written']} version rows")
    return (_median("first crawl, PostgreSQL", first_runs),
            _median("recrawl unchanged, 304s, PostgreSQL", re_runs))


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=1000)
    ap.add_argument("--comments", type=int, default=100)
    ap.add_argument("--page-kb", type=int, default=250)
    ap.add_argument("--repeats", type=int, default=3, help="runs of each cheap stage (median)")
    ap.add_argument("--crawl-repeats", type=int, default=2, help="runs of each crawl stage (median)")
    ap.add_argument("--parse-posts", type=int, default=100, help="threads in the parse and write samples")
    ap.add_argument("--quick", action="store_true", help="a tiny site, one run each: a smoke test")
    ap.add_argument("--scale", action="store_true", help="also crawl 100, 1,000 and 10,000 posts")
    ap.add_argument("--scale-only", action="store_true", help="only the scale run (adds to --out)")
    ap.add_argument("--scale-comments", type=int, default=20)
    ap.add_argument("--scale-page-kb", type=int, default=100)
    ap.add_argument("--scale-sizes", default="100,1000,10000")
    ap.add_argument("--postgres", default=os.environ.get("PALIMPSEST_TEST_POSTGRES_URL"))
    ap.add_argument("--python-server", action="store_true", help="serve with Python, not nginx")
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("results.json"))
    ap.add_argument("--workdir", type=Path, default=None, help="keep the site and archives here")
    ap.add_argument("--report", type=Path, default=None, help="print the table of a results file; run nothing")
    args = ap.parse_args(argv)
    if args.report:
        print(format_report(json.loads(args.report.read_text())))
        return 0
    if args.quick:
        args.posts, args.comments, args.page_kb = 6, 60, 40
        args.repeats = args.crawl_repeats = 1
        args.parse_posts = 3

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="palimpsest-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    # mkdtemp makes it 0700; nginx started by root serves as an unprivileged worker user,
    # which must be able to enter it (else every page is a 404).
    work.chmod(0o755)
    try:
        if args.scale_only:  # keep the main table of an earlier run, replace the scale rows
            report = json.loads(args.out.read_text()) if args.out.exists() else {}
        else:
            report = _main_table(args, work, log)
        if args.scale or args.scale_only:
            report["scale"] = _scale(args, work, log)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    if "stages" in report:
        report["ratios"] = ratios(report["stages"])
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(format_report(report))
    print(f"\nwritten: {args.out}")
    return 0


def _main_table(args: argparse.Namespace, work: Path, log: Any) -> dict[str, Any]:
    spec = SiteSpec(posts=args.posts, comments=args.comments, page_kb=args.page_kb)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    site = work / "site"
    t0 = time.perf_counter()
    pages = generate_site(site, spec, base)
    log(f"site: {spec.posts} posts x {spec.comments} comments, {pages} thread pages, "
        f"generated in {time.perf_counter() - t0:.0f}s")
    loads = [_load()]
    stages: dict[str, StageResult] = {}
    fetch_runs: list[dict[str, Any]] = []
    first_runs: list[dict[str, Any]] = []
    re304_runs: list[dict[str, Any]] = []
    refp_runs: list[dict[str, Any]] = []
    config = work / "bench.toml"
    config.write_text(_CONFIG.format(key="bench", base=base))
    fetch_args = {"site": str(site), "overrides": BENCH_OVERRIDES}

    def fetch(i: int) -> None:
        fetch_runs.append(run_stage("fetch_only", fetch_args))
        r = fetch_runs[-1]
        log(f"  fetch-only run {i}: {r['pages']} pages in {r['wall_s']:.1f}s ({r['cpu_s']:.1f}s CPU, "
            f"{r['peak_rss_mb']:.0f} MB)")

    # Fetch-only runs are interleaved with the crawls, so a burst of load on this shared
    # machine hits the limit and the crawls alike rather than one stage only.
    rounds = max(args.repeats, args.crawl_repeats)
    expected = spec.posts * spec.comments  # every crawl must see every comment
    dbs = [f"sqlite:///{work / f'bench-{i}.db'}" for i in range(args.crawl_repeats)]
    with serve_static(site, port=port, prefer_nginx=not args.python_server) as (url, server):
        assert url == base
        log(f"serving with {server} at {base} (ETag/Last-Modified on); load {loads[0]}")
        for i in range(rounds):
            if i < args.repeats:
                fetch(len(fetch_runs) + 1)
            if i < args.crawl_repeats:
                first_runs.append(_one_crawl(f"first crawl {i + 1}", "bench", config, dbs[i], log, first=True,
                                              expect=expected))
                re304_runs.append(_one_crawl(f"recrawl (304s) {i + 1}", "bench", config, dbs[i], log, first=False,
                                              expect=expected))
        loads.append(_load())
        if args.postgres:
            key = f"bench{int(time.time())}"
            stages["crawl_postgres"], stages["recrawl_postgres"] = _crawls(
                site, base, work, args.postgres, args.crawl_repeats, key, log)
            loads.append(_load())
    # Without validators, each archive is recrawled twice. The first recrawl follows a 304
    # crawl, so the stored state has no body of the post pages to compare with (a 304 has
    # none); the second is the steady state of a site that never sends validators, whose
    # previous crawl got every page whole too. Both are measured; the targets use the second.
    after304_runs: list[dict[str, Any]] = []
    with serve_static(site, port=port, prefer_nginx=not args.python_server, validators=False):
        log(f"serving again, no validators (every page 200); load {_load()}")
        for i, db in enumerate(dbs):
            fetch(len(fetch_runs) + 1)
            after304_runs.append(_one_crawl(f"recrawl (200s, after the 304s) {i + 1}", "bench", config, db, log,
                                            first=False, expect=expected))
            refp_runs.append(_one_crawl(f"recrawl (200s, after 200s) {i + 1}", "bench", config, db, log,
                                        first=False, expect=expected))
    loads.append(_load())
    stages = {
        "fetch_only": _median("fetch-only Scrapy (limit)", fetch_runs),
        "crawl_sqlite": _median("first crawl, SQLite", first_runs),
        "recrawl_sqlite": _median("recrawl unchanged, 200s, after 200s", refp_runs),
        "recrawl_304_sqlite": _median("recrawl unchanged, 304s (validators)", re304_runs),
        "recrawl_200_after_304_sqlite": _median("recrawl unchanged, 200s after 304s", after304_runs),
        **stages,
    }
    sample = {"site": str(site), "base": base, "posts": args.parse_posts}
    for engine in ("palimpsest", "lxml", "trafilatura"):
        stages[f"parse_{engine}"] = _median(
            {"palimpsest": "parse + normalize (palimpsest)", "lxml": "lxml.html.fromstring only",
             "trafilatura": "trafilatura extract(include_comments)"}[engine],
            _repeat(args.repeats, "parse", {**sample, "engine": engine}, log))
    loads.append(_load())
    for name, stage in (("write_archive", "write"), ("write_raw_sqlite", "raw_sqlite")):
        runs = []
        for i in range(args.repeats):
            runs.append(run_stage(stage, {**sample, "db": f"sqlite:///{work / f'{stage}-{i}.db'}"}))
            log(f"  {stage} run {i + 1}: {runs[-1]['comment_versions']} comment versions "
                f"in {runs[-1]['wall_s']:.2f}s")
        stages[name] = _median({"write": "Archive.record, SQLite (rows=versions)",
                                "raw_sqlite": "raw sqlite3 executemany (rows=versions)"}[stage],
                               runs, pages_key="comment_versions")
    loads.append(_load())
    return {
        "site": {**asdict(spec), "thread_pages": pages, "server": server,
                 "bytes_per_page": stages["fetch_only"].extra.get("bytes", 0) // max(1, stages["fetch_only"].pages)},
        "settings": {"overrides": BENCH_OVERRIDES, "config": "delay_seconds 0, concurrency_per_host 16, REST off, WARC off",
                     "repeats": args.repeats, "crawl_repeats": args.crawl_repeats, "parse_posts": args.parse_posts},
        "machine": {**machine(), "load_during_run": loads},
        "stages": {k: {**asdict(v), "pages_per_s": v.pages_per_s, "cpu_ms_per_page": v.cpu_ms_per_page}
                   for k, v in stages.items()},
    }


def ratios(s: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Ours ÷ limit, ours ÷ peer, writer ÷ raw: by wall time and by CPU time.

    The CPU ratios hold up better on a loaded machine (a stage's wall time there depends
    on what else runs); both are reported and the docs say which targets use which.
    """
    def speed(ours: str, other: str) -> float:  # ours per second ÷ theirs per second
        return s[ours]["pages_per_s"] / s[other]["pages_per_s"] if s[other]["pages_per_s"] else 0.0

    def cpu_speed(ours: str, other: str) -> float:  # their CPU per page ÷ ours
        return s[other]["cpu_ms_per_page"] / s[ours]["cpu_ms_per_page"] if s[ours]["cpu_ms_per_page"] else 0.0

    out = {
        "first_crawl_vs_fetch_only": speed("crawl_sqlite", "fetch_only"),
        "first_crawl_vs_fetch_only_cpu": cpu_speed("crawl_sqlite", "fetch_only"),
        "recrawl_vs_fetch_only": speed("recrawl_sqlite", "fetch_only"),
        "recrawl_vs_fetch_only_cpu": cpu_speed("recrawl_sqlite", "fetch_only"),
        "recrawl_speedup_vs_first_crawl": s["crawl_sqlite"]["wall_s"] / s["recrawl_sqlite"]["wall_s"],
        "recrawl_speedup_vs_first_crawl_cpu": s["crawl_sqlite"]["cpu_s"] / s["recrawl_sqlite"]["cpu_s"],
        "parse_speedup_vs_trafilatura": speed("parse_palimpsest", "parse_trafilatura"),
        "parse_speedup_vs_trafilatura_cpu": cpu_speed("parse_palimpsest", "parse_trafilatura"),
        "parse_cost_vs_lxml_parse_only_cpu": 1 / cpu_speed("parse_palimpsest", "parse_lxml"),
        "archive_writes_vs_raw_sqlite": speed("write_archive", "write_raw_sqlite"),
        "archive_writes_vs_raw_sqlite_cpu": cpu_speed("write_archive", "write_raw_sqlite"),
    }
    if "recrawl_304_sqlite" in s:
        out["recrawl_304_vs_fetch_only"] = speed("recrawl_304_sqlite", "fetch_only")
        out["recrawl_304_speedup_vs_first_crawl"] = s["crawl_sqlite"]["wall_s"] / s["recrawl_304_sqlite"]["wall_s"]
    if "recrawl_200_after_304_sqlite" in s:
        out["recrawl_200_after_304_vs_fetch_only"] = speed("recrawl_200_after_304_sqlite", "fetch_only")
        out["recrawl_200_after_304_vs_fetch_only_cpu"] = cpu_speed("recrawl_200_after_304_sqlite", "fetch_only")
    if "crawl_postgres" in s:
        out["first_crawl_postgres_vs_fetch_only"] = speed("crawl_postgres", "fetch_only")
        out["recrawl_postgres_vs_fetch_only"] = speed("recrawl_postgres", "fetch_only")
    return out


def _scale(args: argparse.Namespace, work: Path, log: Any) -> list[dict[str, Any]]:
    """First crawl (once) of 100, 1,000, 10,000 posts of one smaller page shape.

    One shape for every size, so growth is growth in posts; smaller than the main table's
    so 10,000 posts fit the disk and the hour (the size is in the rows).
    """
    rows = []
    for posts in (int(x) for x in args.scale_sizes.split(",")):
        spec = SiteSpec(posts=posts, comments=args.scale_comments, page_kb=args.scale_page_kb)
        site = work / f"scale-{posts}"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        generate_site(site, spec, base)
        with serve_static(site, port=port, prefer_nginx=not args.python_server):
            config = work / f"scale{posts}.toml"
            config.write_text(_CONFIG.format(key=f"scale{posts}", base=base))
            db = f"sqlite:///{work / f'scale{posts}.db'}"
            r = _crawl_stage({"source": f"scale{posts}", "config": str(config), "db": db,
                              "overrides": BENCH_OVERRIDES, "expect_comments": posts * spec.comments},
                             log, fresh=True)
        log(f"  scale {posts} posts: {r['pages']} pages in {r['wall_s']:.0f}s, {r['peak_rss_mb']:.0f} MB")
        first = _median("first crawl", [r])
        rows.append({"posts": posts, "comments": spec.comments, "page_kb": spec.page_kb,
                     "pages": first.pages, "wall_s": first.wall_s, "pages_per_s": first.pages_per_s,
                     "cpu_ms_per_page": first.cpu_ms_per_page, "peak_rss_mb": first.peak_rss_mb,
                     "comments_seen": r["comments"], "load": _load()})
        shutil.rmtree(site, ignore_errors=True)  # 10,000 posts of pages is gigabytes
    return rows


def format_report(r: dict[str, Any]) -> str:
    """The table `make bench` prints (also pasted into docs/performance.md)."""
    lines = _format_main(r) if "stages" in r else []
    if "scale" in r:
        lines += _format_scale(r["scale"])
    return "\n".join(lines)


def _format_main(r: dict[str, Any]) -> list[str]:
    m, site = r["machine"], r["site"]
    lines = [
        (f"site: {site['posts']} posts x {site['comments']} comments, {site['thread_pages']} thread pages "
        f"of ~{site['bytes_per_page'] // 1024} KB, served by {site['server']} on 127.0.0.1"),
        f"machine: {m['nproc']} cores, {m['cpu']}, {m['memory_gb']} GB; load during run {m['load_during_run']}",
        f"crawl settings: {r['settings']['config']}; Scrapy overrides {r['settings']['overrides']}",
        "",
        f"| {'stage':<40} | runs | {'pages':>7} | {'pages/s':>8} | {'CPU ms/page':>11} | {'peak RSS MB':>11} |",
        f"|{'-' * 42}|------|{'-' * 9}|{'-' * 10}|{'-' * 13}|{'-' * 13}|",
    ]
    for s in r["stages"].values():
        lines.append(f"| {s['name']:<40} | {s['runs']:>4} | {s['pages']:>7} | {s['pages_per_s']:>8.1f} | "
                     f"{s['cpu_ms_per_page']:>11.2f} | {s['peak_rss_mb']:>11.0f} |")
    rec = [v["extra"] for k, v in r["stages"].items() if k.startswith("recrawl")]
    lines += ["", (f"recrawls of the unchanged site: {[x['version_rows_written'] for x in rec]} version rows "
              "written (asserted zero)"), "", "ratios (targets of issues 9 and 5):"]
    targets = {
        "first_crawl_vs_fetch_only": ">= 0.25", "recrawl_vs_fetch_only": ">= 0.60",
        "recrawl_speedup_vs_first_crawl": ">= 3", "parse_speedup_vs_trafilatura": ">= 2",
        "archive_writes_vs_raw_sqlite": ">= 0.70",
    }
    for k, v in ratios(r["stages"]).items():
        lines.append(f"  {k:<40} {v:8.2f}   {('target ' + targets[k]) if k in targets else ''}")
    return lines


def _format_scale(scale: list[dict[str, Any]]) -> list[str]:
    lines = ["", "scale (first crawl into SQLite, one run each; load = 1-min average just after):",
             "| posts | comments | page KB | pages | wall s | pages/s | CPU ms/page | peak RSS MB | load |",
             "|------:|---------:|--------:|------:|-------:|--------:|------------:|------------:|-----:|"]
    for s in scale:
        lines.append(f"| {s['posts']} | {s['comments']} | {s['page_kb']} | {s['pages']} | {s['wall_s']:.1f} | "
                     f"{s['pages_per_s']:.1f} | {s['cpu_ms_per_page']:.2f} | {s['peak_rss_mb']:.0f} | "
                     f"{s['load'][0]} |")
    return lines


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
