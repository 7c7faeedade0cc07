"""wpDiscuz: its markup read by the shared reader, its load-more answers fetched by POST.

The site (tests/wpdiscuz/site.py) is built from the facts in platforms.md (README.md
here); crawls run `palimpsest crawl` against it on loopback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import sqlalchemy as sa

from crawler.page import Page, form_post_body
from crawler.platforms.wordpress_html import HtmlRoute
from tests.crawler.crawling import crawl_ok, read_archive, run_crawl, stats_of, write_config
from tests.wpdiscuz.markup import Comment, load_more_answer, post_page
from tests.wpdiscuz.site import FIRST, MORE, POST_ID, serve_wpdiscuz

BASE = "http://127.0.0.1:9"
FETCHED = datetime(2025, 12, 6, tzinfo=UTC)


def _post() -> Page:
    body = post_page(BASE, POST_ID, "Deportation flights", FIRST, last_parent=904)
    return Page(url=f"{BASE}/?p={POST_ID}", body=body.encode(), fetched_at=FETCHED,
                headers={"content-type": "text/html; charset=UTF-8"}, encoding="utf-8")


def _answer(url: str, body: bytes) -> Page:
    return Page(url=url, body=body, fetched_at=FETCHED, headers={"content-type": "application/json"})


def test_post_page_comments_and_first_load_more() -> None:
    read = HtmlRoute().read(_post())
    got = [(c.external_id, c.author_raw, c.published_raw, c.threaded_parent_external_id, c.body_text)
           for c in read.comments]
    assert got == [
        ("905", "Ann Example", "December 1, 2025 10:15 am", None, "Deportation numbers are up."),
        ("906", "Bo Reader", "4 days ago", "905", "Source?"),
        ("904", "Cy Writer", "November 30, 2025 9:00 am", None, "Older thread."),
    ]
    # The absolute time where the title gives it (the site's zone unknown: no instant);
    # the relative one resolved against the fetch time, marked approximate.
    assert read.comments[0].published_at is None
    assert read.comments[1].published_at == datetime(2025, 12, 2, tzinfo=UTC)
    assert read.site == "WordPress 6.1.9, comments: wpdiscuz"
    [(number, url)] = read.links
    assert number == 2
    assert url.startswith(f"{BASE}/wp-admin/admin-ajax.php?")
    assert parse_qsl(form_post_body(url) or "", keep_blank_values=True) == [
        ("action", "wpdLoadMoreComments"), ("postId", "42"), ("offset", "1"), ("lastParentId", "904"),
        ("sorting", "newest"), ("isFirstLoad", "0"), ("wpdType", ""),
    ]


def test_load_more_answers_and_the_last_one() -> None:
    route = HtmlRoute()
    [(_, first)] = route.read(_post()).links
    page = _answer(first, load_more_answer(MORE[0], more=True))
    assert route.unreadable(page) is None
    read = route.read(page)
    assert read.number == 2
    assert [(c.external_id, c.author_raw, c.threaded_parent_external_id) for c in read.comments] == [
        ("903", "Di Analyst", None), ("907", "Ann Example", "903")]
    [(number, following)] = read.links
    assert number == 3
    assert dict(parse_qsl(form_post_body(following) or ""))["lastParentId"] == "903"
    assert dict(parse_qsl(form_post_body(following) or ""))["offset"] == "2"
    last = route.read(_answer(following, load_more_answer(MORE[1], more=False)))
    assert (last.number, last.links, [c.external_id for c in last.comments]) == (3, (), ["902"])


def test_a_load_more_answer_that_is_not_the_plugins_is_refused() -> None:
    route = HtmlRoute()
    [(_, first)] = route.read(_post()).links
    for body in (b"0", b'{"success":false,"data":"bad request"}', b"<html>login</html>"):
        page = _answer(first, body)
        with pytest.raises(ValueError, match="wpDiscuz load-more answer"):
            route.read(page)


def test_an_unreadable_wpdiscuz_item_is_a_problem_not_a_record() -> None:
    nameless = Comment(908, "", "2 days ago", None, "Who wrote this?")
    read = HtmlRoute().read(_answer(
        HtmlRoute().read(_post()).links[0][1], load_more_answer([nameless], more=False)))
    assert read.comments == ()
    assert [(u.external_id, u.missing) for u in read.unread] == [("908", ("author",))]


def _comments(db: str) -> list[tuple[str, str, str | None]]:
    return sorted((c.external_id, c.author, c.parent) for c in read_archive(db)["comments"])


ALL = sorted([("902", "Ed Voter", None), ("903", "Di Analyst", None), ("904", "Cy Writer", None),
              ("905", "Ann Example", None), ("906", "Bo Reader", "905"), ("907", "Ann Example", "903")])


def test_crawl_fetches_every_load_more_page(tmp_path: Path) -> None:
    with serve_wpdiscuz() as site:
        db = f"sqlite:///{tmp_path / 'a.db'}"
        crawl_ok(write_config(tmp_path, site.base, extra="use_rest = false\n"), db)
        posts = [(path, form) for method, path, form in site.requests if method == "POST"]
    assert _comments(db) == ALL
    assert [(path, form["offset"], form["lastParentId"], form["postId"]) for path, form in posts] == [
        ("/wp-admin/admin-ajax.php", ["1"], ["904"], ["42"]),
        ("/wp-admin/admin-ajax.php", ["2"], ["903"], ["42"]),
    ]
    stats = stats_of(read_archive(db)["crawls"][-1])
    assert stats.get("threads_partial", 0) == 0


def test_a_failing_load_more_makes_the_thread_partial_and_deletes_nothing(tmp_path: Path) -> None:
    with serve_wpdiscuz() as site:
        db = f"sqlite:///{tmp_path / 'a.db'}"
        config = write_config(tmp_path, site.base, extra="use_rest = false\n")
        crawl_ok(config, db)
        site.fail_loads = True
        run = run_crawl(config, db)
    assert run.returncode in (0, 1), run.stderr[-2000:]
    archive = read_archive(db)
    assert sorted((c.external_id, c.author, c.parent) for c in archive["comments"]) == ALL  # none deleted
    stats = stats_of(archive["crawls"][-1])
    assert stats["threads_partial"] == 1
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        problems = conn.execute(sa.text("SELECT problem FROM thread_problem")).scalars().all()
        deleted = conn.execute(sa.text("SELECT count(*) FROM comment_version WHERE deleted")).scalar_one()
    engine.dispose()
    assert deleted == 0
    assert any("admin-ajax.php" in p and "HTTP 500" in p for p in problems), problems
