"""The content hash is byte-for-byte what it always was (Hypothesis).

Archives store these digests: a hash that changed for any input would make a spurious
new version of that comment or post on the next crawl. `storage.hashing` assembles its
JSON payload by hand for speed; the reference below is the original implementation
(json.dumps of the field list), kept verbatim, and every digest must agree with it. The
comment reference is palimpsest-comment-2's field list (migration 0007: derived edges
left the comment hash), json.dumps'd the same way.

Since storage stopped parsing HTML, a record's links come from the crawler
(crawler.normalize.links, filled by normalize_thread): the digest of a record whose links
that function filled must be the reference's, which still parses body_html itself.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import lxml.html
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from crawler.normalize.links import link_hrefs
from crawler.normalize.thread import normalize_thread
from storage.hashing import COMMENT_HASH_SCHEME, HASH_SCHEME, MissingLinks, comment_hash, post_hash
from storage.models import format_utc
from storage.records import CommentRecord, PostRecord, QuoteRecord, ReplyRecord, ThreadSnapshot

T = TypeVar("T")
R = TypeVar("R", CommentRecord, PostRecord)

# -- the reference: storage/hashing.py as of palimpsest-hash-1's introduction ----------


def ref_text(value: str | None) -> str | None:
    if value is None:
        return None
    return " ".join(value.split())


def ref_when(value: datetime | None) -> str | None:
    return None if value is None else format_utc(value)


def ref_link_hrefs(html: str) -> list[str]:
    if not html or "<a" not in html.lower():
        return []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    hrefs = {str(a.get("href")).strip() for a in root.iter("a") if a.get("href") is not None}
    return sorted(hrefs)


def ref_digest(fields: list[tuple[str, Any]], scheme: str = HASH_SCHEME) -> str:
    payload = json.dumps(
        [scheme, [[name, value] for name, value in fields]],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def ref_post_hash(post: PostRecord) -> str:
    return ref_digest(
        [
            ("title", ref_text(post.title)),
            ("author_raw", ref_text(post.author_raw)),
            ("published_at", ref_when(post.published_at)),
            ("tags", sorted(set(post.tags))),
            ("categories", sorted(set(post.categories))),
            ("body_text", ref_text(post.body_text)),
            ("links", ref_link_hrefs(post.body_html)),
        ]
    )


def ref_comment_hash(comment: CommentRecord) -> str:
    return ref_digest(
        [
            ("author_raw", ref_text(comment.author_raw)),
            ("author_url", comment.author_url),
            ("published_at", ref_when(comment.published_at)),
            ("threaded_parent_external_id", comment.threaded_parent_external_id),
            ("body_text", ref_text(comment.body_text)),
            ("links", ref_link_hrefs(comment.body_html)),
        ],
        COMMENT_HASH_SCHEME,
    )


# -- strategies: any text (lone surrogates, controls, JSON escapes), markup-ish HTML ---


class Tagged(str):
    """A str subclass (as an enum-like value would be)."""


every_char = st.characters(exclude_categories=())  # lone surrogates included
word = st.text(every_char, max_size=12) | st.sampled_from(
    [" ", "\t", "\n\r ", "\u00a0", "\u2028", '"', "\\", "/", "\x00", "\x1f", "é", "😀", "\ud800"]
)
text = st.lists(word, max_size=8).map("".join)
maybe_text = st.none() | text | text.map(Tagged)
html_piece = st.sampled_from(
    ['<a href="https://x.example/a">', "<A HREF=/b>", "<a href='c d'>", "<a>", "</a>",
     '<a href="">', '<a href=" e ">', "<p>", "</p>", "<!-- <a href=f> -->", "&amp;",
     "<blockquote>", "<html>", "<body>", "<![CDATA[", "<", "a", "\u0130", "<\u212a"]
) | text  # fmt: skip
html = st.lists(html_piece, max_size=10).map("".join)
zones = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=11)),
     ZoneInfo("America/New_York"), ZoneInfo("Europe/Madrid")]
)  # fmt: skip
when = st.none() | st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=zones
)
replies = st.lists(
    st.builds(
        ReplyRecord,
        ordinal=st.integers(0, 5),
        kind=st.sampled_from(["threaded", "at_reply", "mention"]),
        raw_name=maybe_text,
        target_kind=st.sampled_from([None, "comment", "post"]),
        target_external_id=maybe_text,
        resolved_by=st.sampled_from([None, "markup", "link", "name"]),
    ),
    max_size=3,
)
quotes = st.lists(
    st.builds(
        QuoteRecord,
        ordinal=st.integers(0, 5),
        quoted_text=text,
        source_kind=st.sampled_from(["post", "comment", "external", "unknown"]),
        source_external_id=maybe_text,
        source_url=maybe_text,
    ),
    max_size=3,
)


@st.composite
def comments(draw: st.DrawFn) -> CommentRecord:
    body = draw(text)
    return CommentRecord(
        external_id=draw(text),
        author_raw=draw(text),
        author_key=draw(text),
        author_url=draw(maybe_text),
        published_at=draw(when),
        threaded_parent_external_id=draw(maybe_text),
        parent_external_id=draw(maybe_text),
        body_html=draw(html),
        body_text=body,
        # Often the same text (the writer's shortcut), sometimes the same but for
        # whitespace, sometimes different.
        own_text=draw(st.sampled_from([body, " " + body + "\n", body[:3]]) | text),
        position=draw(st.integers(0, 9)),
        page=draw(st.none() | st.integers(1, 3)),
        replies=tuple(draw(replies)),
        quotes=tuple(draw(quotes)),
    )


posts = st.builds(
    PostRecord,
    external_id=text,
    url=text,
    title=text,
    author_raw=text,
    author_key=text,
    published_at=when,
    modified_at=when,
    tags=st.lists(text | text.map(Tagged), max_size=4).map(tuple),
    categories=st.lists(text, max_size=4).map(tuple),
    body_html=html,
    body_text=text,
)


def outcome(f: Callable[[T], object], value: T) -> object:
    """What `f(value)` returns, or the type of what it raises: lxml asserts on some
    markup with lone surrogates, and the new code must fail exactly where the old did."""
    try:
        return f(value)
    except Exception as exc:  # noqa: BLE001 - any failure is an outcome to compare
        return type(exc)


def with_links(record: R) -> R:
    """The record with its links filled as the crawler fills them."""
    return replace(record, links=link_hrefs(record.body_html))


def has_anchor(html: str) -> bool:
    return "<a" in html.lower()


@settings(max_examples=400, deadline=None)
@given(comments())
def test_comment_hash_is_the_reference_digest(comment: CommentRecord) -> None:
    derived = outcome(lambda c: comment_hash(with_links(c)), comment)
    assert derived == outcome(ref_comment_hash, comment)


@settings(max_examples=250, deadline=None)
@given(posts)
def test_post_hash_is_the_reference_digest(post: PostRecord) -> None:
    derived = outcome(lambda p: post_hash(with_links(p)), post)
    assert derived == outcome(ref_post_hash, post)


@settings(max_examples=300, deadline=None)
@given(html)
def test_link_hrefs_is_the_reference(fragment: str) -> None:
    got = outcome(link_hrefs, fragment)
    assert (list(got) if isinstance(got, tuple) else got) == outcome(ref_link_hrefs, fragment)


@settings(max_examples=200, deadline=None)
@given(comments(), posts)
def test_links_not_derived_hash_as_before_or_are_refused(
    comment: CommentRecord, post: PostRecord
) -> None:
    """A record without links (None): a body that cannot hold a link hashes as it always
    did; one that can is refused, never hashed as if it had none."""
    for record, digest, ref in ((comment, comment_hash, ref_comment_hash),
                                (post, post_hash, ref_post_hash)):  # fmt: skip
        assert record.links is None
        expected = MissingLinks if has_anchor(record.body_html) else outcome(ref, record)
        assert outcome(digest, record) == expected


def aware(value: datetime | None) -> datetime | None:
    """Records carry aware times (normalize_thread orders comments by them)."""
    return value if value is None or value.tzinfo is not None else value.replace(tzinfo=UTC)


@settings(max_examples=100, deadline=None)
@given(st.lists(comments(), max_size=6), posts)
def test_normalized_threads_hash_as_the_reference(
    drawn: list[CommentRecord], post: PostRecord
) -> None:
    """normalize_thread, the crawler's last step before the writer, fills every record's
    links: the digests of what it returns are the reference's (for the fields it set)."""
    unique = {
        c.external_id: replace(c, position=i, published_at=aware(c.published_at))
        for i, c in enumerate(drawn)
    }
    thread = ThreadSnapshot(source_key="s", post=post, comments=tuple(unique.values()),
                            complete=True, fetched_at=datetime(2025, 1, 1, tzinfo=UTC))  # fmt: skip
    # Markup on which the reference's lxml fails (lone surrogates) fails the crawler now,
    # as it failed the writer before (test_comment_hash_is_the_reference_digest).
    assume(all(
        not isinstance(outcome(ref_link_hrefs, r.body_html), type)
        for r in (post, *thread.comments)
    ))  # fmt: skip
    out = normalize_thread(thread)
    assert out.post.links is not None and post_hash(out.post) == ref_post_hash(out.post)
    assert len(out.comments) == len(thread.comments)
    for c in out.comments:
        assert c.links is not None and comment_hash(c) == ref_comment_hash(c)


