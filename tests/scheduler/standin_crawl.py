"""A stand-in for `palimpsest crawl` in scheduler tests: takes the real crawl lock, records the call.

Run as `python standin_crawl.py crawl --source KEY --trigger T [--config P]` with the
database in PALIMPSEST_DB. Appends one JSON line per call to STANDIN_RECORD, holds the
lock for STANDIN_SECONDS, and on SIGTERM stops early and records that; a source named in
STANDIN_FAIL (comma-separated) records the start and exits 1, as a failed crawl does. Exits 3 with the
crawl command's one-line error when the lock is held, as the real command does.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from storage.engine import open_engine
from storage.errors import CrawlLocked
from storage.locks import crawl_lock


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command")
    parser.add_argument("--source", required=True)
    parser.add_argument("--trigger", required=True)
    parser.add_argument("--config")
    args = parser.parse_args()
    record = Path(os.environ["STANDIN_RECORD"])
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def note(event: str) -> None:
        entry = {
            "event": event,
            "source": args.source,
            "trigger": args.trigger,
            "config": args.config,
            "time": time.time(),
            "pid": os.getpid(),
        }
        with record.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")

    engine = open_engine(os.environ["PALIMPSEST_DB"], upgrade=False)
    try:
        with crawl_lock(engine, args.source):
            note("start")
            if args.source in os.environ.get("STANDIN_FAIL", "").split(","):
                note("failed")
                return 1
            stopped = stop.wait(float(os.environ.get("STANDIN_SECONDS", "0.2")))
            note("terminated" if stopped else "done")
    except CrawlLocked as exc:
        note("locked")
        print(f"palimpsest: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
