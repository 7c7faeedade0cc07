"""Fixtures of the worker fleet's tests: a PostgreSQL archive, workers as processes, the queue.

Every test here needs PostgreSQL (the queue lives there): through `pg_url` (tests/conftest.py)
they skip saying why without it, and fail when PALIMPSEST_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _fresh_postgres_database
from tests.scheduler.conftest import standin, write_config  # noqa: F401 - fixtures

REPO = Path(__file__).resolve().parents[2]


class WorkerProcess:
    """`palimpsest worker` as a process of its own, its output in a file."""

    def __init__(self, tmp_path: Path, name: str, db_url: str, config: Path, *args: str,
                 env: dict[str, str] | None = None) -> None:
        self.log = tmp_path / f"{name}.log"
        argv = [sys.executable, "-m", "cli", "worker", "--db", db_url, "--config", str(config),
                "--logs-dir", str(tmp_path / "logs"), *args]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(argv, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                         env={**os.environ, **(env or {})},
                                         start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, then wait for the worker to exit; its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self, *crawl_pids: int) -> None:
        """SIGKILL the worker, and the crawl processes `crawl_pids` it started.

        Each crawl runs in a session of its own (as under the scheduler), so killing
        the worker alone leaves its crawls running, as after an OOM kill of the worker.
        """
        os.killpg(self.proc.pid, signal.SIGKILL)
        for pid in crawl_pids:
            os.kill(pid, signal.SIGKILL)
        self.proc.wait(10)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """start(name, db_url, config, *options) -> a running worker; all stopped at the end."""
    started: list[WorkerProcess] = []

    def start(name: str, db_url: str, config: Path, *args: str, **kwargs: Any) -> WorkerProcess:
        proc = WorkerProcess(tmp_path, name, db_url, config, *args, **kwargs)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.proc.poll() is None:
            proc.kill()


@pytest.fixture
def reference_pg_url() -> Iterator[str]:
    """A second fresh PostgreSQL database, for the archive a plain crawl makes."""
    yield from _fresh_postgres_database()
