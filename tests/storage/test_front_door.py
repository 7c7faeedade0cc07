"""The archive's reads for the crawler (`Archive.known_posts`, `finished_threads`,
`crawl_captures`) and the gone-post verb, on both databases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from storage.archive import Archive
from storage.errors import InputError
from storage.records import PageState, PostGone
from tests.factories import SOURCE_KEY, at, make_comment, make_fetch, make_post, make_thread, record


@pytest.fixture
def crawl(archive: Archive) -> Any:
    archive.ensure_source(SOURCE_KEY, "Test blog", "https://blog.example/", "wordpress")
    return lambda: archive.start_crawl(SOURCE_KEY, "test")


def test_known_posts_one_per_post_with_its_state(archive: Archive, crawl: Any) -> None:
    first = crawl()
    page = PageState(url="https://blog.example/?p=100/", fingerprint="p1", sha256="a" * 64)
    record(archive, make_thread([make_comment("1")]), first, fingerprint="f", pages=(page,))
    record(archive, make_thread(post=make_post("101"), complete=False), first)
    known = {k.external_id: k for k in archive.known_posts(SOURCE_KEY)}
    assert sorted(known) == ["100", "101"]
    full, partial = known["100"], known["101"]
    assert (full.fingerprint, full.complete_before, full.last_complete_crawl_id) == ("f", True, first)
    assert full.pages == (page,) and full.page("https://blog.example/?p=100#x") == page
    assert full.same_body("https://blog.example/?p=100", "a" * 64)
    assert full.url_key() == "https://blog.example/?p=100"
    assert (partial.fingerprint, partial.complete_before, partial.deleted) == (None, False, False)
    assert archive.known_posts("no-such-source") == []


def test_finished_threads_of_the_aborted_run(archive: Archive, engine: sa.Engine, crawl: Any) -> None:
    done = crawl()
    record(archive, make_thread([make_comment("1")]), done)
    archive.finish_crawl(done, "aborted", {})
    finished = archive.finished_threads(SOURCE_KEY, window=timedelta(days=36500))
    assert finished.crawl_ids == (done,)
    assert "100" in finished and "https://blog.example/?p=100#comments" in finished
    assert "101" not in finished
    # An ok crawl after it ends the run: nothing to resume.
    archive.finish_crawl(crawl(), "ok", {})
    assert archive.finished_threads(SOURCE_KEY, window=timedelta(days=36500)).crawl_ids == ()


def test_crawl_captures_names_and_digests(archive: Archive, crawl: Any) -> None:
    crawl_id = crawl()
    archive.record_fetches(crawl_id, [make_fetch(warc_file="b.warc.gz", warc_offset=0),
                                      make_fetch(warc_file="b.warc.gz", warc_offset=10),
                                      make_fetch()])  # fmt: skip
    archive.finish_crawl(crawl_id, "ok", {"warc_sha256": {"a.warc.gz": "1" * 64}})
    captures = archive.crawl_captures(crawl_id)
    assert captures.source_key == SOURCE_KEY
    assert captures.warc_files == ("a.warc.gz", "b.warc.gz")
    assert captures.digests == {"a.warc.gz": "1" * 64}
    with pytest.raises(InputError, match=r"^--crawl 999: no such crawl$"):
        archive.crawl_captures(999)


def test_record_gone_goes_through_the_retry(archive: Archive, crawl: Any, monkeypatch: Any) -> None:
    record(archive, make_thread([make_comment("1")]), crawl())
    calls: list[Any] = []
    retry = archive._retry

    def counted(work: Any) -> Any:
        calls.append(work)
        return retry(work)

    monkeypatch.setattr(archive, "_retry", counted)
    gone = PostGone(source_key=SOURCE_KEY, external_id="100", url="https://blog.example/?p=100",
                    status=404, fetched_at=at(1))  # fmt: skip
    result = archive.record_gone(gone, crawl())
    assert (result.gone_count, result.tombstoned) == (1, False)
    assert len(calls) == 2  # start_crawl's and record_gone's


def test_last_full_at_moves_on_a_whole_read_only_and_only_forward(archive: Archive, crawl: Any) -> None:
    # post_state.last_full_at: when a crawl last fetched every page (crawler.thread_fetch
    # reads a thread whole again once it is FULL_READ_EVERY old).
    from dataclasses import replace

    from tests.factories import make_check

    def full_at() -> Any:
        return {k.external_id: k for k in archive.known_posts(SOURCE_KEY)}["100"].last_full_at

    thread = make_thread([make_comment("1")], fetched_at=at(1))
    archive.record(thread, crawl(), make_check(thread, fingerprint="f"))
    assert full_at() == at(1)
    later = make_thread([make_comment("1")], fetched_at=at(2))  # later pages taken on the first's word
    archive.record_unchanged(SOURCE_KEY, later.post, crawl(), replace(make_check(later, fingerprint="f"), vouched=True),
                             post_read=False)
    assert full_at() == at(1)
    partial = make_thread([make_comment("1")], fetched_at=at(3), complete=False)
    archive.record(partial, crawl(), make_check(partial))
    assert full_at() == at(1)
    whole = make_thread([make_comment("1")], fetched_at=at(4))
    archive.record_unchanged(SOURCE_KEY, whole.post, crawl(), make_check(whole, fingerprint="f"), post_read=False)
    assert full_at() == at(4)
    older = make_thread([make_comment("1")], fetched_at=at(2, 12))  # a re-parse of older pages
    archive.record(older, crawl(), make_check(older, fingerprint="f"))
    assert full_at() == at(4)
