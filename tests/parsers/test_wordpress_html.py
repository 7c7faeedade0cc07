"""WordPress post pages: small inline pages for the tricky parts (fixtures cover real pages)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from crawler.parsers.wordpress_html import fingerprint_only, parse_post_page
from tests.parsers.pages import (
    NESTED,
    POST_URL,
    SITE,
    block_post,
    classic_comment,
    classic_post,
    page,
)

PAGE2 = f"{POST_URL}comment-page-2/"


def test_classic_post_fields() -> None:
    post = parse_post_page(page(PAGE2, classic_post(NESTED))).post
    assert post.external_id == "42"
    assert post.url == POST_URL  # canonical without comment-page-2 and fragment
    assert post.title == "Deportation “flights” to CECOT"
    assert (post.author_raw, post.author_key) == ("Ad Min", "ad min")
    assert post.author_external_id == "ad-min"
    assert post.published_raw == "2025-01-02T05:00:00-05:00"
    assert post.published_at == datetime(2025, 1, 2, 10, tzinfo=UTC)
    assert post.tags == ("Bukele", "CECOT")  # not the tag-cloud widget's "other"
    assert post.categories == ("Policy",)
    assert post.body_text == "First paragraph about CECOT.\n\nSecond\nline."
    assert (
        post.body_html
        == "<p>First paragraph about <strong>CECOT</strong>.</p>\n<p>Second<br>line.</p>"
    )
    assert post.comment_count_displayed == 5


def test_plain_permalink_terms_category_rel_alone() -> None:
    # Without pretty permalinks WordPress writes rel="category" (no "tag") on categories.
    html = (
        classic_post(NESTED)
        .replace(
            f'<a href="{SITE}/category/policy/" rel="category tag">Policy</a>',
            f'<a href="{SITE}/?cat=3" rel="category">Policy</a>',
        )
        .replace(
            f'<a href="{SITE}/tag/cecot/" rel="tag">', f'<a href="{SITE}/?tag=cecot" rel="tag">'
        )
    )
    post = parse_post_page(page(f"{SITE}/?p=42", html)).post
    assert (post.categories, post.tags) == (("Policy",), ("Bukele", "CECOT"))


def test_nested_comments_any_depth_and_no_pingbacks_or_widgets() -> None:
    result = parse_post_page(page(PAGE2, classic_post(NESTED)))
    got = [(c.external_id, c.threaded_parent_external_id, c.position) for c in result.comments]
    assert got == [("7", None, 0), ("9", "7", 1), ("11", "9", 2), ("12", None, 3)]
    deep = result.comments[2]
    assert deep.replies[0].kind == "threaded"
    assert deep.replies[0].target_external_id == "9"
    assert deep.replies[0].resolved_by == "markup"
    assert deep.parent_external_id == "9"
    assert all(c.page == 2 for c in result.comments)
    assert "Widget Person" not in {c.author_raw for c in result.comments}


def test_comment_fields_markup_looking_text_and_non_ascii() -> None:
    first = parse_post_page(page(PAGE2, classic_post(NESTED))).comments[0]
    assert first.author_raw == "José Ñúñez"
    assert first.author_key == "josé ñúñez"
    assert first.author_url == "https://example.org/"
    assert first.published_at == datetime(2025, 1, 3, 15, tzinfo=UTC)
    assert first.published_raw == "2025-01-03T10:00:00-05:00"
    # Escaped markup stays text, and stays escaped in the HTML.
    assert first.body_text == "Hello <script>alert(1)</script> world\n\nquoted text\n\nAfter."
    assert first.body_html.startswith("<p>Hello &lt;script&gt;alert(1)&lt;/script&gt; world</p>")
    assert first.own_text == first.body_text
    assert first.quotes == ()


def test_pagination_lists_every_comment_page() -> None:
    result = parse_post_page(page(PAGE2, classic_post(NESTED)))
    assert result.comment_page == 2
    assert result.comment_page_urls == tuple(f"{POST_URL}comment-page-{n}/" for n in range(1, 5))
    assert not result.truncated


def test_current_page_from_pagination_marker_when_url_has_none() -> None:
    result = parse_post_page(page(POST_URL, classic_post(NESTED)))
    assert result.comment_page == 2  # the site's default page is the newest one here


def test_plain_permalinks_cpage() -> None:
    url = f"{SITE}/?p=42&cpage=3"
    nav = (
        f'<nav class="navigation comments-pagination"><div class="nav-links">'
        f'<a class="page-numbers" href="{SITE}/?p=42&#038;cpage=1#comments">Page 1</a>'
        f'<span aria-current="page" class="page-numbers current">Page 3</span>'
        f'<a class="page-numbers" href="{SITE}/?p=42&#038;cpage=5#comments">Page 5</a></div></nav>'
    )
    result = parse_post_page(page(url, classic_post(NESTED, pagination=nav)))
    assert result.comment_page == 3
    assert result.comment_page_urls == tuple(f"{SITE}/?p=42&cpage={n}" for n in range(1, 6))


def test_single_page_thread_and_post_without_comments() -> None:
    one = parse_post_page(page(POST_URL, classic_post(NESTED, pagination="")))
    assert (one.comment_page, one.comment_page_urls) == (1, ())
    none = parse_post_page(page(POST_URL, classic_post("")))
    assert none.comments == () and none.comment_page is None
    assert none.post.comment_count_displayed is None


def test_a_comment_holding_the_closed_notice_is_read_as_a_comment() -> None:
    """A commenter allowed some markup (an editor, say) writes the theme's closed notice."""
    notice = classic_comment(
        3, "Ed", "2025-01-03T10:00:00+00:00", '<p class="no-comments">Comments are closed.</p>'
    )
    open_thread = parse_post_page(page(POST_URL, classic_post(notice, pagination="")))
    assert [c.external_id for c in open_thread.comments] == ["3"]


