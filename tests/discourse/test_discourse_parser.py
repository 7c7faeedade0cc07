"""Discourse's JSON read into records: post #1 the post, numbers the ids, quotes cited."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from crawler.page import Page
from crawler.parsers.discourse import parse_topic, parse_topic_list
from crawler.platforms.discourse import Discourse, forum_and_listing
from crawler.platforms.discourse_embed import embedded_topic
from storage.records import RemovalRecord
from tests.discourse.fixtures import demo_forum, latest_body, topic_body

FORUM = "http://127.0.0.1:9/"


def _page(url: str, payload: Any) -> Page:
    return Page(url=url, body=json.dumps(payload).encode(), fetched_at=datetime.now(UTC),
                headers={"content-type": "application/json; charset=utf-8"})


def test_a_source_url_names_the_forum_and_its_list() -> None:
    assert forum_and_listing("https://f.example") == ("https://f.example/", "https://f.example/latest.json")
    assert forum_and_listing("https://f.example/forum/c/politics/12") == (
        "https://f.example/forum/", "https://f.example/forum/c/politics/12.json")


def test_the_topic_page_gives_the_post_its_first_chunk_and_the_rest_as_chunks() -> None:
    forum = demo_forum()
    forum.base_url = FORUM
    route = Discourse(FORUM).topics
    page = route.read(_page(f"{FORUM}t/301.json", topic_body(forum, forum.topics[301])))
    assert page.post is not None and page.post.external_id == "301"
    assert (page.post.author_raw, page.post.title) == ("reporter", "The CECOT flights")
    assert page.post.tags == ("deportation",)
    ids = [c.external_id for c in page.comments]
    assert ids[:3] == ["2", "3", "5"] and "4" not in ids and "7" not in ids  # withdrawn, hidden
    assert page.withheld == 2
    assert page.removals == (RemovalRecord(external_id="4", removed_as="user_deleted"),
                             RemovalRecord(external_id="7", removed_as="hidden"))
    assert {(c.edited, c.edited_at) for c in page.comments} == {(False, None)}  # version 1 each
    assert page.expected == 44  # 45 posts in the stream, #1 is the post
    assert [n for n, _ in page.links] == [3021, 3041]
    assert page.links[0][1] == f"{FORUM}t/301/posts.json?" + "&".join(f"post_ids%5B%5D={i}" for i in range(3021, 3041))
    third = page.comments[1]
    assert third.threaded_parent_external_id == "2" and third.author_url == f"{FORUM}u/ben"
    assert third.published_at == datetime(2026, 11, 1, 2, tzinfo=UTC)


def test_an_aside_quote_becomes_a_blockquote_citing_the_post_it_quotes() -> None:
    forum = demo_forum()
    topic = parse_topic(_page(f"{FORUM}t/301.json", topic_body(forum, forum.topics[301])), FORUM)
    second = topic.chunk.comments[0]
    assert second.body_html.startswith(f'<blockquote cite="{FORUM}t/301/1">')
    assert "reporter:" not in second.body_text and "quote-controls" not in second.body_html
    assert "The flights to CECOT left after the order." in second.body_text


def test_the_fingerprint_ignores_view_counts() -> None:
    forum = demo_forum()
    route = Discourse(FORUM).topics
    url = f"{FORUM}t/301.json"
    one = route.glimpse(_page(url, topic_body(forum, forum.topics[301])))
    two = route.glimpse(_page(url, topic_body(forum, forum.topics[301])))
    assert one == two


def test_topic_lists_page_on() -> None:
    forum = demo_forum()
    first = parse_topic_list(_page(f"{FORUM}latest.json", latest_body(forum, 0)))
    assert first.topics == ((304, "deportation-flights"), (303, "alien-enemies"))
    assert first.more == "/latest?no_definitions=true&page=1"
    listing = Discourse(FORUM).topics.read_listing(Discourse(FORUM).discovery()[0],
                                                    _page(f"{FORUM}latest.json", latest_body(forum, 0)))
    assert listing.more[0].url == f"{FORUM}latest.json?no_definitions=true&page=1"


def test_the_embedded_topic_is_read_from_the_page() -> None:
    page = b"<script>DiscourseEmbed = { discourseUrl: 'https://f.example/',\n topicId: 304 };</script>"
    assert embedded_topic(page) == 304
    assert embedded_topic(b"DiscourseEmbed = { discourseUrl: 'x', discourseEmbedUrl: 'y' };") is None
