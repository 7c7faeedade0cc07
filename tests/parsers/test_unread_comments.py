"""Never silently wrong: a comment item without an author or a text is a problem, not a record.

Before, such an item was archived as author "Anonymous" with an empty text, on a thread
that looked complete.
"""

from __future__ import annotations

from crawler.parsers.unread import UnreadComment, unread_problem
from crawler.parsers.wordpress_html import parse_post_page
from crawler.parsers.wordpress_rest import parse_rest_comments
from crawler.platforms.wordpress_html import HtmlRoute
from tests.parsers.pages import POST_URL, classic_comment, classic_post, page

NO_AUTHOR = """<li id="comment-51" class="comment depth-1"><article id="div-comment-51" class="comment-body">
<div class="comment-metadata"><time datetime="2025-01-03T10:00:00+00:00">January 3</time></div>
<div class="comment-content"><p>Who wrote me?</p></div></article></li>"""
NO_TEXT = """<li id="comment-52" class="comment depth-1"><article id="div-comment-52" class="comment-body">
<div class="comment-author vcard"><b class="fn">Dana</b></div></article></li>"""
EMPTY_NAME = """<li id="comment-53" class="comment depth-1"><article id="div-comment-53" class="comment-body">
<div class="comment-author vcard"><b class="fn">  </b></div></article></li>"""


def test_an_item_without_author_or_text_is_unread_never_anonymous() -> None:
    body = classic_post(classic_comment(50, "Ann", "2025-01-03T10:00:00+00:00", "<p>Fine</p>")
                        + NO_AUTHOR + NO_TEXT + EMPTY_NAME)
    parsed = parse_post_page(page(POST_URL, body))
    assert [c.external_id for c in parsed.comments] == ["50"]
    assert parsed.unread == (
        UnreadComment(external_id="51", missing=("author",)),
        UnreadComment(external_id="52", missing=("text",)),
        UnreadComment(external_id="53", missing=("author", "text")),
    )
    thread_page = HtmlRoute().read(page(POST_URL, body))
    assert thread_page.unread == parsed.unread
    assert [c.external_id for c in thread_page.comments] == ["50"]


def test_a_name_the_site_shows_as_anonymous_is_data() -> None:
    body = classic_post(classic_comment(60, "Anonymous", "2025-01-03T10:00:00+00:00", "<p>Hi</p>"))
    parsed = parse_post_page(page(POST_URL, body))
    assert [(c.author_raw, c.body_text) for c in parsed.comments] == [("Anonymous", "Hi")]
    assert parsed.unread == ()


def test_rest_empty_name_is_what_wordpress_shows() -> None:
    body = ('[{"id": 7, "post": 4, "parent": 0, "author_name": "", "author_url": "", "date": '
            '"2025-01-03T10:00:00", "date_gmt": "2025-01-03T15:00:00", "content": {"rendered": '
            '"<p>x</p>"}, "type": "comment"}]')
    comments = parse_rest_comments(page("http://127.0.0.1:9/wp-json/wp/v2/comments?post=4", body)).comments
    assert [c.author_raw for c in comments] == ["Anonymous"]


def test_the_problem_names_page_comment_and_what_was_missing() -> None:
    assert unread_problem(POST_URL, UnreadComment(external_id="53", missing=("author", "text"))) == (
        f"{POST_URL}: comment 53: no author and no text found; not archived"
    )
