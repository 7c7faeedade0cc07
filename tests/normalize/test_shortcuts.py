"""The cheap forms on the normalizer's hot path agree with the plain ones they replace:
the record copy (`evolve`), ASCII quote tokens, str.split() for `\\s+`."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.normalize.fragment import _Builder
from crawler.normalize.records import evolve
from crawler.normalize.text import collapse, match_tokens, squeeze
from storage import records

RECORD_TYPES = [
    cls
    for cls in vars(records).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == records.__name__
]


@pytest.mark.parametrize("cls", RECORD_TYPES, ids=lambda c: c.__name__)
def test_records_are_plain_frozen_dataclasses(cls: type) -> None:
    """What evolve() relies on: replace() would run nothing but the field assignments."""
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert not hasattr(cls, "__post_init__")
    assert not hasattr(cls, "__slots__")
    assert all(f.init for f in dataclasses.fields(cls))


def test_evolve_equals_replace() -> None:
    c = records.CommentRecord(external_id="7", author_raw="Ana", author_key="ana", body_text="x")
    changes = {"position": 3, "own_text": "", "published_at": datetime(2025, 1, 1, tzinfo=UTC)}
    copy = evolve(c, **changes)
    assert copy == dataclasses.replace(c, **changes)
    assert type(copy) is records.CommentRecord
    assert c.position == 0  # the original is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.position = 4  # type: ignore[misc]


def test_evolve_rejects_unknown_fields() -> None:
    c = records.CommentRecord(external_id="7", author_raw="Ana", author_key="ana")
    with pytest.raises(TypeError, match="no field postion"):
        evolve(c, postion=3)


def _regex_tokens(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_tokens_equal_the_regex_tokens(text: str) -> None:
    assert match_tokens(text) == _regex_tokens(text)


@given(st.text())
def test_tokens_equal_the_regex_tokens(text: str) -> None:
    assert match_tokens(text) == _regex_tokens(text)


_SPACES = re.compile(r"\s+")
_spacey = st.text(alphabet=st.sampled_from(["a", "b", " ", "\n", "\t", "\u00a0", "\u2003", "\x1c", "\u200b"]))


@given(_spacey)
def test_collapse_and_squeeze_equal_the_regex_forms(text: str) -> None:
    assert collapse(text) == _SPACES.sub(" ", text).strip()
    assert squeeze(text) == _SPACES.sub("", text)


def _reference_add(b: _Builder, text: str) -> None:
    """_Builder.add as first written, with re.sub."""
    text = _SPACES.sub(" ", text)
    core = text.strip(" ")
    if text.startswith(" "):
        b.pending_space = True
    if not core:
        return
    b.mark()
    b.pieces.append(core)
    b.size += len(core)
    b.pending_space = text.endswith(" ")


@given(st.lists(_spacey, max_size=5))
def test_builder_add_equals_the_regex_form(texts: list[str]) -> None:
    fast, slow = _Builder(), _Builder()
    for text in texts:
        fast.add(text)
        if text:
            _reference_add(slow, text)
    assert (fast.pieces, fast.size, fast.pending_space) == (slow.pieces, slow.size, slow.pending_space)
