"""The crawler derives every record's links (the content hash's), from saved real pages.

Storage hashes the `links` field and refuses a linked body without it
(storage.hashing.MissingLinks); these tests hold the crawler to filling it on the way
from a parser, HTML or REST, to the writer.
"""

from __future__ import annotations

import pytest

from crawler.normalize.links import link_hrefs
from crawler.normalize.thread import normalize_thread
from crawler.parsers.wordpress_html import parse_post_page
from crawler.parsers.wordpress_rest import parse_rest_comments, parse_rest_posts
from crawler.thread import assemble_thread
from storage.hashing import comment_hash, post_hash
from storage.records import CommentRecord, PostRecord, ThreadSnapshot
from tests.parsers.fixture_pages import ROOT, THEMES, load

LONG_THREAD = ("post-comment-page-1", "post-comment-page-2", "post")  # pages 1, 2, 3


def _thread(post: PostRecord, pages: list[tuple[CommentRecord, ...]]) -> ThreadSnapshot:
    return assemble_thread(
        source_key="test", post=post, pages=pages, complete=True,
        fetched_at=load(ROOT / THEMES[0] / "post.html").fetched_at, expected_comment_count=None,
    )  # fmt: skip


def _html_thread(theme: str) -> ThreadSnapshot:
    parsed = [parse_post_page(load(ROOT / theme / f"{name}.html")) for name in LONG_THREAD]
    return _thread(parsed[-1].post, [p.comments for p in parsed])


def _rest_thread(theme: str) -> ThreadSnapshot:
    posts = parse_rest_posts(load(ROOT / theme / "rest-posts-embed.json")).posts
    post = next(p for p in posts if p.external_id == "4")  # the long thread's
    pages = [
        parse_rest_comments(load(ROOT / theme / f"{name}.json")).comments
        for name in ("rest-comments", "rest-comments-page-5")
    ]
    return _thread(post, pages)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("read", [_html_thread, _rest_thread], ids=["html", "rest"])
def test_normalize_thread_fills_the_links_of_every_record(theme: str, read: object) -> None:
    assert callable(read)
    parsed: ThreadSnapshot = read(theme)
    assert parsed.post.links is None and all(c.links is None for c in parsed.comments)
    out = normalize_thread(parsed)
    records = [out.post, *out.comments]
    assert all(r.links == link_hrefs(r.body_html) for r in records)
    assert all(r.links is not None for r in records)  # () where a body has no link
    if read is _html_thread:
        # Not vacuous: a comment of the long thread @-replies by a link to #comment-19
        # (none of the REST pages' 19 comments links).
        assert any("#comment-19" in (c.links or ()) for c in out.comments)
    post_hash(out.post)  # neither raises MissingLinks
    for c in out.comments:
        comment_hash(c)


def test_link_hrefs_sorted_distinct_and_stripped() -> None:
    html = (
        '<p><A HREF=" https://b.example/ ">b</A> <a href="https://a.example/" rel="nofollow">a'
        '</a> <a href="https://a.example/" target="_blank">again</a> <a name="x">no href</a></p>'
    )
    assert link_hrefs(html) == ("https://a.example/", "https://b.example/")
    assert link_hrefs("<p><abbr>no link</abbr></p>") == ()
    assert link_hrefs("") == ()
