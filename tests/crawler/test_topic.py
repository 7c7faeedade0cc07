"""The topic filter: keywords on word boundaries, prefixes, tags; comments never count."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from crawler.config import Topic
from crawler.topic import TopicFilter
from storage.records import PostRecord

TOPIC = Topic(
    name="Deportation",
    keywords=("deport*", "CECOT", "El Salvador", "Alien Enemies Act", "U.S."),
    tags=("Deportation Watch",),
)
FILTER = TopicFilter(TOPIC)


def post(**fields: object) -> PostRecord:
    base: dict[str, object] = {
        "external_id": "1", "url": "https://blog.example/p/1", "title": "",
        "author_raw": "A", "author_key": "a",
    }
    base.update(fields)
    return PostRecord(**base)  # type: ignore[arg-type]


def test_keyword_in_title_body_tags_or_categories() -> None:
    assert FILTER.is_on_topic(post(title="Inside CECOT"))
    assert FILTER.is_on_topic(post(body_text="Flights to el salvador resumed."))
    assert FILTER.is_on_topic(post(tags=("cecot",)))
    assert FILTER.is_on_topic(post(categories=("Alien Enemies Act",)))


def test_case_insensitive_and_phrase_across_whitespace() -> None:
    assert FILTER.is_on_topic(post(body_text="the ALIEN\n  enemies   act of 1798"))


def test_word_boundaries() -> None:
    assert not FILTER.is_on_topic(post(title="CECOTS"))  # no star: whole word only
    assert not FILTER.is_on_topic(post(title="XCECOT"))
    assert not FILTER.is_on_topic(post(title="Prodeportation"))  # prefix, not infix
    assert FILTER.is_on_topic(post(title="(CECOT)"))
    assert FILTER.is_on_topic(post(title="the U.S. position"))  # keyword ending in punctuation


def test_trailing_star_is_a_prefix() -> None:
    for word in ("deport", "deported", "Deportations", "deportee"):
        assert FILTER.is_on_topic(post(title=f"On {word} today")), word


def test_topic_tags_match_tags_and_categories_regardless_of_text() -> None:
    assert FILTER.is_on_topic(post(title="Weekly links", tags=("deportation watch",)))
    assert FILTER.is_on_topic(post(title="Weekly links", categories=("Deportation Watch",)))
    assert not FILTER.is_on_topic(post(title="Weekly links", tags=("Watch",)))


def test_off_topic_post() -> None:
    assert not FILTER.is_on_topic(post(title="Baseball", body_text="The Orioles won.", tags=("sports",)))


def test_unicode_folding() -> None:
    topic = TopicFilter(Topic(name="t", keywords=("straße", "bukele")))
    assert topic.is_on_topic(post(title="STRASSE"))
    assert topic.is_on_topic(post(title="Ｂｕｋｅｌｅ"))  # full-width letters


def test_tags_only_topic() -> None:
    topic = TopicFilter(Topic(name="t", keywords=(), tags=("cecot",)))
    assert topic.is_on_topic(post(tags=("CECOT",)))
    assert not topic.is_on_topic(post(title="CECOT"))


def _stays_letters(word: str) -> bool:
    # NFKC turns a few letters into letter + punctuation ("Ŀ" -> "L·"): such text has a
    # real word boundary inside it, so it cannot serve the "glued" property below.
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", word).casefold())
    return all(ch.isalnum() or unicodedata.category(ch).startswith("M") for ch in folded)


words = st.text(alphabet=st.characters(categories=("Ll", "Lu")), min_size=2, max_size=12).filter(
    _stays_letters
)
filler = st.text(alphabet=st.characters(categories=("Ll", "Lu", "Zs", "Po")), max_size=40)


@given(keyword=words, before=filler, after=filler)
def test_keyword_found_when_surrounded_by_non_word_characters(keyword: str, before: str, after: str) -> None:
    topic = TopicFilter(Topic(name="t", keywords=(keyword,)))
    text = f"{before} {keyword} {after}"
    assert topic.matches_text(text)


@given(keyword=words, glued=words)
def test_keyword_glued_to_a_word_needs_a_star(keyword: str, glued: str) -> None:
    exact = TopicFilter(Topic(name="t", keywords=(keyword,)))
    prefix = TopicFilter(Topic(name="t", keywords=(keyword + "*",)))
    assert prefix.matches_text(keyword + glued)
    assert not exact.matches_text(keyword + glued)
