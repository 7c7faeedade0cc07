"""Any text survives archive -> export -> read back, in every format (Hypothesis)."""

from __future__ import annotations

import csv
import json
import sqlite3
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.archive import Archive
from storage.engine import open_engine
from storage.export import ExportOptions, export_snapshot
from tests.factories import at, make_comment, make_thread, record

# The archive turns NUL into U+FFFD (PostgreSQL text cannot hold it); anything else goes.
texts = st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=200) | st.sampled_from(
    ["line\u2028sep", "next\x85line", "cr\ronly", "crlf\r\nin", '"quoted", comma', "\ufeffbom"]
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies=st.lists(texts, min_size=1, max_size=6))
def test_any_text_survives_every_format(bodies: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        url = f"sqlite:///{root / 'a.db'}"
        engine = open_engine(url)
        archive = Archive(engine)
        archive.ensure_source("test-blog", "Test blog", "https://blog.example/", "wordpress")
        crawl = archive.start_crawl("test-blog", "test")
        comments = [make_comment(str(i + 1), body, own_text=body) for i, body in enumerate(bodies)]
        record(archive, make_thread(comments, fetched_at=at(0)), crawl)
        engine.dispose()
        engine = open_engine(url, read_only=True)
        out = root / "out"
        export_snapshot(engine, ExportOptions(out=out, as_of=at(1),
                                              formats=("parquet", "csv", "jsonl", "sqlite")))
        engine.dispose()

        parquet = [r["body_text"] for r in pq.read_table(out / "comments.parquet").to_pylist()]
        with (out / "comments.csv").open(encoding="utf-8", newline="") as fh:
            from_csv = [r["body_text"] for r in csv.DictReader(fh)]
        # splitlines(): the strictest reader, which also breaks at U+2028, U+0085, ...
        lines = (out / "threads.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == 1
        line = lines[0]
        jsonl = [c["body_text"] for c in json.loads(line)["comments"]]
        db = sqlite3.connect(out / "palimpsest.sqlite")
        from_sqlite = [r[0] for r in db.execute("SELECT body_text FROM comments ORDER BY position")]
        db.close()
        assert parquet == from_csv == jsonl == from_sqlite == bodies