def test_only_lt_and_a_lower_case_to_lt_and_a() -> None:
    """link_hrefs looks for "<a" and "<A" instead of lower-casing the HTML: that is the
    same test only if no other code point's lower case contains "<" or "a"."""
    found = [
        c
        for c in map(chr, range(sys.maxunicode + 1))
        if c not in "<aA" and ("<" in c.lower() or "a" in c.lower())
    ]
    assert found == []


def test_known_digests() -> None:
    """Two digests as archives store them: the post's since before the hash was
    hand-assembled, the comment's since palimpsest-comment-2 (its replies, quotes, own
    text and derived parent are left out: changing them changes nothing)."""
    comment = with_links(CommentRecord(
        external_id="25",
        author_raw="Zoë  Clarke",
        author_key="zoë clarke",
        author_url="https://z.example/",
        published_at=datetime(2025, 1, 1, 6, 35, tzinfo=UTC),
        parent_external_id="24",
        threaded_parent_external_id="24",
        body_html='<p>See <a href="https://court.example/r" rel="nofollow">this</a>.</p>',
        body_text="See\n this.",
        own_text="See this.",
        replies=(ReplyRecord(ordinal=0, kind="threaded", target_kind="comment",
                             target_external_id="24", resolved_by="markup"),),
        quotes=(QuoteRecord(ordinal=0, quoted_text=" a  claim ", source_kind="post"),),
    ))  # fmt: skip
    post = with_links(PostRecord(
        external_id="7", url="https://b.example/?p=7", title="A title", author_raw="Ada",
        author_key="ada", tags=("b", "a", "b"), categories=("News",),
        body_html="<p>x</p>", body_text="x",
    ))  # fmt: skip
    assert comment.links == ("https://court.example/r",)
    assert comment_hash(comment) == ref_comment_hash(comment) == KNOWN_COMMENT
    derived_anew = replace(comment, parent_external_id=None, own_text="other", replies=(),
                           quotes=())  # fmt: skip
    assert comment_hash(derived_anew) == KNOWN_COMMENT
    assert post_hash(post) == ref_post_hash(post) == KNOWN_POST


KNOWN_COMMENT = "43234ac11bf47986f9682dd475d31f2d05a252dc5ffef13a52a717b92e884632"
KNOWN_POST = "11e59b01af504a404ed01e10dd025a767da68f17f2c29c9545d6f89c7778360a"
