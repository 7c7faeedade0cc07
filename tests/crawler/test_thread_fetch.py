"""ThreadFetch as a table of transitions: each page's outcome in, the next step out.

Among them the cases this code's history found: a revert after a partial crawl (no
fingerprint to trust, so every page is read), 304s then 200s, and a byte-identical post
page whose comments changed elsewhere in the thread.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.page import Page
from crawler.platforms.base import ThreadPage
from crawler.recrawl import KnownPost
from crawler.thread import thread_fingerprint
from crawler.thread_fetch import (
    DONE,
    FULL_READ_EVERY,
    REFETCH,
    WAIT,
    Failed,
    Fetch,
    NotModified,
    Parse,
    Read,
    ThreadFetch,
    Unread,
)
from storage.records import CommentRecord, PageState, PostRecord

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
POST_URL = "http://127.0.0.1:9/p/"
P2, P3 = POST_URL + "comment-page-2/", POST_URL + "comment-page-3/"
POST = PostRecord(external_id="7", url=POST_URL, title="CECOT", author_raw="Ann", author_key="ann")
IDS_ONLY = PostRecord(external_id="7", url=POST_URL, title="", author_raw="", author_key="")


def comment(cid: str) -> CommentRecord:
    return CommentRecord(external_id=cid, author_raw="Bo", author_key="bo", body_text=f"text {cid}")


def page(url: str) -> Page:
    return Page(url=url, body=b"<html>" + url.encode() + b"</html>", fetched_at=NOW)


def state(url: str, fp: str) -> PageState:
    return PageState(url=url, fingerprint=fp, etag=f'"{fp}"', sha256="sha-" + fp)


def read(url: str, number: int, fp: str, *ids: str, links: int = 0, post: PostRecord | None = POST) -> Read:
    links_ = tuple((n, POST_URL if n == 1 else f"{POST_URL}comment-page-{n}/") for n in range(1, links + 1))
    tp = ThreadPage(number=number, comments=tuple(comment(i) for i in ids), fingerprint=fp,
                    links=links_, post=post, expected=None)
    return Read(url, tp, state(url, fp))


def unread(url: str, fp: str, *, decoded: bool = True) -> Unread:
    return Unread(url, page(url), fp, state(url, fp), decoded=decoded)


def known(*pages: tuple[str, str], fingerprint: str | None = "auto", complete: bool = True) -> KnownPost:
    fp = thread_fingerprint([f for _, f in pages]) if fingerprint == "auto" else fingerprint
    return KnownPost(
        external_id="7", url=POST_URL, published_at=None, fingerprint=fp, complete_before=complete,
        last_complete_crawl_id=1 if complete else None, last_checked_at=None, last_activity_at=None,
        deleted=False, pages=tuple(state(u, f) for u, f in pages),
    )


def thread(k: KnownPost | None = None, **kw: object) -> ThreadFetch:
    t = ThreadFetch(post=kw.pop("post", POST), url=POST_URL, route="html", known=k, **kw)  # type: ignore[arg-type]
    t.skimming = t.baseline is not None  # as the spider sets it
    return t


def test_a_new_thread_reads_every_page_one_at_a_time() -> None:
    t = thread()
    assert t.take(read(POST_URL, 1, "a", "1", "2", links=3)) == []
    assert t.next_step() == Fetch((P2,))
    assert t.next_step() is WAIT  # one page at a time
    t.take(read(P2, 2, "b", "3"))
    assert t.next_step() == Fetch((P3,))
    t.take(read(P3, 3, "c", "4"))
    assert t.next_step() is DONE
    done = t.finish(source_key="s", now=NOW)
    assert not done.unchanged and done.post_read and done.snapshot.complete
    assert [c.external_id for c in done.snapshot.comments] == ["1", "2", "3", "4"]
    assert [s.url for s in done.check.pages] == [POST_URL, P2, P3]  # post page first


def test_an_unchanged_thread_is_glimpsed_and_recorded_as_seen() -> None:
    k = known((POST_URL, "a"), (P2, "b"))
    t = thread(k)
    assert t.skimming
    t.take(Unread(POST_URL, page(POST_URL), "a", state(POST_URL, "a"), decoded=True, number=1,
                  links=((1, POST_URL), (2, P2))))
    assert t.next_step() == Fetch((P2,))
    t.take(unread(P2, "b"))
    assert t.next_step() is DONE
    done = t.finish(source_key="s", now=NOW)
    assert done.unchanged and done.post_read and done.snapshot.comments == ()
    assert done.check.fingerprint == k.fingerprint


def test_304s_then_200s_with_the_same_pages_are_unchanged() -> None:
    k = known((POST_URL, "a"), (P2, "b"))
    t = thread(k, post=IDS_ONLY, post_read=False)
    t.take(NotModified(POST_URL, k.pages[0]))
    t.queue_known_pages()
    assert t.next_step() == Fetch((P2,))
    t.take(unread(P2, "b", decoded=False))  # a 200 with the very bytes of last time
    assert t.next_step() is DONE
    done = t.finish(source_key="s", now=NOW)
    assert done.unchanged and not done.post_read
    assert done.check.pages[0] == k.pages[0]  # the 304 keeps the stored state


def test_a_304_post_page_in_a_changed_thread_is_fetched_again_whole() -> None:
    k = known((POST_URL, "a"), (P2, "b"))
    t = thread(k, post=IDS_ONLY, post_read=False)
    t.take(NotModified(POST_URL, k.pages[0]))
    t.queue_known_pages()
    t.next_step()
    t.take(unread(P2, "b-new"))  # a comment was added on page 2
    assert t.next_step() is REFETCH


def test_a_byte_identical_post_page_whose_comments_changed_is_read_after_all() -> None:
    k = known((POST_URL, "a"), (P2, "b"))
    t = thread(k, post=IDS_ONLY, post_read=False, same_version=True)
    t.take(unread(POST_URL, "a", decoded=False))
    t.queue_known_pages()
    t.next_step()
    t.take(unread(P2, "b-new"))
    step = t.next_step()
    assert isinstance(step, Parse) and [u.url for u in step.pages] == [POST_URL, P2]
    assert not t.skimming  # from now on pages are read
    t.take(read(POST_URL, 1, "a", "1", links=2))
    t.take(read(P2, 2, "b-new", "2", "3"))
    assert t.next_step() is DONE
    done = t.finish(source_key="s", now=NOW)
    assert not done.unchanged and done.post_read and done.snapshot.post.title == "CECOT"
    assert [c.external_id for c in done.snapshot.comments] == ["1", "2", "3"]


def test_after_a_partial_crawl_no_fingerprint_is_trusted_and_every_page_is_read() -> None:
    # A partial crawl wrote a newer version and cleared the thread's fingerprint: a site
    # gone back to what the last complete crawl saw must be read, not skipped.
    k = known((POST_URL, "a"), fingerprint=None)
    t = thread(k)
    assert t.baseline is None and not t.skimming and t.stored(POST_URL) is None
    t.take(read(POST_URL, 1, "a", "1"))
    assert t.next_step() is DONE
    assert not t.finish(source_key="s", now=NOW).unchanged


@pytest.mark.parametrize("outcome", [Failed(P2, "HTTP 500"), read(P2, 2, "x", "9", post=PostRecord(
    external_id="8", url="http://127.0.0.1:9/q/", title="", author_raw="", author_key=""))])
def test_a_failed_or_foreign_page_makes_the_thread_partial(outcome: Failed | Read) -> None:
    t = thread()
    t.take(read(POST_URL, 1, "a", "1", links=2))
    t.next_step()
    faults = t.take(outcome)
    assert [f.kind for f in faults] == ["comment_page"]
    assert t.next_step() is DONE
    done = t.finish(source_key="s", now=NOW)
    assert not done.snapshot.complete and [c.external_id for c in done.snapshot.comments] == ["1"]
    assert done.snapshot.problems[0].startswith(P2 + ": ")


def test_a_failed_page_of_a_skimmed_thread_makes_it_read_and_partial() -> None:
    k = known((POST_URL, "a"), (P2, "b"))
    t = thread(k)
    t.take(unread(POST_URL, "a"))
    t.queue_known_pages()
    t.next_step()
    t.take(Failed(P2, "timeout"))
    step = t.next_step()
    assert isinstance(step, Parse) and [u.url for u in step.pages] == [POST_URL]


def test_independent_pages_are_fetched_at_once_and_awaited() -> None:
    url = "http://127.0.0.1:9/wp-json/wp/v2/comments?post=7&page=1"
    t = ThreadFetch(post=POST, url=url, route="pretty", parallel=True, exact_count=True)
    t.pending.append(url)
    assert t.next_step() == Fetch((url,))
    links = tuple((n, url.replace("page=1", f"page={n}")) for n in (2, 3))
    t.take(Read(url, ThreadPage(number=1, comments=(comment("1"),), fingerprint="a", links=links,
                                expected=4), state(url, "a")))
    assert t.next_step() == Fetch((links[0][1], links[1][1]))
    t.take(Read(links[1][1], ThreadPage(number=3, comments=(comment("3"),), fingerprint="c"),
                state(links[1][1], "c")))
    assert t.next_step() is WAIT
    t.take(Read(links[0][1], ThreadPage(number=2, comments=(comment("2"),), fingerprint="b"),
                state(links[0][1], "b")))
    assert t.next_step() is DONE
    done = t.finish(source_key="s", now=NOW)
    # An exact count (X-WP-Total) of 4 and 3 captured: a page shifted, so partial.
    assert not done.snapshot.complete
    assert done.snapshot.problems[0] == f"{url}: captured 3 comments of 4"


def test_the_page_a_post_url_shows_is_not_fetched_again_under_its_own_url() -> None:
    t = thread()
    t.take(read(POST_URL, 3, "c", "5", links=3))  # WordPress shows the newest page first
    # Pages 1..3 are named; page 1 is the post URL itself and page 3 is this one.
    assert t.pending == [P2]
    assert t.next_step() == Fetch((P2,))


def test_a_comment_page_trap_stops_at_the_limit() -> None:
    t = thread(max_pages=2)
    faults = t.take(read(POST_URL, 1, "a", "1", links=5))
    assert [f.kind for f in faults] == ["comment_page_limit"]
    assert t.pending == [P2]
    assert t.problems == [f"{POST_URL}: more than 2 comment pages; stopped"]


def test_a_cut_off_page_is_a_problem() -> None:
    t = thread()
    cut = read(POST_URL, 1, "a", "1")
    t.take(Read(POST_URL, ThreadPage(number=1, comments=cut.page.comments, fingerprint="a",
                                     post=POST, cut_off=True), cut.state))
    done = t.finish(source_key="s", now=NOW)
    assert not done.snapshot.complete and done.snapshot.problems == (f"{POST_URL}: page is cut off",)


def test_unread_comments_make_the_thread_partial_and_are_named() -> None:
    from dataclasses import replace

    from crawler.parsers.unread import UnreadComment

    t = thread()
    outcome = read(POST_URL, 1, "a", "1")
    gap = UnreadComment(external_id="2", missing=("author",))
    faults = t.take(Read(POST_URL, replace(outcome.page, unread=(gap,)), outcome.state))
    assert [(f.kind, f.url) for f in faults] == [("unreadable_comments", POST_URL)]
    assert t.next_step() == DONE
    finished = t.finish(source_key="s", now=NOW)
    assert not finished.snapshot.complete
    assert finished.snapshot.problems == (f"{POST_URL}: comment 2: no author found; not archived",)
    assert [c.external_id for c in finished.snapshot.comments] == ["1"]


def test_comments_that_live_elsewhere_make_the_thread_partial_not_empty() -> None:
    from dataclasses import replace

    t = thread()
    outcome = read(POST_URL, 1, "a")
    why = "comments are loaded by Disqus (forum 'x'): not in the HTML"
    faults = t.take(Read(POST_URL, replace(outcome.page, elsewhere=why), outcome.state))
    assert [(f.kind, f.why) for f in faults] == [("comments_elsewhere", why)]
    finished = t.finish(source_key="s", now=NOW)
    assert not finished.snapshot.complete
    assert finished.snapshot.problems == (f"{POST_URL}: {why}",)


def test_a_service_page_states_the_threads_count_and_its_problems_make_it_partial() -> None:
    from dataclasses import replace

    t = thread()
    t.take(read(POST_URL, 1, "a"))
    service = "https://disqus.example/embed/comments/?f=x"
    why = "the Disqus thread has more posts than its embed page shows"
    outcome = read(service, 1_000_001, "b", "1", "2")
    faults = t.take(Read(service, replace(outcome.page, expected=5, counts_thread=True, problems=(why,)),
                         outcome.state))
    assert [(f.kind, f.url) for f in faults] == [("comment_page", service)]
    finished = t.finish(source_key="s", now=NOW)
    assert finished.snapshot.expected_comment_count == 5
    # the page says what is missing; the thread's problem names the page's URL before it
    assert not finished.snapshot.complete and f"{service}: {why}" in finished.snapshot.problems


DQ1, DQ2, DQ3 = "http://127.0.0.2:9/api?p=1", "http://127.0.0.2:9/api?p=2", "http://127.0.0.2:9/api?p=3"


def vouching(url: str, fp: str) -> Unread:
    return Unread(url, page(url), fp, state(url, fp), decoded=True, vouches=True, expected=5)


def _disqus_thread(**known_kw: object) -> tuple[KnownPost, ThreadFetch]:
    k = known((POST_URL, "a"), (DQ1, "d1"), (DQ2, "d2"), (DQ3, "d3"))
    k = KnownPost(**{**k.__dict__, "last_full_at": NOW - timedelta(days=1), **known_kw})  # type: ignore[arg-type]
    t = thread(k, post=IDS_ONLY, post_read=False, started_at=NOW)
    t.take(NotModified(POST_URL, k.pages[0]))
    t.queue_known_pages()
    return k, t


def test_an_unchanged_vouching_page_stands_for_the_pages_after_it() -> None:
    k, t = _disqus_thread()
    assert t.next_step() == Fetch((DQ1,))
    t.take(vouching(DQ1, "d1"))
    assert t.next_step() is DONE  # DQ2, DQ3 never asked
    done = t.finish(source_key="s", now=NOW)
    assert done.unchanged and t.vouched == 2 and done.check.vouched
    assert done.check.fingerprint == k.fingerprint
    assert [s.url for s in done.check.pages] == [POST_URL, DQ1, DQ2, DQ3]  # carried forward


@pytest.mark.parametrize("last_full_at", [None, NOW - FULL_READ_EVERY - timedelta(minutes=1)])
def test_a_week_after_the_last_full_read_a_vouching_page_vouches_for_nothing(last_full_at: datetime | None) -> None:
    _, t = _disqus_thread(last_full_at=last_full_at)  # never read whole, or over a week ago
    assert t.next_step() == Fetch((DQ1,))
    t.take(vouching(DQ1, "d1"))
    assert t.vouched == 0 and t.next_step() == Fetch((DQ2,))
    t.take(unread(DQ2, "d2"))
    t.take(unread(DQ3, "d3"))
    done = t.finish(source_key="s", now=NOW)
    assert done.unchanged and not done.check.vouched  # every page fetched: a full read


def test_a_changed_vouching_page_lets_the_thread_be_fetched_whole() -> None:
    _, t = _disqus_thread()
    assert t.next_step() == Fetch((DQ1,))
    t.take(vouching(DQ1, "d1-new"))  # a new post: the total in its fingerprint changed
    assert t.vouched == 0
    assert t.next_step() == Fetch((DQ2,))
    t.take(unread(DQ2, "d2"))
    assert t.next_step() == Fetch((DQ3,))
    t.take(unread(DQ3, "d3"))
    assert t.next_step() is REFETCH  # the 304 post page has no body to read


def test_after_a_partial_check_a_vouching_page_vouches_for_nothing() -> None:
    _, t = _disqus_thread(last_checked_at=NOW, last_complete_at=datetime(2026, 11, 30, tzinfo=UTC))
    assert t.next_step() == Fetch((DQ1,))
    t.take(vouching(DQ1, "d1"))
    assert t.vouched == 0 and t.next_step() == Fetch((DQ2,))


def test_a_vouching_page_after_a_changed_page_vouches_for_nothing() -> None:
    k = known((POST_URL, "a"), (DQ1, "d1"), (DQ2, "d2"))
    t = thread(k)
    t.take(Unread(POST_URL, page(POST_URL), "a-new", state(POST_URL, "a-new"), decoded=True,
                  number=1, links=((9, DQ1),)))
    assert t.next_step() == Fetch((DQ1,))
    t.take(vouching(DQ1, "d1"))
    assert t.vouched == 0