def test_page_cut_inside_a_comment_leaves_that_comment_out() -> None:
    html = classic_post(NESTED)
    cut = html[: html.index("<p>deep</p>") + len("<p>de")]  # comment 11's text is cut
    result = parse_post_page(page(PAGE2, cut))
    assert result.truncated
    assert [c.external_id for c in result.comments] == ["7", "9"]
    assert any("comment 11 may be cut off" in p for p in result.problems)
    assert result.post_complete  # the comment area had begun: the post arrived whole
    assert result.comment_page_urls == ()  # the pagination was lost with the cut


def test_page_cut_after_the_comment_list_keeps_every_comment() -> None:
    html = classic_post(NESTED)
    cut = html[: html.index("<aside")]
    result = parse_post_page(page(PAGE2, cut))
    assert result.truncated
    assert [c.external_id for c in result.comments] == ["7", "9", "11", "12"]


def test_page_cut_inside_the_post_says_so() -> None:
    html = classic_post(NESTED)
    result = parse_post_page(page(PAGE2, html[: html.index("Second")]))
    assert result.truncated and not result.post_complete and result.comments == ()


def test_one_comment_title_and_big_counts() -> None:
    one = classic_post(NESTED, count_title="One response to &#8220;Page 5 of 7&#8221;")
    assert parse_post_page(page(PAGE2, one)).post.comment_count_displayed == 1
    big = classic_post(NESTED, count_title="1,234 thoughts on &#8220;X&#8221;")
    assert parse_post_page(page(PAGE2, big)).post.comment_count_displayed == 1234


def test_block_theme() -> None:
    result = parse_post_page(page(f"{POST_URL}comment-page-2/", block_post()))
    post = result.post
    assert (post.external_id, post.title, post.author_raw) == ("77", "Block post", "admin")
    assert (post.tags, post.categories) == (("CECOT",), ("Policy",))
    assert post.body_text == "Body of the block post."
    assert post.comment_count_displayed == 3
    got = [(c.external_id, c.threaded_parent_external_id, c.author_raw) for c in result.comments]
    assert got == [("21", None, "Ana"), ("22", "21", "Bo"), ("23", "22", "Cy")]
    assert result.comments[0].author_url == "https://ana.example/"
    assert result.comments[0].published_at == datetime(2025, 1, 3, 10, tzinfo=UTC)
    assert result.comments[2].body_text == "Deeper"
    assert result.comment_page == 2
    assert result.comment_page_urls == (f"{POST_URL}comment-page-1/", f"{POST_URL}comment-page-2/")


def test_fingerprint_ignores_chrome_but_not_comments() -> None:
    base = page(PAGE2, classic_post(NESTED))
    fp = fingerprint_only(base)
    assert parse_post_page(base).fingerprint == fp
    other_chrome = classic_post(NESTED, sidebar="<aside>new widget</aside>").replace("NONCE", "N2")
    assert fingerprint_only(page(PAGE2, other_chrome.replace("Test Blog", "Blog"))) == fp
    edited = classic_post(NESTED.replace("<p>end</p>", "<p>end, edited</p>"))
    assert fingerprint_only(page(PAGE2, edited)) != fp


def test_beautifulsoup_repairs_what_lxml_loses() -> None:
    # An unclosed <table> in a comment makes libxml2 close the comment list there: the
    # comments after it would be lost without the html.parser repair.
    broken = NESTED.replace("<p>@José reply</p>", "<p>@José reply</p><table><tr><td>x", 1)
    result = parse_post_page(page(POST_URL, classic_post(broken, pagination="")))
    got = [(c.external_id, c.threaded_parent_external_id) for c in result.comments]
    assert got == [("7", None), ("9", "7"), ("11", "9"), ("12", None)]
    assert not result.truncated
    assert result.problems and "repair" in result.problems[0]


def test_comments_lost_to_markup_make_the_page_partial() -> None:
    # Stray closing tags end the list early in every parser: say so, never drop silently.
    broken = NESTED.replace(
        "<p>@José reply</p>", "<p>@José reply</p></div></article></li></ol></div>", 1
    )
    result = parse_post_page(page(POST_URL, classic_post(broken, pagination="")))
    assert result.truncated
    assert any("11, 12" in p for p in result.problems)


