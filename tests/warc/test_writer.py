"""WarcFileWriter: records readable at their offsets, rotation, digests, warcio check/index."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.warc import WarcFileWriter

WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def write(writer: WarcFileWriter, n: int, size: int = 2000) -> list[tuple[str, str, int]]:
    out = []
    for i in range(n):
        url = f"http://127.0.0.1:8000/post-{i}/?replytocom={i}"
        body = f"<html><body>post {i} café ".encode() + bytes(range(256)) * (size // 256)
        loc = writer.write_exchange(
            url=url,
            method="GET",
            request_headers=[("User-Agent", "palimpsest-test"), ("Accept", "text/html")],
            request_body=b"",
            status=200 if i % 3 else 503,
            response_headers=[
                ("Content-Type", "text/html; charset=utf-8"),
                ("Transfer-Encoding", "chunked"),
            ],
            body=body,
            fetched_at=WHEN,
            ip_address="127.0.0.1",
        )
        out.append((url, loc.file, loc.offset))
    return out


def warcio_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warcio.cli", *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_offsets_point_at_response_records(tmp_path: Path) -> None:
    writer = WarcFileWriter(tmp_path, prefix="t")
    written = write(writer, 5)
    writer.close()
    for url, name, offset in written:
        with open(tmp_path / name, "rb") as fh:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_type == "response"
            assert record.rec_headers.get_header("WARC-Target-URI") == url
            assert record.http_headers.get_header("Transfer-Encoding") is None
            body = record.content_stream().read()
            assert body.startswith(b"<html><body>post ")


def test_each_response_has_its_request(tmp_path: Path) -> None:
    writer = WarcFileWriter(tmp_path, prefix="t")
    write(writer, 3)
    (name,) = writer.close()
    with open(tmp_path / name, "rb") as fh:
        records = [(r.rec_type, r.rec_headers) for r in ArchiveIterator(fh)]
    assert [t for t, _ in records] == ["warcinfo"] + ["response", "request"] * 3
    for (_, resp), (_, req) in zip(records[1::2], records[2::2], strict=True):
        assert req.get_header("WARC-Concurrent-To") == resp.get_header("WARC-Record-ID")
        assert req.get_header("WARC-Date") == "2026-03-01T12:00:00.000000Z"


def test_rotation_and_digests(tmp_path: Path) -> None:
    writer = WarcFileWriter(tmp_path, prefix="rot", max_bytes=4000)
    written = write(writer, 6, size=4000)
    digests = writer.close()
    files = sorted(p.name for p in tmp_path.glob("*.warc.gz"))
    assert len(files) > 1
    assert sorted(digests) == files
    assert {name for _, name, _ in written} == set(files)
    for name, sha in digests.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == sha
    assert writer.close() == digests  # idempotent


def test_warcio_check_and_index_accept_the_files(tmp_path: Path) -> None:
    writer = WarcFileWriter(tmp_path, prefix="chk", max_bytes=5000)
    written = write(writer, 4)
    files = [str(tmp_path / n) for n in writer.close()]
    check = warcio_cli("check", "-v", *files)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "fail" not in check.stdout
    assert check.stdout.count("digest pass") == 1 + 2 * 4 + (len(files) - 1)  # + warcinfos
    index = warcio_cli("index", "-f", "warc-type,warc-target-uri,offset", *files)
    assert index.returncode == 0, index.stderr
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    responses = [
        (r["warc-target-uri"], int(r["offset"])) for r in rows if r["warc-type"] == "response"
    ]
    assert responses == [(url, offset) for url, _, offset in written]
