"""Author keys: one key per person despite case, spacing and Unicode; configured aliases merge."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crawler.normalize.authors import alias_map, author_key, canonical_key


@given(st.text())
def test_key_is_idempotent(name: str) -> None:
    assert author_key(author_key(name)) == author_key(name)


def test_case_space_and_unicode_variants_share_a_key() -> None:
    variants = ["Zoë Clarke", "zoe\u0308  clarke", " ZOË\u00a0CLARKE ", "Zo\u200bë Clarke", "Ｚｏë Clarke"]
    assert {author_key(v) for v in variants} == {"zoë clarke"}


def test_distinct_people_keep_distinct_keys() -> None:
    assert author_key("Ana Ruiz") != author_key("Ana Ruíz")
    assert author_key("Paul K.") != author_key("Paul K")


def test_aliases_take_the_first_names_key() -> None:
    amap = alias_map([["First M. Last", "First Last"], ["F. Last", "first  last"]])
    assert canonical_key("FIRST LAST", amap) == "first m. last"
    assert canonical_key("F. Last", amap) == "first m. last"
    assert canonical_key("Someone Else", amap) == "someone else"


@given(st.lists(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=3), max_size=4))
def test_alias_groups_map_onto_themselves(groups: list[list[str]]) -> None:
    amap = alias_map(groups)
    # Every target is itself a fixed point: merging twice changes nothing.
    assert all(amap.get(v, v) == v for v in amap.values())
