"""`palimpsest serve`: Datasette on 127.0.0.1 lists the archive's views, read-only."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from storage.export.serve import SQL_TIME_LIMIT_MS, listen_warning
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


def _serve(url: str, tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--db", url, "--port", str(port), *args],
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
        # nor can a query attach (create) another file, and queries have a time limit
        elsewhere = tmp_path / "elsewhere.db"
        try:
            _get(f"http://127.0.0.1:{port}/{name}.json?sql=ATTACH+DATABASE+'{elsewhere}'+AS+x")
        except urllib.error.HTTPError:
            pass
        assert not elsewhere.exists()
        settings = json.loads(_get(f"http://127.0.0.1:{port}/-/settings.json"))
        assert settings["sql_time_limit_ms"] == SQL_TIME_LIMIT_MS
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    log = (tmp_path / "serve.log").read_text()
    assert "127.0.0.1" in log and "warning" not in log


def test_serve_beyond_loopback_warns(sqlite_sample: SampleArchive, tmp_path: Path) -> None:
    proc, _port = _serve(sqlite_sample.url, tmp_path, "--host", "0.0.0.0")
    proc.terminate()
    proc.wait(timeout=20)
    log = (tmp_path / "serve.log").read_text()
    assert "palimpsest: warning: --host 0.0.0.0 serves the archive beyond this machine" in log


@pytest.mark.parametrize(("host", "warns"), [
    ("127.0.0.1", False), ("127.0.0.2", False), ("::1", False), ("[::1]", False),
    ("localhost", False), ("0.0.0.0", True), ("::", True), ("192.168.1.5", True),
    ("archive.example", True),
])
def test_listen_warning(host: str, warns: bool) -> None:
    assert (listen_warning(host) is not None) is warns
