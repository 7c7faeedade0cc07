"""What counts as content: rendering noise makes no new hash, a changed claim does."""

from __future__ import annotations

import pytest

from storage.hashing import MissingLinks, comment_hash, post_hash
from storage.records import QuoteRecord, ReplyRecord
from tests.factories import make_comment, make_post, replace

LINK = '<p>See <a href="https://court.example/ruling" rel="nofollow">the ruling</a>.</p>'
RESAVED = LINK.replace('rel="nofollow"', 'rel="nofollow ugc external" target="_blank"')


def test_rel_and_target_rewritten_on_resave_is_not_a_change() -> None:
    # Built anew, not replace()d: the factories derive links from body_html, as the crawler does.
    before = make_comment("1", body_html=LINK, body_text="See the ruling.")
    resaved = make_comment("1", body_html=RESAVED, body_text="See the ruling.")
    assert comment_hash(resaved) == comment_hash(before)
    assert post_hash(make_post(body_html=RESAVED)) == post_hash(make_post(body_html=LINK))


def test_text_author_parent_and_link_changes_are() -> None:
    base = make_comment("1", body_html=LINK, body_text="See the ruling.")
    h = comment_hash(base)
    assert comment_hash(replace(base, body_text="See the new ruling.")) != h
    assert comment_hash(replace(base, author_raw="Someone Else")) != h
    assert comment_hash(replace(base, threaded_parent_external_id="7")) != h
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


def test_what_other_comments_decide_is_not_a_change() -> None:
    """A quote attributed anew, an @-name that now resolves, the parent it gives and the
    own text that depends on the names the thread knows: none is an edit of this comment."""
    base = make_comment("1", body_html=LINK, body_text="See the ruling.")
    h = comment_hash(base)
    rederived = replace(
        base,
        parent_external_id="7",
        own_text="the ruling.",
        replies=(ReplyRecord(ordinal=0, kind="at_reply", raw_name="See", target_kind="comment",
                             target_external_id="7", resolved_by="name"),),
        quotes=(QuoteRecord(ordinal=0, quoted_text="x y", source_kind="comment",
                            source_external_id="3"),),
    )  # fmt: skip
    assert comment_hash(rederived) == h
