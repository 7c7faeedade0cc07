"""The takedown rules on records: names found as --pseudonymize finds them, placeholders
that keep the structure, quotes removed, and the same result for a fresh record and a
stored one (what makes a recrawl write nothing)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storage.hashing import comment_hash
from storage.redaction.rules import MARKER, NameFinder, Rule, name_hash, redact_thread
from tests.factories import make_comment, make_quote, make_reply, make_thread

NAMES = NameFinder({name_hash("Ana Beltrán"), name_hash("Al"), name_hash("jdoe-77")})


def test_names_bare_after_at_and_in_other_spellings() -> None:
    assert NAMES.scrub("@Ana Beltrán: yes. ana  BELTRÁN said so; Ａｎａ Beltrán too.") == \
        "@[redacted]: yes. [redacted] said so; [redacted] too."
    # whole words only; a name of fewer than three characters only after '@'
    assert NAMES.scrub("Also, Al and Anastasia Beltránez.") == "Also, Al and Anastasia Beltránez."
    assert NAMES.scrub("@Al wrote it") == "@[redacted] wrote it"
    # slugs as written in URLs, with hyphens or underscores for spaces
    assert NAMES.scrub("https://example.org/ana-beltrán/ and jdoe-77") == \
        "https://example.org/[redacted]/ and [redacted]"


@given(st.text(alphabet=st.sampled_from(list("ana beltrán ANA BELTRÁN@.:-\n")), max_size=60))
def test_a_scrubbed_text_holds_no_name(text: str) -> None:
    scrubbed = NAMES.scrub(text)
    assert NAMES.spans(scrubbed) == []
    assert NAMES.scrub(scrubbed) == scrubbed


@given(st.text(max_size=80))
def test_a_text_without_the_names_is_unchanged(text: str) -> None:
    if not NAMES.spans(text):
        assert NAMES.scrub(text) == text


def _thread() -> object:
    return make_thread([
        make_comment("1", "Capacity isn't occupancy.", author="Ana Beltrán",
                     body_html="<p>Capacity isn't occupancy.</p>"),
        make_comment("2", "@Ana Beltrán: the number was published once.", author="Zoë",
                     parent="1", own_text="the number was published once.",
                     replies=(make_reply("1", kind="at_reply", ordinal=1,
                                         raw_name="Ana Beltrán", resolved_by="name"),)),
        make_comment("3", "Capacity isn't occupancy. Groups were refused.", author="Hannah K.",
                     body_html="<blockquote><p>Capacity isn&#8217;t occupancy.</p></blockquote>"
                               "<p>Groups were refused.</p>",
                     own_text="Groups were refused.",
                     quotes=(make_quote("Capacity isn't occupancy.", source_kind="comment",
                                        source_external_id="1"),)),
    ])


def test_an_author_rule_on_a_thread() -> None:
    rule = Rule(source_key="test-blog", kind="author", author_hash=name_hash("ana beltrán"),
                name_hashes=frozenset({name_hash("Ana Beltrán")}))
    thread = _thread()
    one, two, three = redact_thread(thread, [rule]).comments  # type: ignore[attr-defined]
    original = thread.comments  # type: ignore[attr-defined]
    # the placeholder keeps place, time, parents and edges
    assert (one.author_raw, one.author_key, one.body_text, one.own_text, one.body_html) == \
        (MARKER, MARKER, MARKER, MARKER, "")
    assert (one.position, one.published_at, one.parent_external_id) == \
        (original[0].position, original[0].published_at, original[0].parent_external_id)
    assert two.body_text == "@[redacted]: the number was published once."
    assert [r.raw_name for r in two.replies] == [MARKER]
    assert [r.target_external_id for r in two.replies] == ["1"]
    # the quote and its copy: the HTML spelled the apostrophe as an entity, so it is
    # given up for the scrubbed text
    assert three.quotes[0].quoted_text == MARKER
    assert three.body_text == "[redacted] Groups were refused."
    assert three.body_html == "<p>[redacted] Groups were refused.</p>"
    assert three.author_raw == "Hannah K."
    # a second pass changes nothing: the redacted thread is a fixed point
    again = redact_thread(redact_thread(thread, [rule]), [rule]).comments  # type: ignore[attr-defined]
    assert [comment_hash(c) for c in again] == [comment_hash(c) for c in (one, two, three)]


def test_a_rule_of_another_source_changes_nothing() -> None:
    rule = Rule(source_key="other-blog", kind="comment", post_external_id="100",
                comment_external_id="1")
    thread = _thread()
    assert redact_thread(thread, [rule]) == thread  # type: ignore[arg-type]
