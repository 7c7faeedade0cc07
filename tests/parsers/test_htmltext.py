"""Visible text, inner HTML and times: the normalization both WordPress paths share."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from crawler.parsers.htmltext import (
    fragment_text,
    inner_html,
    parse_fragment,
    parse_time,
    visible_text,
)


def text(markup: str) -> str:
    return visible_text(parse_fragment(markup))


def test_paragraphs_blank_line_br_newline_source_newlines_are_spaces() -> None:
    markup = "<p>one\n  two</p>\n\n<p>three<br />\nfour</p><blockquote><p>q</p></blockquote>tail"
    assert text(markup) == "one two\n\nthree\nfour\n\nq\n\ntail"


def test_inline_elements_do_not_break_and_hidden_text_is_dropped() -> None:
    markup = "<p>a <em>b</em><strong>c</strong> <a href='x'>d</a><script>no()</script> e</p>"
    assert text(markup) == "a bc d e"
    assert text("<p>x<style>p{}</style>y<!-- note -->z</p>") == "xyz"


def test_lists_and_nbsp() -> None:
    assert text("<ul><li>a</li><li>b\u00a0 c</li></ul>") == "a\n\nb c"


def test_markup_looking_text_survives_as_text_and_escaped_html() -> None:
    body = parse_fragment("<p>&lt;b&gt;not bold&lt;/b&gt; &amp; more</p>")
    assert visible_text(body) == "<b>not bold</b> & more"
    assert inner_html(body) == "<p>&lt;b&gt;not bold&lt;/b&gt; &amp; more</p>"


def test_fragment_text_for_titles_and_names() -> None:
    assert fragment_text("Deportation &#8220;flights&#8221;") == "Deportation “flights”"
    assert fragment_text("Law &amp; Order") == "Law & Order"
    assert fragment_text("  plain   name ") == "plain name"


def test_times_are_aware_utc() -> None:
    assert parse_time("2025-01-02T05:00:00-05:00") == datetime(2025, 1, 2, 10, tzinfo=UTC)
    assert parse_time("2025-01-02T10:00:00") == datetime(2025, 1, 2, 10, tzinfo=UTC)
    assert parse_time("January 2") is None and parse_time(None) is None


_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Co", "Cn"), blacklist_characters="\x00"
    ),
    max_size=200,
)


@given(_TEXT)
def test_any_paragraph_text_comes_back_collapsed(value: str) -> None:
    assert text(f"<p>{html.escape(value)}</p>") == " ".join(value.split())


@given(st.lists(_TEXT, min_size=1, max_size=5))
def test_paragraphs_come_back_separated_by_blank_lines(values: list[str]) -> None:
    markup = "".join(f"<p>{html.escape(v)}</p>" for v in values)
    expected = "\n\n".join(c for c in (" ".join(v.split()) for v in values) if c)
    assert text(markup) == expected


def test_plain_paragraph_shortcut_agrees_with_the_general_walk() -> None:
    # Plain <p>s take a shortcut; a comment node or an inline element forces the walk.
    plain = "\n<p> a \n b </p>\n<p></p><p>c</p>\n"
    assert text(plain) == "a b\n\nc"
    assert text(plain.replace("<p>c</p>", "<p>c<!-- x --></p>")) == "a b\n\nc"
    assert text(plain.replace("<p>c</p>", "<p><b>c</b></p>")) == "a b\n\nc"
    assert text("x<p>y</p>") == "x\n\ny"
