"""Substack's API bodies read into records: the tree flattened, placeholders withheld."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from crawler.page import Page
from crawler.parsers.substack import parse_comments, parse_post, text_to_html
from crawler.platforms.substack import Substack
from storage.records import RemovalRecord
from tests.substack.fixtures import comments_body, demo_site, post_body

BASE = "http://127.0.0.1:9/"


def _page(path: str, payload: Any) -> Page:
    return Page(url=BASE + path, body=json.dumps(payload).encode(), fetched_at=datetime.now(UTC),
                headers={"content-type": "application/json"})


def test_the_tree_is_flattened_parents_first_with_each_parent() -> None:
    post = demo_site().posts[101]
    tree = parse_comments(_page("api/v1/post/101/comments", comments_body(post)))
    got = [(c.external_id, c.author_raw, c.threaded_parent_external_id) for c in tree.comments]
    assert got == [("501", "Ana Ruiz", None), ("502", "Ben Cole", "501"), ("503", "Ana Ruiz", "502"),
                   ("505", "Cy Dee", "504")]
    assert tree.withheld == ("504", "506")  # deleted and flagged: their place, no record
    assert tree.removals == (RemovalRecord(external_id="504", removed_as="deleted"),
                             RemovalRecord(external_id="506", removed_as="flagged"))
    assert tree.unread == ()
    assert tree.comments[0].published_at == datetime(2026, 11, 1, 10, tzinfo=UTC)
    assert tree.comments[0].author_url == "https://substack.com/profile/7-anaruiz"


def test_plain_text_bodies_become_escaped_paragraphs() -> None:
    assert text_to_html("It did not.\n\nRead <here> & there.\nNext") == (
        "<p>It did not.</p><p>Read &lt;here&gt; &amp; there.<br>Next</p>")
    tree = parse_comments(_page("c", comments_body(demo_site().posts[101])))
    third = tree.comments[2]
    assert third.body_text == "It did not.\n\nRead the transcript <here>."
    assert "<script" not in third.body_html and "&lt;here&gt;" in third.body_html


def test_a_comment_with_text_but_no_name_is_unread_not_anonymous() -> None:
    body = {"comments": [{"id": 9, "body": "words", "name": None, "date": "2026-01-01T00:00:00Z",
                          "deleted": False, "status": "ok", "children": []}]}
    tree = parse_comments(_page("c", body))
    assert tree.comments == () and tree.unread[0].external_id == "9"
    assert tree.unread[0].missing == ("author",)


def test_the_post_record_and_its_count() -> None:
    site = demo_site()
    site.base_url = BASE
    post = parse_post(_page("api/v1/posts/alien-enemies", post_body(site, site.posts[102])))
    record = post.record
    assert (record.external_id, record.title, record.author_raw, record.author_external_id) == (
        "102", "The Alien Enemies Act in court", "Dana Writer", "1001")
    assert record.url == BASE + "p/alien-enemies"
    assert record.tags == ("Deportation Policy",)
    assert record.body_text == "A hearing."
    assert post.comment_count == 1


def test_a_paid_post_with_comments_says_its_thread_is_subscriber_only() -> None:
    site = demo_site()
    site.posts[101].audience = "only_paid"
    route = Substack(BASE).api
    page = route.read(_page("api/v1/posts/cecot-flights", post_body(site, site.posts[101])))
    assert page.expected == 6
    assert page.problems and "subscriber-only" in page.problems[0]
    assert page.links == ((2, BASE + "api/v1/post/101/comments?all_comments=true&sort=oldest_first"),)


@pytest.mark.parametrize("body", [b"<html>login</html>", b"{}"])
def test_a_body_that_is_no_tree_is_an_error_naming_the_url(body: bytes) -> None:
    page = Page(url=BASE + "api/v1/post/1/comments", body=body, fetched_at=datetime.now(UTC))
    with pytest.raises(ValueError, match="api/v1/post/1/comments"):
        parse_comments(page)


def test_a_post_whose_slug_says_comments_is_read_as_a_post() -> None:
    site = demo_site()
    site.posts[102].slug = "comments-on-the-ruling"
    page = Substack(BASE).api.read(_page("api/v1/posts/comments-on-the-ruling", post_body(site, site.posts[102])))
    assert page.post is not None and page.post.external_id == "102"
