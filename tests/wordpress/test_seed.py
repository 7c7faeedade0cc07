"""The seed plans say what they promise: topic flags agree with the topic filter, threads
are as long and as deep as the tests need, and every reference points backwards."""

from __future__ import annotations

import pytest

from crawler.config import Topic, bundled_config_path, load_config
from crawler.topic import TopicFilter
from tests.wordpress.demo_seed import DEMO_POSTS
from tests.wordpress.seed import SEED_POSTS, PlannedPost, visible_text

# The topic the integration tests crawl with (tests/crawler/crawling.py), and the
# bundled default the demo uses.
TEST_TOPIC = Topic(name="test", keywords=(
    "deport*", "CECOT", "Bukele", "El Salvador", "Guantanamo", "Alien Enemies Act"))
PLANS = {"seed": SEED_POSTS, "demo": DEMO_POSTS}


def _on_topic(topic: Topic, post: PlannedPost) -> bool:
    f = TopicFilter(topic)
    labels = (*post.tags, *post.categories)
    return f.carries_tag(labels) or f.matches_text(post.title, visible_text(post.content),
                                                   *labels)


@pytest.mark.parametrize("plan", PLANS)
def test_on_topic_flags_agree_with_the_filter(plan: str) -> None:
    for topic in (TEST_TOPIC, load_config(bundled_config_path()).topic):
        for post in PLANS[plan]:
            assert _on_topic(topic, post) == post.on_topic, (topic.name, post.key)


def test_comments_mention_the_topic_on_an_off_topic_post() -> None:
    f = TopicFilter(TEST_TOPIC)
    assert any(f.matches_text(c.content) for p in SEED_POSTS if not p.on_topic
               for c in p.comments)


@pytest.mark.parametrize("plan", PLANS)
def test_references_point_backwards_and_thread_times_are_distinct(plan: str) -> None:
    seen: set[str] = set()
    for post in PLANS[plan]:
        keys = {c.key for c in post.comments}
        # Distinct within a thread, so order and times are unambiguous (two short threads
        # of different posts share clock times; the recorded fixtures depend on that seed).
        assert len({c.date for c in post.comments}) == len(post.comments), post.key
        for c in post.comments:
            assert c.parent is None or (c.parent in seen and c.parent in keys), c.key
            assert c.date.utcoffset() is not None and c.date > post.date, c.key
            for ref in c.content.split("{{comment:")[1:]:
                assert ref.split("}}")[0] in seen, c.key
            seen.add(c.key)


def _depth(post: PlannedPost, key: str) -> int:
    parents = {c.key: c.parent for c in post.comments}
    depth, at = 1, parents[key]
    while at:
        depth, at = depth + 1, parents[at]
    return depth


def test_the_test_seed_has_long_and_deep_threads() -> None:
    by_key = {p.key: p for p in SEED_POSTS}
    flights = by_key["flights"]
    assert len(flights.comments) >= 45
    assert sum(c.parent is None for c in flights.comments) > 20  # > 2 pages of 10
    cecot = by_key["cecot"]
    assert max(_depth(cecot, c.key) for c in cecot.comments) == 5
    authors = {c.author for p in SEED_POSTS for c in p.comments}
    assert {"JohnD", "johnd", "ＪｏｈｎＤ", "José Martínez", "Zoë"} <= authors
    assert any(not a.isascii() for a in authors)
    assert any(c.url for p in SEED_POSTS for c in p.comments)


def test_the_demo_has_two_long_threads_over_two_pages() -> None:
    long = [p for p in DEMO_POSTS if p.on_topic and 15 <= len(p.comments) <= 30]
    assert len(long) == 2
    assert all(10 < sum(c.parent is None for c in p.comments) <= 20 for p in long)
    assert 4 <= len(DEMO_POSTS) <= 6 and any(not p.on_topic for p in DEMO_POSTS)
