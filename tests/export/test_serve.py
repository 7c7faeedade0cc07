"""`palimpsest serve`: Datasette on 127.0.0.1 lists the archive's views, read-only."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.export.conftest import SampleArchive

pytest.importorskip("datasette", reason="the `serve` extra (Datasette) is not installed")

VIEWS = ("current_posts", "current_comments", "post_history", "comment_history",
         "comment_replies", "comment_quotes", "changes")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return str(resp.read().decode("utf-8"))


def _serve(url: str, tmp_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--db", url, "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"serve exited early: {(tmp_path / 'serve.log').read_text()}")
        try:
            _get(f"http://127.0.0.1:{port}/-/versions.json")
            return proc, port
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    pytest.fail(f"serve did not answer within 60 s: {(tmp_path / 'serve.log').read_text()}")


def test_serve_lists_the_views(sample: SampleArchive, tmp_path: Path) -> None:
    proc, port = _serve(sample.url, tmp_path)
    try:
        index = _get(f"http://127.0.0.1:{port}/")
        name = "archive" if sample.url.startswith("sqlite") else "palimpsest"
        assert f'href="/{name}"' in index
        page = _get(f"http://127.0.0.1:{port}/{name}")
        for view in VIEWS:
            assert view in page, f"view {view} is not listed on /{name}"
        rows = _get(f"http://127.0.0.1:{port}/{name}/current_comments.json?_shape=array")
        assert "Zorblat Quux" in rows
        # read-only: Datasette refuses writes through its SQL page
        refused = urllib.request.Request(
            f"http://127.0.0.1:{port}/{name}.json?sql=DELETE+FROM+post_version")
        try:
            body = _get(refused.full_url)
        except urllib.error.HTTPError as exc:
            body = exc.read().decode()
        assert '"ok": false' in body.replace('"ok":false', '"ok": false')
    finally:
        proc.terminate()
        proc.wait(timeout=20)
