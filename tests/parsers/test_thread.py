"""Thread assembly: merging comment pages, thread order, and what is reported as a problem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.thread import assemble_thread, thread_fingerprint
from storage.records import CommentRecord, PostRecord

T0 = datetime(2025, 3, 1, 12, tzinfo=UTC)
POST = PostRecord(
    external_id="4", url="http://127.0.0.1/p/", title="t", author_raw="a", author_key="a"
)


def comment(
    cid: int, minutes: int, parent: int | None = None, text: str = "x", page: int = 1
) -> CommentRecord:
    return CommentRecord(
        external_id=str(cid),
        author_raw="n",
        author_key="n",
        published_at=T0 + timedelta(minutes=minutes),
        threaded_parent_external_id=str(parent) if parent else None,
        parent_external_id=str(parent) if parent else None,
        body_text=text,
        page=page,
        position=99,
    )


def assemble(
    *pages: tuple[CommentRecord, ...], expected: int | None = None, problems: tuple[str, ...] = ()
):  # type: ignore[no-untyped-def]
    return assemble_thread(
        source_key="s",
        post=POST,
        pages=pages,
        complete=True,
        fetched_at=T0,
        expected_comment_count=expected,
        problems=problems,
    )


def test_replies_follow_their_parent_depth_first_and_roots_by_time() -> None:
    page = (
        comment(5, 50),
        comment(2, 0),
        comment(3, 10, parent=2),
        comment(4, 5),
        comment(6, 20, parent=3),
        comment(7, 1, parent=2),
    )
    thread = assemble(page)
    assert [c.external_id for c in thread.comments] == ["2", "7", "3", "6", "4", "5"]
    assert [c.position for c in thread.comments] == list(range(6))
    assert thread.problems == () and thread.complete


def test_same_time_orders_by_numeric_id_not_text() -> None:
    thread = assemble((comment(10, 0), comment(9, 0)))
    assert [c.external_id for c in thread.comments] == ["9", "10"]


def test_pages_in_any_order_and_a_comment_on_two_pages_kept_once_as_last_seen() -> None:
    first = (comment(1, 0), comment(2, 1, text="old"))
    second = (comment(2, 1, text="new", page=2), comment(3, 2, page=2))
    thread = assemble(second, first, second)
    assert [(c.external_id, c.body_text) for c in thread.comments] == [
        ("1", "x"),
        ("2", "new"),
        ("3", "x"),
    ]


def test_missing_parent_is_a_problem_not_a_loss() -> None:
    thread = assemble((comment(1, 0), comment(3, 5, parent=2)))
    assert [c.external_id for c in thread.comments] == ["1", "3"]
    assert thread.comments[1].threaded_parent_external_id == "2"  # kept as the site says
    assert thread.complete
    assert thread.problems == (
        "http://127.0.0.1/p/: comment 3 replies to comment 2, which is not in the thread",
    )


def test_count_mismatch_is_reported_and_earlier_problems_kept() -> None:
    thread = assemble(
        (comment(1, 0),), expected=2, problems=("http://x/comment-page-2/: HTTP 500",)
    )
    assert thread.problems == (
        "http://x/comment-page-2/: HTTP 500",
        "http://127.0.0.1/p/: captured 1 comments, the site says 2",
    )
    assert assemble((comment(1, 0),), expected=1).problems == ()


def test_a_parent_cycle_loses_nothing() -> None:
    thread = assemble((comment(1, 0, parent=2), comment(2, 1, parent=1), comment(3, 2)))
    assert sorted(c.external_id for c in thread.comments) == ["1", "2", "3"]


def test_empty_thread() -> None:
    thread = assemble()
    assert thread.comments == () and thread.problems == ()
    assert assemble(expected=0).problems == ()


def test_thread_fingerprint_ignores_page_order() -> None:
    assert (
        thread_fingerprint(["a", "b"])
        == thread_fingerprint(["b", "a"])
        != thread_fingerprint(["a"])
    )
