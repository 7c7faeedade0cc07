"""Two writers recording the same thread at once: no duplicate versions, nothing lost."""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa

from storage.archive import Archive, RecordResult
from storage.engine import open_engine
from tests.factories import SOURCE_KEY, at, make_comment, make_thread, record

ROUNDS = 12


def run_writers(db_url: str, bodies: tuple[str, str]) -> list[RecordResult]:
    """Each round, two writers (own engines, like two processes) record one thread at once."""
    setup = Archive(open_engine(db_url))
    setup.ensure_source(SOURCE_KEY, "Test blog", "https://blog.example/", "wordpress")
    crawl_id = setup.start_crawl(SOURCE_KEY, "test")
    setup.engine.dispose()
    barrier = threading.Barrier(2)
    results: list[RecordResult] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def writer(body: str) -> None:
        archive = Archive(open_engine(db_url))
        try:
            for i in range(ROUNDS):
                comments = [
                    make_comment(str(n), f"{body} round {i} comment {n}") for n in range(1, 21)
                ]
                barrier.wait(timeout=30)
                result = record(archive, make_thread(comments, fetched_at=at(i)), crawl_id)
                with lock:
                    results.append(result)
        except Exception as exc:  # noqa: BLE001 - any failure is reported by the main thread
            errors.append(exc)
            barrier.abort()
        finally:
            archive.engine.dispose()

    threads = [threading.Thread(target=writer, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def check_history(db_url: str) -> list[Any]:
    engine = open_engine(db_url)
    with engine.connect() as conn:
        dup = conn.execute(
            sa.text(
                "SELECT comment_id, version FROM comment_version "
                "GROUP BY comment_id, version HAVING count(*) > 1"
            )
        ).all()
        assert dup == []
        current = conn.execute(
            sa.text(
                "SELECT comment_id, count(*) FROM comment_version WHERE valid_to IS NULL "
                "GROUP BY comment_id"
            )
        ).all()
        assert len(current) == 20 and all(n == 1 for _, n in current)
        # Versions 1..n with no gaps, each closing exactly where the next begins.
        rows = conn.execute(
            sa.text(
                "SELECT a.comment_id, a.version FROM comment_version a "
                "LEFT JOIN comment_version b ON b.comment_id = a.comment_id "
                "AND b.version = a.version + 1 "
                "WHERE (b.id IS NULL AND a.valid_to IS NOT NULL) "
                "OR (b.id IS NOT NULL AND (a.valid_to IS NULL OR a.valid_to <> b.valid_from))"
            )
        ).all()
        assert rows == []
        counts = conn.execute(
            sa.text("SELECT count(*), max(version) FROM comment_version GROUP BY comment_id")
        ).all()
    engine.dispose()
    return counts


def test_same_content_from_two_writers_is_recorded_once(db_url: str) -> None:
    results = run_writers(db_url, ("same", "same"))
    assert sum(r.new_comment_versions for r in results) == 20 * ROUNDS
    counts = check_history(db_url)
    assert all(n == ROUNDS and top == ROUNDS for n, top in counts)


def test_different_content_from_two_writers_loses_nothing(db_url: str) -> None:
    results = run_writers(db_url, ("left", "right"))
    written = sum(r.new_comment_versions for r in results)
    assert written == 2 * 20 * ROUNDS  # every state differs from the one before it
    counts = check_history(db_url)
    assert sum(n for n, _ in counts) == written
    assert all(n == top for n, top in counts)
