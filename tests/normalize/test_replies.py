"""@-replies and mentions: what counts as one, where a name ends, and what it resolves to."""

from __future__ import annotations

from crawler.normalize.thread import normalize_thread
from storage.records import ReplyRecord
from tests.factories import make_parsed_comment, make_parsed_thread


def _edges(c: object) -> list[tuple[str, str | None, str | None, str | None]]:
    replies: tuple[ReplyRecord, ...] = c.replies  # type: ignore[attr-defined]
    return [(r.kind, r.target_kind, r.target_external_id, r.resolved_by) for r in replies]


def _run(*comments, body="", aliases=()):  # type: ignore[no-untyped-def]
    return normalize_thread(make_parsed_thread(list(comments), body), aliases=aliases).comments


def test_plain_and_linked_leading_replies_and_a_mention() -> None:
    out = _run(
        make_parsed_comment(1, "Ana Ruiz", "<p>First.</p>"),
        make_parsed_comment(2, "John Smith", "<p>Second.</p>"),
        make_parsed_comment(3, "Ana Ruiz", "<p>Again.</p>"),
        make_parsed_comment(
            4,
            "Dana",
            '<p><a href="https://blog.example/p/#comment-2">@John Smith</a>: @ana ruiz, yes.'
            " As @Marcy Wheeler wrote.</p>",
        ),
    )
    assert _edges(out[3]) == [
        ("at_reply", "comment", "2", "link"),
        ("at_reply", "comment", "3", "name"),  # the latest earlier Ana
        ("mention", "post", "500", "name"),
    ]
    assert out[3].parent_external_id == "2"
    assert out[3].own_text == "yes. As @Marcy Wheeler wrote."


def test_name_with_spaces_delimited_by_colon_or_known_name() -> None:
    out = _run(
        make_parsed_comment(1, "John Smith", "<p>x</p>"),
        make_parsed_comment(2, "Dana", "<p>@John Smith I disagree.</p>"),
        make_parsed_comment(3, "Eve", "<p>@Mary Ann Lee: you are not here.</p>"),
    )
    assert _edges(out[1]) == [("at_reply", "comment", "1", "name")]
    assert out[1].own_text == "I disagree."
    assert [(r.kind, r.raw_name, r.target_kind) for r in out[2].replies] == [
        ("at_reply", "Mary Ann Lee", None)
    ]


def test_link_to_a_comment_outside_the_thread_still_resolves_by_link() -> None:
    out = _run(make_parsed_comment(5, "Dana", '<p><a href="#comment-77">@Old Timer</a>: welcome back</p>'))
    assert _edges(out[0]) == [("at_reply", "comment", "77", "link")]
    assert out[0].parent_external_id == "77"


def test_prefix_resolves_only_when_unambiguous() -> None:
    out = _run(
        make_parsed_comment(1, "Sofía Pérez", "<p>x</p>"),
        make_parsed_comment(2, "Dana", "<p>@Sofía: right.</p>"),
        make_parsed_comment(3, "Sofía Ramos", "<p>y</p>"),
        make_parsed_comment(4, "Dana", "<p>@Sofía: which one?</p>"),
    )
    assert _edges(out[1]) == [("at_reply", "comment", "1", "name")]
    assert [(r.kind, r.target_kind, r.raw_name) for r in out[3].replies] == [
        ("at_reply", None, "Sofía")
    ]


def test_names_without_at_and_emails_are_not_edges() -> None:
    out = _run(
        make_parsed_comment(1, "Ana Ruiz", "<p>x</p>"),
        make_parsed_comment(2, "Dana", "<p>Ana, I agree. Write to ana@example.org or x.com/@ana.</p>"),
    )
    assert out[1].replies == ()
    assert out[1].own_text == out[1].body_text


def test_aliases_merge_names_for_resolution() -> None:
    out = _run(
        make_parsed_comment(1, "First M. Last", "<p>x</p>"),
        make_parsed_comment(2, "Dana", "<p>@First Last: hi</p>"),
        aliases=[["First M. Last", "First Last"]],
    )
    assert out[0].author_key == "first m. last"
    assert _edges(out[1]) == [("at_reply", "comment", "1", "name")]


