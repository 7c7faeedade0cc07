"""The Disqus parts without a crawl: the parser, the post page's settings, the route
wrapper on an API route, and the config keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crawler.config import parse_config
from crawler.page import Page
from crawler.parsers.disqus import embed_config, parse_embed_page, parse_list_posts
from crawler.platforms import platform_for
from crawler.platforms.disqus import DisqusComments
from storage.errors import ConfigError
from storage.records import RemovalRecord
from tests.disqus.server import BlogPost, post_page
from tests.disqus.threads import disqus_post

NOW = datetime(2025, 2, 1, tzinfo=UTC)


def _page(url: str, body: bytes) -> Page:
    return Page(url=url, body=body, fetched_at=NOW, headers={"content-type": "text/html"})


def _embed(posts: list[dict], *, has_next: bool = False, total: int | None = None) -> Page:
    data = {"cursor": {"hasNext": has_next, "next": "2:0:0", "hasPrev": False, "prev": None, "total": 9},
            "code": 0, "response": {"thread": {"id": "7001", "posts": len(posts) if total is None else total},
                                    "posts": posts}}
    body = f'<html><body><script type="text/json" id="disqus-threadData">{json.dumps(data)}</script></body></html>'
    return _page("https://disqus.com/embed/comments/?f=x", body.encode())


def test_an_embed_page_reads_ids_parents_authors_times_and_leaves_out_deleted_and_spam() -> None:
    parsed = parse_embed_page(_embed([
        disqus_post("1", name="Ana Ruiz", username="anaruiz", created="2025-01-10T10:00:00", message="<p>Hi</p>"),
        disqus_post("2", name="A Guest", anonymous=True, parent="1", created="2025-01-10T10:01:00",
                    message="<p>Hello <b>you</b></p>"),
        disqus_post("3", name="X", created="2025-01-10T10:02:00", message="", deleted=True),
        disqus_post("4", name="Bot", created="2025-01-10T10:03:00", message="<p>spam</p>", spam=True),
    ], total=2))
    assert parsed.thread_id == "7001" and parsed.total == 2
    assert (parsed.deleted, parsed.spam) == (1, 1)
    assert parsed.removals == (RemovalRecord(external_id="3", removed_as="deleted"),
                               RemovalRecord(external_id="4", removed_as="spam"))
    ana, guest = parsed.comments
    assert (ana.external_id, ana.author_raw, ana.author_external_id) == ("1", "Ana Ruiz", "anaruiz")
    assert ana.author_url == "https://disqus.com/by/anaruiz/"
    assert ana.published_at == datetime(2025, 1, 10, 10, 0, tzinfo=UTC)
    assert ana.published_raw == "2025-01-10T10:00:00"
    assert guest.author_raw == "A Guest" and guest.author_external_id is None and guest.author_url is None
    assert guest.threaded_parent_external_id == "1" and guest.replies[0].target_external_id == "1"
    assert guest.body_html == "<p>Hello <b>you</b></p>" and guest.body_text == "Hello you"
    assert (ana.edited, ana.edited_at) == (False, None)  # isEdited false; Disqus gives no edit time


def test_a_post_without_author_or_text_is_unread_not_invented() -> None:
    parsed = parse_embed_page(_embed([
        disqus_post("1", name="", created="2025-01-10T10:00:00", message="<p>Hi</p>", anonymous=True),
        disqus_post("2", name="Ana", created="2025-01-10T10:00:00", message="<p> </p>"),
    ]))
    assert parsed.comments == ()
    assert [(u.external_id, u.missing) for u in parsed.unread] == [("1", ("author",)), ("2", ("text",))]


def test_the_fingerprint_changes_with_the_posts_only() -> None:
    one = disqus_post("1", name="Ana", created="2025-01-10T10:00:00", message="<p>Hi</p>")
    a, b = parse_embed_page(_embed([one])), parse_embed_page(_embed([one]))
    edited = parse_embed_page(_embed([{**one, "message": "<p>Hi!</p>"}]))
    assert a.fingerprint == b.fingerprint != edited.fingerprint


def test_list_posts_pages_and_errors() -> None:
    body = json.dumps({"cursor": {"hasNext": True, "next": "100:0:0", "total": 120}, "code": 0,
                       "response": [disqus_post("9", name="Ana", created="2025-01-10T10:00:00", message="<p>x</p>")]})
    parsed = parse_list_posts(_page("https://disqus.com/api/3.0/threads/listPosts.json", body.encode()))
    assert (parsed.has_next, parsed.next_cursor, parsed.total) == (True, "100:0:0", 120)
    with pytest.raises(ValueError, match="Disqus error code 5"):
        parse_list_posts(_page("https://disqus.com/api/3.0/x", b'{"code": 5, "response": "Invalid API key"}'))
    with pytest.raises(ValueError, match="no disqus-threadData"):
        parse_embed_page(_page("https://disqus.com/embed/comments/", b"<html></html>"))


@pytest.mark.parametrize(("snippet", "forum", "identifier", "url"), [
    ("var disqus_shortname = 'polblog'; var disqus_identifier = '12 https://b.example/?p=12';",
     "polblog", "12 https://b.example/?p=12", None),
    (("var disqus_config = function () { this.page.url = 'https://b.example/a/'; "
     "this.page.identifier = 'it\\'s-12'; }; s.src = 'https://polblog.disqus.com/embed.js';"),
     "polblog", "it's-12", "https://b.example/a/"),
    (('var embedVars = {"disqusConfig":{},"disqusIdentifier":"12 https:\\/\\/b.example\\/?p=12",'
     '"disqusShortname":"polblog","disqusUrl":"https:\\/\\/b.example\\/a\\/","postId":"12"};'),
     "polblog", "12 https://b.example/?p=12", "https://b.example/a/"),
    ('<div id="disqus_thread"></div>', None, None, None),
])
def test_thepost_page_settings_in_each_form_the_embed_code_writes(snippet: str, forum: str | None,
                                                                   identifier: str | None, url: str | None) -> None:
    got = embed_config(f"<html><script>{snippet}</script></html>".encode())
    assert (got.forum, got.identifier, got.url) == (forum, identifier, url)


CONFIG = """[topic]
name = "t"
keywords = ["deport*"]
[[sources]]
key = "b"
name = "b"
url = "https://b.example/"
"""


def test_an_api_route_fetches_thepost_page_only_for_the_way_to_disqus() -> None:
    source = parse_config(CONFIG + 'comments = "disqus"\ndisqus_forum = "polblog"\n'
                          'disqus_api_key = "Abc0123456789Abc0123"\n').sources[0]
    route = platform_for(source).routes["pretty"]
    assert isinstance(route, DisqusComments)
    page = _page("https://b.example/a/", b"<html><script>this.page.identifier = '12 x';</script></html>")
    read = route.read(page)
    assert read.post is None and read.comments == ()
    (_number, link), = read.links
    assert link.startswith("https://disqus.com/api/3.0/threads/listPosts.json?api_key=Abc0123456789Abc0123"
                           "&forum=polblog&thread%3Aident=12+x&limit=100&order=asc")
    assert route.glimpse(page).links == read.links


@pytest.mark.parametrize(("extra", "message"), [
    ('comments = "facebook"\n', "sources[0].comments: 'facebook' is not a known comment service"),
    ('disqus_forum = "polblog"\n', 'sources[0].disqus_forum: only for a source with comments = "disqus"'),
    ('comments = "disqus"\ndisqus_forum = "pol blog"\n', "is not a Disqus forum shortname"),
    ('comments = "disqus"\ndisqus_api_key = "E8Uh5l5fHZ6gD8U3KycjAIAk46f68Zw7C6eW8WSjZvCLXebZ7p0r1yrYDrLilk2F"\n',
     "sources[0].disqus_api_key: this is Disqus's own embed key"),
    ('comments = "disqus"\ndisqus_api_key = "short"\n', "sources[0].disqus_api_key: not a Disqus public API key"),
    ('comments = "disqus"\ndisqus_base = "ftp://x"\n', "sources[0].disqus_base: 'ftp://x' is not an http(s) URL"),
])
def test_config_mistakes_name_the_key(extra: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(CONFIG + extra)
    assert message in str(caught.value)


def _blog_page(forum_in_page: bool) -> Page:
    post = BlogPost(12, "a", "Deportation", "<p>Text.</p>", "2025-01-10T09:00:00+00:00",
                    forum_in_page=forum_in_page)
    return _page("https://b.example/a/", post_page(post, "https://b.example", "polblog").encode())


def test_a_page_that_does_not_name_the_forum_takes_the_sources_disqus_forum() -> None:
    named = parse_config(CONFIG + 'comments = "disqus"\ndisqus_forum = "ourforum"\n').sources[0]
    read = platform_for(named).post_pages.read(_blog_page(False))
    (_, link), = read.links
    assert "f=ourforum" in link and "t_i=12+https%3A%2F%2Fb.example%2F%3Fp%3D12" in link
    assert read.elsewhere is None and not read.problems
    assert read.site is not None and "comments: Disqus (forum 'ourforum'), read from Disqus" in read.site


def test_a_page_without_a_forum_and_a_source_without_disqus_forum_is_a_problem() -> None:
    unnamed = parse_config(CONFIG + 'comments = "disqus"\n').sources[0]
    read = platform_for(unnamed).post_pages.read(_blog_page(False))
    assert read.links == ()
    # (the spider puts the page's URL before it)
    assert read.problems == ("comments are in Disqus but the page names no forum: set disqus_forum for the source",)
    named_in_page = platform_for(unnamed).post_pages.read(_blog_page(True))
    assert "f=polblog" in named_in_page.links[0][1]


def test_a_mention_link_gets_its_at_sign_for_the_shared_normalizer() -> None:
    link = '<a data-dsq-mention="anaruiz:disqus" href="https://disqus.com/by/anaruiz/" rel="nofollow">Ana Ruiz</a>'
    (comment,) = parse_embed_page(_embed([disqus_post(
        "2", name="Bo", created="2025-01-10T10:01:00", message=f"<p>{link} no.</p>")])).comments
    assert comment.body_text == "@Ana Ruiz no."
    assert '>@Ana Ruiz</a>' in comment.body_html


def test_a_new_like_does_not_change_the_fingerprint() -> None:
    one = disqus_post("1", name="Ana", created="2025-01-10T10:00:00", message="<p>Hi</p>")
    assert parse_embed_page(_embed([one])).fingerprint == parse_embed_page(
        _embed([{**one, "likes": 3, "points": 3}])).fingerprint
