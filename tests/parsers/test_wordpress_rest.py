"""WordPress REST responses: records, totals from headers, and bad responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crawler.parsers.wordpress_rest import parse_rest_comments, parse_rest_posts
from tests.parsers.pages import SITE, page

URL = f"{SITE}/wp-json/wp/v2/comments?post=4"


def rest_comment(cid: int, **fields: object) -> dict[str, object]:
    item: dict[str, object] = {
        "id": cid,
        "post": 4,
        "parent": 0,
        "author": 0,
        "author_name": "Zoë",
        "author_url": "",
        "date": "2025-03-16T10:42:00",
        "date_gmt": "2025-03-16T14:42:00",
        "content": {"rendered": "<p>It&#8217;s <b>fine</b>.</p>\n"},
        "type": "comment",
    }
    item.update(fields)
    return item


def test_comment_fields_parent_and_totals() -> None:
    body = json.dumps([rest_comment(7), rest_comment(9, parent=7, author_url="https://ex.org/")])
    result = parse_rest_comments(page(URL, body, **{"x-wp-total": "49", "x-wp-totalpages": "5"}))
    assert (result.total, result.total_pages) == (49, 5)
    first, reply = result.comments
    assert first.published_raw == "2025-03-16T10:42:00-04:00"  # as the theme's time[datetime]
    assert first.published_at == datetime(2025, 3, 16, 14, 42, tzinfo=UTC)
    assert first.body_text == "It’s fine."
    assert first.body_html == "<p>It’s <b>fine</b>.</p>"
    assert (first.author_raw, first.author_key, first.author_url) == ("Zoë", "zoë", None)
    assert reply.threaded_parent_external_id == "7" and reply.replies[0].target_external_id == "7"
    assert reply.author_url == "https://ex.org/"
    assert [c.position for c in result.comments] == [0, 1] and reply.page is None


def test_anonymous_author_and_pingbacks_as_in_the_theme() -> None:
    body = json.dumps([rest_comment(1, author_name=""), rest_comment(2, type="pingback")])
    result = parse_rest_comments(page(URL, body))
    assert [c.external_id for c in result.comments] == ["1"]
    assert result.comments[0].author_raw == "Anonymous"
    assert (result.total, result.total_pages) == (None, None)


def test_posts_with_embedded_author_and_terms() -> None:
    item = {
        "id": 4,
        "link": f"{SITE}/2025/03/x/",
        "date": "2025-03-16T09:00:00",
        "date_gmt": "2025-03-16T13:00:00",
        "modified": "2025-03-17T09:30:00",
        "modified_gmt": "2025-03-17T13:30:00",
        "title": {"rendered": "Law &amp; &#8220;order&#8221;"},
        "content": {"rendered": "<p>a</p>\n<p>b</p>\n"},
        "_embedded": {
            "author": [{"id": 2, "name": "Maria Alvarez", "link": f"{SITE}/author/malvarez/"}],
            "wp:term": [
                [{"taxonomy": "category", "name": "Law &amp; Courts"}],
                [
                    {"taxonomy": "post_tag", "name": "deportation"},
                    {"taxonomy": "post_tag", "name": "CECOT"},
                ],
            ],
        },
    }
    result = parse_rest_posts(
        page(f"{SITE}/wp-json/wp/v2/posts", json.dumps([item]), **{"x-wp-total": "1"})
    )
    post = result.posts[0]
    assert (post.external_id, post.title, post.url) == ("4", "Law & “order”", f"{SITE}/2025/03/x/")
    assert (post.author_raw, post.author_external_id) == ("Maria Alvarez", "malvarez")
    assert post.categories == ("Law & Courts",) and post.tags == ("CECOT", "deportation")
    assert post.body_text == "a\n\nb"
    assert post.published_raw == "2025-03-16T09:00:00-04:00"
    assert post.modified_at == datetime(2025, 3, 17, 13, 30, tzinfo=UTC)
    assert result.total == 1


@pytest.mark.parametrize(
    "body", [b"<html>blocked</html>", b'{"code": "rest_forbidden", "message": "Sorry"}', b""]
)
def test_not_a_rest_list_is_a_value_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(ValueError, match="wp-json"):
        parse_rest_comments(page(URL, body))


def test_a_lone_half_of_a_utf16_pair_becomes_a_replacement_character() -> None:
    """json.loads keeps `\\ud83d` alone as a lone surrogate, which no database, encoder or
    HTML parser accepts; a whole pair is one character and stays."""
    body = json.dumps([
        rest_comment(7, author_name="Ana \ud83d", content={"rendered": "<p>ok \ud83d\ude00 x\udc00</p>"})
    ])
    assert "\\ud83d" in body  # escaped as JSON does
    [comment] = parse_rest_comments(page(URL, body)).comments
    assert comment.author_raw == "Ana \ufffd"
    assert comment.body_text == "ok \U0001f600 x\ufffd"
    comment.body_html.encode("utf-8")  # storable
