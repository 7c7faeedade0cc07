"""The engine page parser's parts: comment page numbers, unnumbered next links, node ids,
listings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.page import Page
from crawler.parsers.engine_listing import parse_engine_listing
from crawler.parsers.engine_page import page_number, parse_engine_page
from crawler.parsers.htmltext import parse_document
from crawler.parsers.source_selectors import compile_selectors
from crawler.platforms.drupal import MARKUP as DRUPAL_MARKUP
from crawler.platforms.drupal import node_id
from crawler.platforms.html import MARKUP

FETCHED = datetime(2026, 12, 6, tzinfo=UTC)


def _page(url: str, body: str, ctype: str = "text/html") -> Page:
    return Page(url=url, body=body.encode(), fetched_at=FETCHED, headers={"content-type": ctype})


@pytest.mark.parametrize(("url", "number"), [
    ("http://x/node/5", None), ("http://x/node/5?page=0", 1), ("http://x/node/5?page=2", 3),
    ("http://x/node/5?page=0,1", 2), ("http://x/p?cpage=4", 4), ("http://x/p/comment-page-3/", 3),
    ("http://x/p/page/2/", 2), ("http://x/p?comments_page=5&x=1", 5),
])
def test_page_numbers(url: str, number: int | None) -> None:
    assert page_number(url) == number


def test_a_next_page_without_a_number_is_not_followed_and_the_page_is_partial() -> None:
    selectors = compile_selectors({"comment": "div.c", "next_page": "a.next"}, "s.selectors")
    body = ('<html><head><link rel="canonical" href="/p"></head><body><h1>T</h1>'
            '<div class="c" id="comment-1"><b class="fn">Ann</b><p class="comment-content">Hi</p></div>'
            '<a class="next" href="/p/older">older</a></body></html>')
    parsed = parse_engine_page(_page("http://127.0.0.1:9/p", body), MARKUP, selectors)
    assert parsed.pages == ()
    assert parsed.truncated
    assert parsed.problems == (("http://127.0.0.1:9/p: the next comment page http://127.0.0.1:9/p/older "
                               "carries no page number; not followed"),)
    assert parsed.post.external_id == "http://127.0.0.1:9/p"


@pytest.mark.parametrize(("markup", "nid"), [
    ('<article data-history-node-id="12" class="node">x</article>', "12"),
    ('<div id="node-7" class="node">x</div>', "7"),
    ('<head><link rel="shortlink" href="/node/33"></head>', "33"),
    ('<body class="page-node page-node-44">x</body>', "44"),
])
def test_drupal_node_ids(markup: str, nid: str) -> None:
    doc = parse_document(f"<html>{markup}</html>".encode(), "utf-8")
    assert node_id(doc, "http://x/articles/story") == nid


def test_listings_rss_sitemap_index_and_html() -> None:
    rss = ('<?xml version="1.0"?><rss version="2.0"><channel><item><link>http://127.0.0.1:9/node/1</link></item>'
           "<item><link>http://127.0.0.1:9/taxonomy/term/3</link></item></channel></rss>")
    assert parse_engine_listing(_page("http://127.0.0.1:9/rss.xml", rss)).post_urls == ("http://127.0.0.1:9/node/1",)
    index = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             "<sitemap><loc>http://127.0.0.1:9/sitemap.xml?page=2</loc></sitemap></sitemapindex>")
    assert parse_engine_listing(_page("http://127.0.0.1:9/sitemap.xml", index)).next_urls == (
        "http://127.0.0.1:9/sitemap.xml?page=2",)
    home = ('<html><body><h2 class="node__title"><a href="/node/2">A</a></h2>'
            '<a href="http://elsewhere.example/x" rel="bookmark">B</a>'
            '<nav class="pager"><li class="pager__item pager__item--next"><a href="/node?page=1">next</a></li></nav>'
            "</body></html>")
    listing = parse_engine_listing(_page("http://127.0.0.1:9/", home))
    assert listing.post_urls == ("http://127.0.0.1:9/node/2",)
    assert listing.next_urls == ("http://127.0.0.1:9/node?page=1",)


# Drupal 6 (Garland): `a#comment-N` anchors, `div.submitted` bylines, `div.indented`.
D6 = """<html lang="en"><head><meta name="generator" content="Drupal 6"/><title>Deportation | Site</title></head>
<body class="sidebars"><div id="node-5" class="node"><h2><a href="/node/5">Deportation flights</a></h2>
<span class="submitted">Fri, 01/03/2025 - 09:00 — editor</span>
<div class="content clear-block"><p>The flights.</p></div></div>
<div id="comments"><a id="comment-12"></a>
<div class="comment comment-published odd clear-block"><h3><a href="/node/5#comment-12" class="active">Deportation without</a></h3>
<div class="submitted">Submitted by <span class="username">Ann</span> on Fri, 01/03/2025 - 10:00.</div>
<div class="content"><p>Deportation without a hearing?</p></div>
<ul class="links"><li class="comment_reply first last"><a href="/comment/reply/5/12">reply</a></li></ul></div>
<div class="indented"><a id="comment-13"></a>
<div class="comment comment-published even clear-block"><h3><a href="/node/5#comment-13">There</a></h3>
<div class="submitted">Submitted by <a href="/user/3" class="username">Bob</a> on Fri, 01/03/2025 - 11:00.</div>
<div class="content"><p>There was one.</p></div></div></div>
<div class="item-list"><ul class="pager"><li class="pager-current first">1</li><li class="pager-item"><a href="/node/5?page=1" class="active">2</a></li><li class="pager-next"><a href="/node/5?page=1">next ›</a></li></ul></div>
<form action="/comment/reply/5" id="comment-form"><input name="name"/></form></div></body></html>"""


def test_a_drupal_6_node() -> None:
    parsed = parse_engine_page(_page("http://127.0.0.1:9/node/5", D6), DRUPAL_MARKUP)
    assert (parsed.post.external_id, parsed.post.title, parsed.post.body_text) == (
        "5", "Deportation flights", "The flights.")
    assert [(c.external_id, c.author_raw, c.threaded_parent_external_id, c.body_text) for c in parsed.comments] == [
        ("12", "Ann", None, "Deportation without a hearing?"), ("13", "Bob", "12", "There was one.")]
    assert parsed.pages == ((2, "http://127.0.0.1:9/node/5?page=1"),)


def test_a_post_on_a_page_whose_body_class_names_comments() -> None:
    body = ('<html><head><meta name="author" content="Editor"></head><body class="single has-comments">'
            '<h1>Title</h1><div class="entry-content"><p>Text.</p></div></body></html>')
    post = parse_engine_page(_page("http://127.0.0.1:9/p#x", body), MARKUP).post
    assert (post.title, post.body_text, post.author_raw, post.external_id) == (
        "Title", "Text.", "Editor", "http://127.0.0.1:9/p")
