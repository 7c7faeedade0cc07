"""Exports stream: memory stays flat however much text the archive holds."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from storage.archive import Archive
from storage.engine import open_engine
from storage.export import ExportOptions, export_snapshot
from tests.factories import at, make_comment, make_post, make_thread, record

THREADS, COMMENTS, BODY = 16, 125, 3000


@pytest.mark.slow
def test_memory_stays_flat(db_url: str, tmp_path: Path) -> None:
    engine = open_engine(db_url)
    archive = Archive(engine)
    archive.ensure_source("test-blog", "Test blog", "https://blog.example/", "wordpress")
    crawl = archive.start_crawl("test-blog", "test")
    for t in range(THREADS):
        comments = [
            make_comment(str(i + 1), f"{t}-{i} " + "lorem ipsum dolor " * (BODY // 18),
                         author=f"Commenter {i % 37}")
            for i in range(COMMENTS)
        ]
        record(archive, make_thread(comments, post=make_post(str(1000 + t)), fetched_at=at(0)), crawl)
    # a tiny source to warm up on: imports and compiled queries are not the data's memory
    archive.ensure_source("warm-blog", "Warm-up blog", "https://warm.example/", "wordpress")
    warm = archive.start_crawl("warm-blog", "test")
    record(archive, make_thread([make_comment("1"), make_comment("2", parent="1")],
                               source_key="warm-blog", fetched_at=at(0)), warm)
    engine.dispose()
    # body_text, own_text and body_html of every comment: the text an export must move
    text_bytes = THREADS * COMMENTS * BODY * 3

    engine = open_engine(db_url, read_only=True)
    formats = ("parquet", "csv", "jsonl", "sqlite")
    export_snapshot(engine, ExportOptions(out=tmp_path / "warm", as_of=at(1), formats=formats,
                                          sources=("warm-blog",)))
    tracemalloc.start()
    try:
        result = export_snapshot(engine, ExportOptions(
            out=tmp_path / "out", as_of=at(1), formats=formats, batch_size=200,
            sources=("test-blog",)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        engine.dispose()
    assert result.row_counts["comments"] == THREADS * COMMENTS
    # one batch (200 rows) and one thread (125 comments) in memory at a time (about 8 MB
    # measured): holding the comments table would take at least all of its text
    assert peak < text_bytes * 0.6, f"peak {peak / 1e6:.1f} MB for {text_bytes / 1e6:.1f} MB of text"
    print(f"export peak {peak / 1e6:.1f} MB for {text_bytes / 1e6:.1f} MB of text")