def test_threaded_edge_comes_first_and_sets_parent() -> None:
    out = _run(
        make_parsed_comment(1, "Ana Ruiz", "<p>x</p>"),
        make_parsed_comment(2, "John Smith", "<p>y</p>"),
        make_parsed_comment(3, "Dana", "<p>@John Smith: z</p>", parent="1"),
    )
    assert _edges(out[2]) == [
        ("threaded", "comment", "1", "markup"),
        ("at_reply", "comment", "2", "name"),
    ]
    assert [r.ordinal for r in out[2].replies] == [0, 1]
    assert out[2].parent_external_id == "1"


def test_earlier_means_written_earlier_not_shown_earlier() -> None:
    # Comment 9 is displayed under 1 (threaded) but written after 2.
    late = make_parsed_comment(9, "Ana Ruiz", "<p>late</p>", parent="1")
    out = _run(
        make_parsed_comment(1, "Ana Ruiz", "<p>x</p>"),
        late,
        make_parsed_comment(2, "Dana", "<p>@Ana Ruiz: hm</p>"),
    )
    assert _edges(out[2]) == [("at_reply", "comment", "1", "name")]


def test_forgiven_forms_of_a_known_name() -> None:
    out = _run(
        make_parsed_comment(1, "Ana Ruiz", "<p>x</p>"),
        make_parsed_comment(2, "Hank Hill", "<p>@ Ana Ruiz: where?</p>"),
        make_parsed_comment(3, "Dana", "<p>@AnaRuiz thanks</p>"),
        make_parsed_comment(4, "Eve", "<p>@ nobody: here</p>"),
    )
    assert _edges(out[1]) == [("at_reply", "comment", "1", "name")]
    assert out[1].own_text == "where?"
    assert _edges(out[2]) == [("at_reply", "comment", "1", "name")]
    assert out[3].replies == ()


def test_a_leading_link_without_at_is_not_an_edge() -> None:
    out = _run(
        make_parsed_comment(1, "Ana Ruiz", "<p>x</p>"),
        make_parsed_comment(2, "Dana", '<p><a href="#comment-1">Ana Ruiz</a>, I agree</p>'),
    )
    assert out[1].replies == ()
    assert out[1].own_text == out[1].body_text


def test_under_nesting_the_start_of_the_parents_name_is_enough() -> None:
    out = _run(
        make_parsed_comment(1, "earlofhuntingdon", "<p>x</p>"),
        make_parsed_comment(2, "Mike", "<p>@earl thanks</p>", parent="1"),
        make_parsed_comment(3, "Mike", "<p>@earl thanks</p>"),
    )
    assert _edges(out[1]) == [
        ("threaded", "comment", "1", "markup"),
        ("at_reply", "comment", "1", "name"),
    ]
    assert [(r.kind, r.target_kind) for r in out[2].replies] == [("at_reply", None)]


def test_names_with_typography_strip_and_resolve_as_the_authors_name() -> None:
    # The site curls the apostrophe in the text, not in the author field; a pasted name
    # keeps its "&amp;"; a dash is an en dash in one and a hyphen in the other.
    out = _run(
        make_parsed_comment(1, "Pat O'Brien", "<p>First.</p>"),
        make_parsed_comment(2, "Tom & Jerry", "<p>Second.</p>"),
        make_parsed_comment(3, "Jean-Luc Roy", "<p>Third.</p>"),
        make_parsed_comment(4, "Dana", "<p>@Pat O\u2019Brien: curly.</p>"),
        make_parsed_comment(5, "Eve", "<p>@Pat O'Brien: straight.</p>"),
        make_parsed_comment(6, "Flo", "<p>@Tom &amp;amp; Jerry you two.</p>"),
        make_parsed_comment(7, "Gus", "<p>@Tom &amp; Jerry: and again.</p>"),
        make_parsed_comment(8, "Hal", "<p>@Jean\u2013Luc Roy, dashes.</p>"),
        make_parsed_comment(9, "Ivy", "<p>I side with @Pat O\u2019Brien here.</p>"),
    )
    expected = {
        "4": ("1", "curly."), "5": ("1", "straight."), "6": ("2", "you two."),
        "7": ("2", "and again."), "8": ("3", "dashes."),
    }
    for c in out[3:8]:
        target, own = expected[c.external_id]
        assert _edges(c) == [("at_reply", "comment", target, "name")], c.external_id
        assert c.own_text == own, c.external_id
    assert _edges(out[8]) == [("mention", "comment", "1", "name")]
    assert out[8].own_text == "I side with @Pat O\u2019Brien here."
    # The archive's author keys are not folded: the stored spelling is the site's.
    assert out[0].author_key == "pat o'brien" and out[1].author_key == "tom & jerry"
