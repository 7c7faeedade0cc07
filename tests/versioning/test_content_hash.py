"""What counts as content: rendering noise makes no new hash, a changed claim does."""

from __future__ import annotations

from storage.hashing import comment_hash, post_hash
from tests.factories import make_comment, make_post, replace

LINK = '<p>See <a href="https://court.example/ruling" rel="nofollow">the ruling</a>.</p>'


def test_rel_and_target_rewritten_on_resave_is_not_a_change() -> None:
    before = make_comment("1", body_html=LINK, body_text="See the ruling.")
    resaved = replace(before, body_html=LINK.replace(
        'rel="nofollow"', 'rel="nofollow ugc external" target="_blank"'))
    assert comment_hash(resaved) == comment_hash(before)
    post = make_post(body_html=LINK)
    assert post_hash(replace(post, body_html=resaved.body_html)) == post_hash(post)


def test_text_author_parent_link_and_quote_changes_are() -> None:
    base = make_comment("1", body_html=LINK, body_text="See the ruling.")
    h = comment_hash(base)
    assert comment_hash(replace(base, body_text="See the new ruling.")) != h
    assert comment_hash(replace(base, author_raw="Someone Else")) != h
    assert comment_hash(replace(base, parent_external_id="7")) != h
    assert comment_hash(replace(base, body_html=LINK.replace("ruling\"", "appeal\""))) != h
    assert comment_hash(replace(base, position=9, page=3)) == h  # moved page: not content
