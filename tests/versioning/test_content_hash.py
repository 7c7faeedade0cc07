"""What counts as content: rendering noise makes no new hash, a changed claim does."""

from __future__ import annotations

import pytest

from storage.hashing import MissingLinks, comment_hash, post_hash
from tests.factories import make_comment, make_post, replace

LINK = '<p>See <a href="https://court.example/ruling" rel="nofollow">the ruling</a>.</p>'
RESAVED = LINK.replace('rel="nofollow"', 'rel="nofollow ugc external" target="_blank"')


def test_rel_and_target_rewritten_on_resave_is_not_a_change() -> None:
    # Built anew, not replace()d: the factories derive links from body_html, as the crawler does.
    before = make_comment("1", body_html=LINK, body_text="See the ruling.")
    resaved = make_comment("1", body_html=RESAVED, body_text="See the ruling.")
    assert comment_hash(resaved) == comment_hash(before)
    assert post_hash(make_post(body_html=RESAVED)) == post_hash(make_post(body_html=LINK))


def test_text_author_parent_link_and_quote_changes_are() -> None:
    base = make_comment("1", body_html=LINK, body_text="See the ruling.")
    h = comment_hash(base)
    assert comment_hash(replace(base, body_text="See the new ruling.")) != h
    assert comment_hash(replace(base, author_raw="Someone Else")) != h
    assert comment_hash(replace(base, parent_external_id="7")) != h
    appeal = LINK.replace('ruling"', 'appeal"')
    assert comment_hash(make_comment("1", body_html=appeal, body_text="See the ruling.")) != h
    assert comment_hash(replace(base, position=9, page=3)) == h  # moved page: not content


def test_a_body_with_a_link_but_no_links_derived_is_refused() -> None:
    """Hashing it as linkless would make a new version of every linked comment."""
    with pytest.raises(MissingLinks, match=r"comment '1'.*<a"):
        comment_hash(replace(make_comment("1", body_html=LINK), links=None))
    with pytest.raises(MissingLinks, match=r"post '100'"):
        post_hash(replace(make_post(body_html="<P><A HREF=/x>x</A></P>"), links=None))


def test_a_body_without_a_link_needs_no_links_derived() -> None:
    plain = make_comment("1", body_html="<p>No link here.</p>")
    assert plain.links == ()
    assert comment_hash(replace(plain, links=None)) == comment_hash(plain)
    post = make_post(body_html="")
    assert post_hash(replace(post, links=None)) == post_hash(post)
