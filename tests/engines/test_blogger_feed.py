"""Blogger's feed reader, on feeds built as Blogger serves them (tests/engines/README.md):
Atom and JSON alike, parents from `related` links, deletions from contentRemoved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.page import Page
from crawler.parsers.blogger_feed import parse_activity_feed, parse_comment_feed, parse_posts_feed
from crawler.parsers.engine_page import parse_engine_page
from crawler.platforms.blogger import POST_PAGE_MARKUP
from storage.records import PostRecord
from tests.engines.fixtures import blogger_site

FETCHED = datetime(2026, 12, 6, tzinfo=UTC)


def _page(site, path: str, **query: str) -> Page:  # type: ignore[no-untyped-def]
    status, ctype, body = site.respond(path, query)
    return Page(url=f"{site.base}{path.lstrip('/')}", body=body, fetched_at=FETCHED, status=status,
                headers={"content-type": ctype})


@pytest.fixture
def site():  # type: ignore[no-untyped-def]
    s = blogger_site()
    s.base = "http://127.0.0.1:9/"
    return s


@pytest.mark.parametrize("alt", ["atom", "json"])
def test_comment_feed_reads_ids_authors_times_parents(site, alt: str) -> None:  # type: ignore[no-untyped-def]
    query = {"alt": "json"} if alt == "json" else {}
    feed = parse_comment_feed(_page(site, "/feeds/5550001/comments/default", **query))
    got = [(c.external_id, c.author_raw, c.threaded_parent_external_id, c.published_at, c.body_text)
           for c in feed.comments]
    assert got == [
        ("9000001", "Ann", None, datetime(2025, 1, 3, 15, 12, tzinfo=UTC), "Deportation without a hearing?"),
        ("9000002", "Bob", "9000001", datetime(2025, 1, 3, 16, tzinfo=UTC), "@Ann there was a hearing."),
        ("9000003", "Anonymous", None, datetime(2025, 1, 3, 17, tzinfo=UTC), "CECOT is a prison."),
        ("9000004", "Cy", "9000002", datetime(2025, 1, 3, 18, tzinfo=UTC), "Replying to Bob."),
    ]
    assert feed.comments[0].author_url == "https://www.blogger.com/profile/111"
    assert feed.comments[0].published_raw == "2025-01-03T07:12:00.000-08:00"
    assert (feed.total, feed.start_index, feed.entries, feed.removed) == (4, 1, 4, ())


def test_atom_and_json_fingerprint_alike(site) -> None:  # type: ignore[no-untyped-def]
    atom = parse_comment_feed(_page(site, "/feeds/5550001/comments/default"))
    as_json = parse_comment_feed(_page(site, "/feeds/5550001/comments/default", alt="json"))
    assert atom.fingerprint == as_json.fingerprint
    assert atom.comments == as_json.comments


@pytest.mark.parametrize("alt", ["atom", "json"])
def test_a_removed_comment_is_a_deletion_never_a_record(site, alt: str) -> None:  # type: ignore[no-untyped-def]
    site.post("5550001").comments[1].removed = True
    query = {"alt": "json"} if alt == "json" else {}
    feed = parse_comment_feed(_page(site, "/feeds/5550001/comments/default", **query))
    assert feed.removed == ("9000002",)
    assert [c.external_id for c in feed.comments] == ["9000001", "9000003", "9000004"]
    assert all("removed" not in c.body_text for c in feed.comments)
    # its reply keeps its parent: the archive has the removed comment's history
    assert feed.comments[-1].threaded_parent_external_id == "9000002"


def test_an_entry_without_author_is_unread(site) -> None:  # type: ignore[no-untyped-def]
    site.post("5550001").comments[0].author = ""
    feed = parse_comment_feed(_page(site, "/feeds/5550001/comments/default"))
    assert [(u.external_id, u.missing) for u in feed.unread] == [("9000001", ("author",))]
    assert "9000001" not in [c.external_id for c in feed.comments]


def test_comment_feed_pages(site) -> None:  # type: ignore[no-untyped-def]
    feed = parse_comment_feed(_page(site, "/feeds/5550001/comments/default", **{"start-index": "3", "max-results": "2"}))
    assert [c.external_id for c in feed.comments] == ["9000003", "9000004"]
    assert (feed.total, feed.start_index, feed.entries) == (4, 3, 2)


@pytest.mark.parametrize("alt", ["atom", "json"])
def test_posts_feed(site, alt: str) -> None:  # type: ignore[no-untyped-def]
    query = {"alt": "json"} if alt == "json" else {}
    feed = parse_posts_feed(_page(site, "/feeds/posts/default", **{"max-results": "1", **query}))
    [post] = feed.posts
    assert (post.external_id, post.title, post.author_raw, post.tags, post.comment_count_displayed) == (
        "5550001", "Deportation flights to CECOT", "Maria Editor", ("Deportation Policy",), 4)
    assert post.url == "http://127.0.0.1:9/2025/01/deportation-flights.html"
    assert post.published_at == datetime(2025, 1, 2, 17, tzinfo=UTC)
    assert post.body_text == "The Alien Enemies Act and the flights to El Salvador."
    assert feed.total == 2
    assert feed.next_url is not None and "start-index=2" in feed.next_url


def test_activity_feed_names_posts(site) -> None:  # type: ignore[no-untyped-def]
    found = parse_activity_feed(_page(site, "/feeds/comments/default"))
    assert found.comments[0] == ("5550001", datetime(2025, 1, 3, 18, tzinfo=UTC))
    assert {p for p, _ in found.comments} == {"5550001", "5550002"}


def test_not_a_feed_is_an_error(site) -> None:  # type: ignore[no-untyped-def]
    page = Page(url="http://127.0.0.1:9/feeds/1/comments/default", body=b"<html><body>x</body></html>",
                fetched_at=FETCHED)
    with pytest.raises(ValueError, match="feeds/1/comments/default"):
        parse_comment_feed(page)


def test_post_page_is_read_by_the_shared_reader(site) -> None:  # type: ignore[no-untyped-def]
    site.post("5550001").comments[2].removed = True
    page = _page(site, "/2025/01/deportation-flights.html")
    parsed = parse_engine_page(page, POST_PAGE_MARKUP)
    assert parsed.post.external_id == "5550001"
    assert parsed.post.title == "Deportation flights to CECOT"
    assert parsed.post.author_raw == "Maria Editor"
    assert parsed.post.published_at == datetime(2025, 1, 2, 17, tzinfo=UTC)
    assert [(c.external_id, c.author_raw, c.threaded_parent_external_id) for c in parsed.comments] == [
        ("9000001", "Ann", None), ("9000002", "Bob", "9000001"), ("9000004", "Cy", "9000002")]
    assert parsed.removed == ("9000003",)
    assert parsed.comments[0].body_text == "Deportation without a hearing?"
    # the printed date has no zone; the permalink's showComment stamp is exact
    assert parsed.comments[0].published_raw == "January 3, 2025 at 7:12 AM"
    assert parsed.comments[0].published_at == datetime(2025, 1, 3, 15, 12, tzinfo=UTC)
    assert parsed.unread == ()


def test_blogger_platform_urls() -> None:
    from crawler.platforms.blogger import Blogger

    blog = Blogger("http://127.0.0.1:9/")
    [posts] = blog.discovery()
    assert posts.url == "http://127.0.0.1:9/feeds/posts/default?max-results=25&start-index=1" and posts.probe
    assert [r.url for r in blog.fallback(posts)] == ["http://127.0.0.1:9/", "http://127.0.0.1:9/sitemap.xml"]
    post = PostRecord(external_id="5550001", url="http://127.0.0.1:9/p.html", title="", author_raw="", author_key="")
    assert blog.feed.thread_urls(post) == (
        "http://127.0.0.1:9/feeds/5550001/comments/default?orderby=published&max-results=50&start-index=1",)
    assert blog.activity_url(2, datetime(2025, 1, 3, 12, tzinfo=UTC)) == (
        "http://127.0.0.1:9/feeds/comments/default?max-results=100&start-index=101&published-min=2025-01-03T12%3A00%3A00Z")


def test_a_long_thread_names_every_feed_page(site) -> None:  # type: ignore[no-untyped-def]
    from crawler.platforms.blogger import FeedRoute
    from tests.engines.fixtures import many_comments

    many_comments(site, 120)  # 124 comments: pages at 1, 51, 101
    route = FeedRoute(site.base)
    first = route.read(_page(site, "/feeds/5550001/comments/default", **{"start-index": "1", "max-results": "50"}))
    assert [n for n, _ in first.links] == [2, 3]
    assert first.links[1][1].endswith("start-index=101")
    assert first.expected == 124 and not first.cut_off
    # a page shorter than the total says it should be: cut off (partial)
    short = route.read(_page(site, "/feeds/5550001/comments/default", **{"start-index": "51", "max-results": "10"}))
    assert short.number == 2 and short.cut_off


def test_a_post_page_whose_script_loads_more_comments_is_partial(site) -> None:  # type: ignore[no-untyped-def]
    site.load_more = True
    parsed = parse_engine_page(_page(site, "/2025/01/deportation-flights.html"), POST_PAGE_MARKUP)
    assert parsed.truncated
    assert parsed.problems == (("http://127.0.0.1:9/2025/01/deportation-flights.html: more comments are loaded "
                               "by a script; the page shows only some"),)
    assert len(parsed.comments) == 4  # what it shows is kept
    # The route says why the thread is partial, in the parser's words (not "cut off").
    from crawler.platforms.page_route import PageRoute

    page = PageRoute(POST_PAGE_MARKUP, None).read(_page(site, "/2025/01/deportation-flights.html"))
    assert page.problems == ("more comments are loaded by a script; the page shows only some",)
    assert not page.cut_off and len(page.comments) == 4
