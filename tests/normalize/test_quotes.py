"""Quote attribution: the post first, then earlier comments (the reply target preferred), else outside."""

from __future__ import annotations

from crawler.normalize.thread import normalize_thread
from tests.factories import make_parsed_comment, make_parsed_thread

BODY = (
    "On Saturday the administration put 238 men on planes to El Salvador, where they vanished "
    "into CECOT, while Judge Boasberg was ordering the planes turned around.\n\n"
    "The government now says an oral order is not an order."
)


def _quotes(*comments):  # type: ignore[no-untyped-def]
    out = normalize_thread(make_parsed_thread(list(comments), BODY)).comments
    return [[(q.source_kind, q.source_external_id, q.source_url) for q in c.quotes] for c in out]


def test_quote_of_the_post_with_typography_and_elision() -> None:
    got = _quotes(
        make_parsed_comment(
            1,
            "Ana",
            "<blockquote><p>put 238 men on planes to El Salvador […] while Judge Boasberg was "
            "ordering the planes “turned around”</p></blockquote><p>Shameful.</p>",
        )
    )
    assert got == [[("post", "500", None)]]


def test_quote_of_an_earlier_comment_prefers_the_reply_target() -> None:
    said = "<p>Habeas corpus is the only remedy these men have left.</p>"
    got = _quotes(
        make_parsed_comment(1, "Ana", said),
        make_parsed_comment(2, "Ben", said),
        make_parsed_comment(
            3,
            "Cy",
            "<p>@Ana: agreed.</p><blockquote><p>habeas corpus is the only remedy these men have"
            "</p></blockquote>",
        ),
        make_parsed_comment(4, "Di", "<blockquote><p>Habeas corpus is the only remedy these men have left"
                "</p></blockquote>"),
    )
    assert got[2] == [("comment", "1", None)]
    assert got[3] == [("comment", "1", None)]  # no reply: the earliest writer


def test_external_quotes_carry_the_cited_url() -> None:
    got = _quotes(
        make_parsed_comment(
            1,
            "Ana",
            '<blockquote cite="https://news.example/a"><p>The flights departed at 5:25 pm from '
            'Harlingen, Texas</p></blockquote><p>From <a href="https://law.example/b">Lawfare</a>:'
            "</p><blockquote><p>No court has ever accepted such a reading of the Act</p></blockquote>"
            "<blockquote><p>Something nobody here wrote about anything</p></blockquote>",
        )
    )
    assert got == [
        [
            ("external", None, "https://news.example/a"),
            ("external", None, "https://law.example/b"),
            ("external", None, None),
        ]
    ]


def test_own_text_drops_quotes_and_prefix() -> None:
    out = normalize_thread(
        make_parsed_thread(
            [
                make_parsed_comment(1, "Ana", "<p>x</p>"),
                make_parsed_comment(2, "Ben", "<p>@Ana: no.</p><blockquote><p>q q q</p></blockquote><p>Then.</p>"),
            ]
        )
    ).comments
    assert out[1].body_text == "@Ana: no.\n\nq q q\n\nThen."
    assert out[1].own_text == "no.\n\nThen."
    assert out[1].quotes[0].quoted_text == "q q q"


def test_a_short_credit_line_after_the_quote_gives_its_url() -> None:
    got = _quotes(
        make_parsed_comment(
            1,
            "Ana",
            "<blockquote><p>Oopsie… Too late</p></blockquote>"
            '<p>Source: <a href="https://x.example/status/1">x.example</a></p>',
        )
    )
    assert got == [[("external", None, "https://x.example/status/1")]]
