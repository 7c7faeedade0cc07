"""Quote attribution by containment: the reply target, then the nearest earlier comment, then the post, else outside."""

from __future__ import annotations

from datetime import timedelta

from crawler.normalize.thread import normalize_thread
from storage.known import ArchivedText
from tests.factories import BASE_TIME, make_parsed_comment, make_parsed_thread

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
    assert got[3] == [("comment", "2", None)]  # no reply: the nearest earlier writer


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


def test_nested_quotes_each_go_to_their_own_writer() -> None:
    # Cy quotes Ben, who had quoted Ana: the outer quote is Ben's words, the inner Ana's.
    got = _quotes(
        make_parsed_comment(1, "Ana", "<p>The men on the second plane never saw a judge.</p>"),
        make_parsed_comment(
            2, "Ben",
            "<blockquote><p>The men on the second plane never saw a judge.</p></blockquote>"
            "<p>And nobody in the agency will say who signed the manifest.</p>",
        ),
        make_parsed_comment(
            3, "Cy",
            "<blockquote><blockquote><p>the men on the second plane never saw a judge</p>"
            "</blockquote><p>nobody in the agency will say who signed the manifest</p></blockquote>"
            "<p>Both true.</p>",
        ),
    )
    assert got[2] == [("comment", "2", None), ("comment", "1", None)]


def test_a_passage_goes_to_a_comment_that_holds_all_of_it_not_part() -> None:
    got = _quotes(
        make_parsed_comment(1, "Ana", "<p>The flight manifests were sealed by the court on Monday.</p>"),
        make_parsed_comment(
            2, "Ben",
            "<p>The flight manifests were sealed by the court on Monday, and the names of the "
            "men are still secret.</p>",
        ),
        make_parsed_comment(
            3, "Cy",
            "<p>@Ana: right, and more.</p><blockquote><p>the flight manifests were sealed by "
            "the court on Monday, and the names of the men are still secret</p></blockquote>",
        ),
    )
    assert got[2] == [("comment", "2", None)]  # Ana, the reply target, holds only part


def test_a_long_comment_does_not_absorb_a_quote_it_does_not_hold() -> None:
    long = " ".join(
        f"<p>Paragraph {n}: the government said the flights were lawful and the court said "
        f"they were not, and the men stayed in the prison for month {n}.</p>"
        for n in range(40)
    )
    got = _quotes(
        make_parsed_comment(1, "Ana", long),
        make_parsed_comment(
            2, "Ben",
            "<blockquote><p>the court said the flights were lawful and the government said they "
            "were not</p></blockquote><p>Backwards.</p>",
        ),
    )
    assert got[1] == [("external", None, None)]


def test_a_short_outside_quote_is_not_a_comment_ending_with_similar_words() -> None:
    got = _quotes(
        make_parsed_comment(1, "Ana", "<p>All of this is a matter of the rule of law.</p>"),
        make_parsed_comment(2, "Ben", "<blockquote><p>the rule of laws</p></blockquote><p>Said Kennedy.</p>"),
        make_parsed_comment(3, "Cy", "<blockquote><p>a matter of the rule</p></blockquote><p>Yes.</p>"),
    )
    assert got[1] == [("external", None, None)]
    assert got[2] == [("comment", "1", None)]


def test_a_quote_cut_mid_word_is_still_held() -> None:
    got = _quotes(
        make_parsed_comment(1, "Ana", "<p>Nobody has explained who decided which men went on which plane.</p>"),
        make_parsed_comment(2, "Ben", "<blockquote><p>ody has explained who decided which men went on which pl</p></blockquote>"),
    )
    assert got[1] == [("comment", "1", None)]


def test_a_comment_repeating_the_post_wins_over_the_post() -> None:
    # The post comes last: a commenter who answers the one who repeated its words quotes them.
    got = _quotes(
        make_parsed_comment(1, "Ana", "<p>The government now says an oral order is not an order.</p>"),
        make_parsed_comment(2, "Ben", "<blockquote><p>an oral order is not an order</p></blockquote>"),
        make_parsed_comment(3, "Cy", "<blockquote><p>put 238 men on planes to El Salvador</p></blockquote>"),
    )
    assert got[1] == [("comment", "1", None)]
    assert got[2] == [("post", "500", None)]


def test_a_quote_keeps_its_source_when_the_passage_is_edited_away_or_deleted() -> None:
    def archived(cid: str, text: str) -> ArchivedText:
        return ArchivedText(external_id=cid, published_at=None, body_html=f"<p>{text}</p>",
                            body_text=text)  # fmt: skip

    comments = [
        make_parsed_comment(1, "Ana", "<p>I take it back.</p>"),  # was: the passage
        make_parsed_comment(3, "Cy", "<blockquote><p>the second plane landed in Comalapa at dawn"
                                     "</p></blockquote><blockquote><p>every one of them had a "
                                     "lawyer waiting</p></blockquote>"),
    ]  # fmt: skip
    history = [
        archived("1", "The second plane landed in Comalapa at dawn."),
        archived("1", "I take it back."),
        archived("2", "Not every one of them had a lawyer waiting, far from it."),  # deleted since
    ]
    thread = make_parsed_thread(comments, BODY)
    got = normalize_thread(thread, archived=history).comments[1].quotes
    assert [(q.source_kind, q.source_external_id) for q in got] == [("comment", "1"), ("comment", "2")]
    forgetful = normalize_thread(thread).comments[1].quotes
    assert [q.source_kind for q in forgetful] == ["external", "external"]
    # A deleted comment written after the quoting one is no source of it.
    late = [ArchivedText(external_id="9", published_at=BASE_TIME + timedelta(days=9),
                         body_html="<p>every one of them had a lawyer waiting</p>",
                         body_text="every one of them had a lawyer waiting")]  # fmt: skip
    assert normalize_thread(thread, archived=late).comments[1].quotes[1].source_kind == "external"
