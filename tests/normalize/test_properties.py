"""Properties of normalize_thread over generated threads."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.thread import normalize_thread
from tests.factories import make_parsed_comment, make_parsed_thread

NAMES = ["Ana Ruiz", "ana  ruiz", "JohnD", "Zoë Clarke", "Paul K.", "Sofía", "R. Alvarez"]
_plain = st.text(
    alphabet=st.characters(blacklist_characters="@\uff20<>&", blacklist_categories=["Cs", "Cc"]),
    max_size=60,
)
_with_at = st.lists(
    st.one_of(_plain, st.sampled_from(["@", "@Ana", "@Ana Ruiz:", "@JohnD,", "@Paul K. ", " @zoë "])),
    max_size=6,
).map("".join)


def _para(text: str) -> str:
    return f"<p>{html.escape(text)}</p>" if text.strip() else ""


@st.composite
def threads(draw, text=_with_at, quotes=True):  # type: ignore[no-untyped-def]
    n = draw(st.integers(0, 8))
    comments = []
    for i in range(1, n + 1):
        body = _para(draw(text))
        if quotes and draw(st.booleans()):
            body += f"<blockquote>{_para(draw(text)) or '<p>q</p>'}</blockquote>" + _para(draw(text))
        parent = str(draw(st.integers(1, i - 1))) if i > 1 and draw(st.booleans()) else None
        comments.append(make_parsed_comment(i, draw(st.sampled_from(NAMES)), body or "<p>.</p>", parent=parent))
    return make_parsed_thread(comments, draw(_plain))


@settings(max_examples=150, deadline=None)
@given(threads())
def test_normalize_thread_is_idempotent(t) -> None:  # type: ignore[no-untyped-def]
    once = normalize_thread(t, aliases=[["Paul K.", "JohnD"]])
    assert normalize_thread(once, aliases=[["Paul K.", "JohnD"]]) == once


@settings(max_examples=150, deadline=None)
@given(threads(text=_plain, quotes=False))
def test_no_at_and_no_blockquote_means_no_edges_beyond_threaded(t) -> None:  # type: ignore[no-untyped-def]
    for c in normalize_thread(t).comments:
        assert all(r.kind == "threaded" for r in c.replies)
        assert c.quotes == ()
        assert c.own_text == c.body_text
        assert c.parent_external_id == c.threaded_parent_external_id


@settings(max_examples=150, deadline=None)
@given(threads())
def test_edges_are_well_formed(t) -> None:  # type: ignore[no-untyped-def]
    for c in normalize_thread(t).comments:
        assert [r.ordinal for r in c.replies] == list(range(len(c.replies)))
        kinds = [r.kind for r in c.replies]
        assert kinds == sorted(kinds, key=["threaded", "at_reply", "mention"].index)
        assert [q.ordinal for q in c.quotes] == list(range(len(c.quotes)))


_markup = st.lists(
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(
            ["<p>", "</p>", "<blockquote>", "</blockquote>", "<br>", "</div>", "<a href='#comment-3'>",
             "<a href='https://x.example/a'>", "</a>", "@", "@Ana Ruiz", "[…]", "<!-- c -->", "&amp;",
             "<", ">", "\u0301", "\u200b", "＠"]
        ),
    ),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_markup, min_size=1, max_size=6), _markup)
def test_any_markup_normalizes_without_error(bodies: list[str], post_body: str) -> None:
    from dataclasses import replace

    cs = [
        replace(make_parsed_comment(i + 1, NAMES[i % len(NAMES)], "<p>x</p>"), body_html=b, body_text=b)
        for i, b in enumerate(bodies)
    ]
    t = make_parsed_thread(cs, post_body)
    once = normalize_thread(t)
    assert normalize_thread(once) == once