def test_libxml2_depth_limit_does_not_hide_comments() -> None:
    deep = classic_post(NESTED).replace('<div id="comments"', "<div>" * 300 + '<div id="comments"')
    assert len(parse_post_page(page(PAGE2, deep)).comments) == 4


def test_not_html_raises_value_error() -> None:
    with pytest.raises(ValueError):
        parse_post_page(page(POST_URL, b""))


def _older_theme_page(items: str) -> str:
    return classic_post("", pagination="").replace(
        '<div id="comments" class="comments-area default-max-width show-avatars">',
        f'<div id="comments"><ol class="commentlist">{items}</ol>',
    )


def test_walker_without_html5_text_in_comment_body() -> None:
    # Core's Walker_Comment::comment(), used by themes without html5 comment support.
    def item(cid: int, name: str, text: str, children: str = "") -> str:
        nested = f'<ul class="children">{children}</ul>' if children else ""
        return f"""<li class="comment depth-1" id="comment-{cid}">
<div id="div-comment-{cid}" class="comment-body">
<div class="comment-author vcard"><img src="x" /><cite class="fn">{name}</cite> <span class="says">says:</span></div>
<div class="comment-meta commentmetadata"><a href="{POST_URL}#comment-{cid}">March 16, 2025 at 10:42 am</a></div>
{text}
<div class="reply"><a class="comment-reply-link" href="#">Reply</a></div>
</div>{nested}</li>"""

    html = _older_theme_page(item(2, "Ann", "<p>One</p>\n<p>Two</p>", item(3, "Bob", "<p>Re</p>")))
    result = parse_post_page(page(POST_URL, html))
    got = [
        (c.external_id, c.threaded_parent_external_id, c.author_raw, c.body_text)
        for c in result.comments
    ]
    assert got == [("2", None, "Ann", "One\n\nTwo"), ("3", "2", "Bob", "Re")]
    assert result.comments[0].body_html == "<p>One</p>\n<p>Two</p>"
    assert result.comments[0].published_raw == "March 16, 2025 at 10:42 am"
    # Read in the site's zone, which the post's own time[datetime] gives (-05:00).
    assert result.comments[0].published_at == datetime(2025, 3, 16, 15, 42, tzinfo=UTC)
    assert not result.comments[0].published_approximate
    # Without any stamp of the site's zone, the time is unknown, not guessed as UTC.
    zoneless = re.sub(r'<time [^>]*datetime="[^"]*"[^>]*>.*?</time>', "", html)
    zoneless = re.sub(r"<meta property=.article:[a-z_]+. [^>]*>", "", zoneless)
    first = parse_post_page(page(POST_URL, zoneless)).comments[0]
    assert (first.published_raw, first.published_at) == ("March 16, 2025 at 10:42 am", None)


def test_twenty_ten_and_eleven_callbacks_li_comment_around_the_body() -> None:
    ten = """<li class="comment" id="li-comment-5"><div id="comment-5">
<div class="comment-author vcard"><cite class="fn">Ten</cite></div>
<div class="comment-meta commentmetadata"><a href="#comment-5">March 1, 2025 at 9:00 am</a></div>
<div class="comment-body"><p>ten text</p></div><div class="reply"></div></div>
<ul class="children"><li class="comment" id="li-comment-6"><article id="comment-6" class="comment">
<footer class="comment-meta"><div class="comment-author vcard"><span class="fn">Eleven</span> on
<a href="#comment-6"><time datetime="2025-03-01T09:30:00-05:00">March 1</time></a></div></footer>
<div class="comment-content"><p>eleven text</p></div></article></li></ul></li>"""
    result = parse_post_page(page(POST_URL, _older_theme_page(ten)))
    got = [
        (c.external_id, c.threaded_parent_external_id, c.author_raw, c.body_text)
        for c in result.comments
    ]
    assert got == [("5", None, "Ten", "ten text"), ("6", "5", "Eleven", "eleven text")]
    assert result.comments[1].published_raw == "2025-03-01T09:30:00-05:00"
    assert not result.truncated and result.problems == ()


def test_previous_next_navigation_of_older_themes() -> None:
    nav = (
        f'<div class="navigation"><div class="nav-previous"><a href="{POST_URL}comment-page-2/#comments">'
        '&larr; Older Comments</a></div><div class="nav-next"></div></div>'
    )
    items = classic_comment(
        5, "Ann", "2025-01-01T00:00:00+00:00", f'<p><a href="{SITE}/x/comment-page-9/">x</a></p>'
    )
    html = classic_post("", pagination="").replace(
        '<div id="comments" class="comments-area default-max-width show-avatars">',
        f'<div id="comments">{nav}<ol class="commentlist">{items}</ol>{nav}',
    )
    result = parse_post_page(page(POST_URL, html))  # the default (newest) page
    assert result.comment_page == 3
    assert result.comment_page_urls == tuple(f"{POST_URL}comment-page-{n}/" for n in (1, 2, 3))
