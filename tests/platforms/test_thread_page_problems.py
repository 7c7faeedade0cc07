"""What a platform's thread page may add to a thread: placeholders counted, problems named."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.platforms.base import ThreadPage
from crawler.thread_fetch import DONE, Fetch, Read, ThreadFetch
from storage.records import CommentRecord, PageState, PostRecord

POST = PostRecord(external_id="1", url="http://127.0.0.1:9/p", title="T", author_raw="A", author_key="a")
URL, MORE = "http://127.0.0.1:9/p.json", "http://127.0.0.1:9/c.json"


def _comment(cid: str) -> CommentRecord:
    return CommentRecord(external_id=cid, author_raw="B", author_key="b", body_text="x", own_text="x")


def _thread(second: ThreadPage, expected: int) -> ThreadFetch:
    thread = ThreadFetch(post=POST, url=URL, route="api", exact_count=True)
    first = ThreadPage(number=1, comments=(), fingerprint="f1", links=((2, MORE),), expected=expected)
    thread.take(Read(URL, first, PageState(url=URL, fingerprint="f1")))
    assert thread.next_step() == Fetch((MORE,))
    thread.take(Read(MORE, second, PageState(url=MORE, fingerprint="f2")))
    assert thread.next_step() is DONE
    return thread


def test_withheld_placeholders_count_against_an_exact_count() -> None:
    page = ThreadPage(number=2, comments=(_comment("7"),), fingerprint="f2", withheld=2)
    finished = _thread(page, expected=3).finish(source_key="s", now=datetime.now(UTC))
    assert finished.snapshot.complete and len(finished.snapshot.comments) == 1
    short = _thread(ThreadPage(number=2, comments=(_comment("7"),), fingerprint="f2"), expected=3)
    assert not short.finish(source_key="s", now=datetime.now(UTC)).snapshot.complete


def test_a_page_problem_makes_the_thread_partial_naming_the_page() -> None:
    page = ThreadPage(number=2, comments=(), fingerprint="f2", problems=("subscriber-only",))
    snapshot = _thread(page, expected=0).finish(source_key="s", now=datetime.now(UTC)).snapshot
    assert not snapshot.complete and snapshot.problems == (f"{MORE}: subscriber-only",)
