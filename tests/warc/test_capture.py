"""WARC capture of a real crawl, and `palimpsest reparse` of it (SQLite and PostgreSQL).

A generated blog is crawled through the fault server with `--warc DIR` (one page fails
once, so error responses are captured too). Checked: every fetch row points at its
response record (file and offset), each file's SHA-256 is on the crawl row, `warcio
check` and `warcio index` accept the files; then, with the server stopped, `palimpsest
reparse --crawl 1` rebuilds the threads from the WARC as a new 'reparse' crawl that
writes zero new versions. A WARC that no longer matches its digest is refused.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from bench.sitegen import SiteSpec, generate_site
from tests.crawler.crawling import REPO, query, read_archive, run_crawl, stats_of, write_config
from tests.faults.server import Fault, serve_faults

pytestmark = pytest.mark.slow  # real crawls in child processes


@pytest.fixture
def captured(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, Path, str]]:
    """(config, warc dir, db url) after one crawl with capture; the site is gone after."""
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "tests.faults.fast_settings")
    root = tmp_path / "site"
    root.mkdir()
    warc_dir = tmp_path / "warc"
    # A 500 that is retried, and a moved page: both captured, both replayed by reparse.
    # A post page sent gzipped and one mislabelled (cp1252 bytes, charset=UTF-8): what
    # the fetch rows say of both is what the server sent.
    faults = [
        Fault("status", r"/comment-page-1/$", status=500, times=1),
        Fault("redirect", r"^/feed/$", location="/feed-moved/"),
        Fault("gzip", r"/post-1/$"),
        Fault("wrong_charset", r"/post-2/$"),
    ]
    with serve_faults(directory=root, faults=faults) as fs:
        spec = SiteSpec(posts=4, comments=25, per_page=10, page_kb=4)
        generate_site(root, spec, fs.base_url)
        # One request at a time: a place in the per-host count never freed would stall
        # the crawl (or its reparse), so this also proves every place is freed.
        extra = "use_rest = false\nconcurrency = 1\n"
        config = write_config(tmp_path, fs.base_url, extra=extra)
        run = run_crawl(config, db_url, "--warc", str(warc_dir))
        assert run.returncode == 0, run.stderr[-3000:]
    yield config, warc_dir, db_url


def warcio(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warcio.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def reparse(config: Path, db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", "reparse", "--config", str(config), "--db", db_url, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_capture_is_complete_addressable_and_valid(captured: tuple[Path, Path, str]) -> None:
    # Every fetch row points at its response record.
    _, warc_dir, db_url = captured
    fetches = query(
        db_url, 'SELECT url, status, warc_file, warc_offset FROM "fetch" WHERE status > 0'
    )
    assert fetches and all(f.warc_file and f.warc_offset is not None for f in fetches)
    assert any(f.url.endswith("/robots.txt") for f in fetches)
    for f in fetches:
        with open(warc_dir / f.warc_file, "rb") as fh:
            fh.seek(f.warc_offset)
            record = next(iter(ArchiveIterator(fh)))
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == f.url
        assert int(record.http_headers.get_statuscode()) == f.status

    # Each file's SHA-256 is on the crawl row; warcio's checker and indexer accept them.
    (crawl,) = query(db_url, "SELECT stats, warc_sha256 FROM crawl")
    stats = stats_of(crawl)
    column = crawl.warc_sha256
    digests = (json.loads(column) if isinstance(column, str) else column) or stats["warc_sha256"]
    files = sorted(warc_dir.glob("*.warc.gz"))
    assert sorted(digests) == [f.name for f in files]
    for f in files:
        assert hashlib.sha256(f.read_bytes()).hexdigest() == digests[f.name]
    check = warcio("check", "-v", *map(str, files))
    assert check.returncode == 0 and "fail" not in check.stdout, check.stdout[-2000:]
    index = warcio("index", "-f", "warc-type,warc-target-uri,offset", *map(str, files))
    assert index.returncode == 0, index.stderr
    indexed = {
        (r["warc-target-uri"], int(r["offset"]))
        for r in map(json.loads, index.stdout.splitlines())
        if r["warc-type"] == "response"
    }
    fetched = query(db_url, 'SELECT url, warc_offset FROM "fetch" WHERE status > 0')
    assert {(f.url, f.warc_offset) for f in fetched} <= indexed
    # One fetch row per response, the retried 500 and the 301 included, each with its record.
    assert len(indexed) == len(fetched)
    assert {500, 301} <= {f.status for f in fetches}


def test_fetch_rows_hash_the_bodies_as_sent(captured: tuple[Path, Path, str]) -> None:
    """fetch.sha256 and fetch.size are those of the WARC response record's payload: the
    body as received (de-chunked, still gzipped if it was), never a rewritten one."""
    _, warc_dir, db_url = captured
    fetches = query(db_url, 'SELECT url, sha256, size, encoding, content_type, warc_file, '
                           'warc_offset FROM "fetch" WHERE status > 0')
    encodings: set[str] = set()
    for f in fetches:
        with open(warc_dir / f.warc_file, "rb") as fh:
            fh.seek(f.warc_offset)
            record = next(iter(ArchiveIterator(fh)))
            payload = record.raw_stream.read()
            encodings.add(record.http_headers.get_header("Content-Encoding") or "")
        assert (f.sha256, f.size) == (hashlib.sha256(payload).hexdigest(), len(payload)), f.url
    assert "gzip" in encodings  # one payload was still compressed, and hashed as such
    # The codec each text body is read with, decided once: the mislabelled page's is cp1252.
    read_with = {f.url.rsplit("/", 2)[-2]: f.encoding for f in fetches
                 if (f.content_type or "").startswith("text/html")}
    assert read_with.pop("post-2") == "cp1252"
    assert set(read_with.values()) == {"utf-8"}
    (crawl,) = query(db_url, "SELECT stats FROM crawl")
    faults = [(f["kind"], f["url"].rsplit("/", 2)[-2]) for f in stats_of(crawl)["faults"]
              if f["kind"].startswith("encoding_")]
    assert faults == [("encoding_mislabelled", "post-2")]  # read as cp1252, kept as sent


def test_reparse_offline_reproduces_the_archive(captured: tuple[Path, Path, str]) -> None:
    # The server is gone: everything comes from the WARC files.
    config, warc_dir, db_url = captured
    before = read_archive(db_url)
    done = reparse(config, db_url, "--crawl", "1", "--warc", str(warc_dir))
    assert done.returncode == 0, done.stderr[-3000:]
    after = read_archive(db_url)
    first, again = after["crawls"]
    assert again.trigger == "reparse"
    assert again.status == first.status, stats_of(again)
    assert stats_of(again)["new_versions"] == 0
    assert stats_of(again)["posts"] == stats_of(first)["posts"]
    for table in ("post_version", "comment_version", "comment", "post"):
        assert after["counts"][table] == before["counts"][table], table

    # A WARC that changed since its digest was recorded is refused, and nothing is written.
    victim = min(warc_dir.glob("*.warc.gz"))
    victim.write_bytes(victim.read_bytes() + b"\0")
    done = reparse(config, db_url, "--crawl", "1", "--warc", str(warc_dir))
    assert done.returncode == 2
    assert "does not match its recorded SHA-256" in done.stderr
    assert len(read_archive(db_url)["crawls"]) == 2

    # A crawl that does not exist is one line and exit 2, not a traceback.
    done = reparse(config, db_url, "--crawl", "99", "--warc", str(warc_dir))
    assert done.returncode == 2 and "no such crawl" in done.stderr
    assert "Traceback" not in done.stderr
