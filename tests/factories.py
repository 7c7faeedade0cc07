"""Test record builders: a ThreadSnapshot (post, comments, replies, quotes) in one line.

    thread = make_thread([make_comment("1"), make_comment("2", body="changed")])
    thread2 = make_thread(..., fetched_at=at(2), complete=False)

Every argument has a plausible default, so a test states only what it is about. Posts
and comments get their `links` from their body_html as the crawler derives them
(crawler.normalize.links), unless a test gives its own; `replace(c, body_html=...)` keeps
the old links, so a test of a changed body builds a new record instead.

The normalizer tests start one step earlier, from what a parser gives:

    thread = make_parsed_thread([make_parsed_comment(1, "Ana", "<p>@Ben yes</p>")], "Post body")
"""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import lxml.html

from crawler.normalize.authors import author_key
from crawler.normalize.links import link_hrefs
from storage.records import (
    CommentRecord,
    FetchRecord,
    PageState,
    PostRecord,
    QuoteRecord,
    ReplyRecord,
    ThreadCheck,
    ThreadSnapshot,
)

if TYPE_CHECKING:
    from storage.archive import Archive, RecordResult

__all__ = [
    "BASE_TIME",
    "SOURCE_KEY",
    "at",
    "make_check",
    "make_comment",
    "make_fetch",
    "make_parsed_comment",
    "make_parsed_thread",
    "make_post",
    "make_quote",
    "make_reply",
    "make_thread",
    "record",
    "replace",
]

SOURCE_KEY = "test-blog"
BASE_TIME = datetime(2024, 3, 1, 22, 0, tzinfo=UTC)


def at(day: int, hours: float = 0) -> datetime:
    """A crawl time: `day` nights after BASE_TIME (day 0 = BASE_TIME), UTC."""
    return BASE_TIME + timedelta(days=day, hours=hours)


def make_post(external_id: str = "100", **kw: Any) -> PostRecord:
    fields: dict[str, Any] = {
        "external_id": external_id,
        "url": f"https://blog.example/?p={external_id}",
        "title": f"Post {external_id}",
        "author_raw": "Ada Editor",
        "author_key": "ada editor",
        "published_at": BASE_TIME - timedelta(days=1),
        "tags": ("policy",),
        "categories": ("News",),
        "body_html": f"<p>Body of post {external_id}.</p>",
        "body_text": f"Body of post {external_id}.",
    }
    fields.update(kw)
    fields.setdefault("links", link_hrefs(fields["body_html"]))
    return PostRecord(**fields)


def make_reply(target: str, *, kind: str = "threaded", ordinal: int = 0, **kw: Any) -> ReplyRecord:
    fields: dict[str, Any] = {
        "ordinal": ordinal,
        "kind": kind,
        "target_kind": "comment",
        "target_external_id": target,
        "resolved_by": "markup" if kind == "threaded" else "name",
    }
    fields.update(kw)
    return ReplyRecord(**fields)


def make_quote(text: str, *, ordinal: int = 0, **kw: Any) -> QuoteRecord:
    fields: dict[str, Any] = {"ordinal": ordinal, "quoted_text": text, "source_kind": "post"}
    fields.update(kw)
    return QuoteRecord(**fields)


def make_comment(
    external_id: str = "1",
    body: str | None = None,
    *,
    author: str = "Commenter",
    parent: str | None = None,
    **kw: Any,
) -> CommentRecord:
    """A comment; `parent` sets both parent ids and a threaded reply edge."""
    text = body if body is not None else f"Comment {external_id} text."
    fields: dict[str, Any] = {
        "external_id": external_id,
        "author_raw": author,
        "author_key": " ".join(author.split()).casefold(),
        "published_at": BASE_TIME
        - timedelta(hours=int(external_id) if external_id.isdigit() else 0),
        "threaded_parent_external_id": parent,
        "parent_external_id": parent,
        "body_html": f"<p>{text}</p>",
        "body_text": text,
        "own_text": text,
        "replies": (make_reply(parent),) if parent else (),
    }
    fields.update(kw)
    fields.setdefault("links", link_hrefs(fields["body_html"]))
    return CommentRecord(**fields)


def make_thread(
    comments: list[CommentRecord] | tuple[CommentRecord, ...] = (),
    *,
    post: PostRecord | None = None,
    complete: bool = True,
    fetched_at: datetime | None = None,
    source_key: str = SOURCE_KEY,
    **kw: Any,
) -> ThreadSnapshot:
    """A thread snapshot; comments get positions 0..n-1 unless they set their own."""
    numbered = tuple(c if c.position else replace(c, position=i) for i, c in enumerate(comments))
    return ThreadSnapshot(
        source_key=source_key,
        post=post or make_post(),
        comments=numbered,
        complete=complete,
        fetched_at=fetched_at or BASE_TIME,
        **kw,
    )


def make_fetch(url: str = "https://blog.example/?p=100", **kw: Any) -> FetchRecord:
    fields: dict[str, Any] = {
        "url": url,
        "status": 200,
        "fetched_at": BASE_TIME,
        "size": 1234,
        "sha256": "0" * 64,
        "elapsed_ms": 12,
        "content_type": "text/html; charset=UTF-8",
    }
    fields.update(kw)
    return FetchRecord(**fields)


def make_parsed_comment(
    cid: int | str, author: str, body_html: str, *, parent: str | None = None,
    minute: int | None = None,
) -> CommentRecord:
    """A comment as the parser gives it, before normalizing: body_text from the paragraphs
    of `body_html`, the site's threaded parent only (no reply edges yet), published
    `minute` (default: its number) minutes after BASE_TIME."""
    # The parser's body_text: every visible paragraph, quotes included, in document order.
    text = "\n\n".join(_visible_paragraphs(body_html)) if body_html else ""
    n = int(cid) if str(cid).isdigit() else 0
    return make_comment(
        str(cid), text, author=author, author_key=author_key(author),
        published_at=BASE_TIME + timedelta(minutes=n if minute is None else minute),
        threaded_parent_external_id=parent, parent_external_id=None, replies=(),
        body_html=body_html, position=n,
    )


def _visible_paragraphs(body_html: str) -> list[str]:
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    paras = [" ".join(el.text_content().split()) for el in root.iter("p")]
    paras = [p for p in paras if p]
    if not paras:
        text = " ".join(root.text_content().split())
        paras = [text] if text else []
    return paras


def make_parsed_thread(
    comments: list[CommentRecord], body: str = "", author: str = "Marcy Wheeler"
) -> ThreadSnapshot:
    """A parser's thread of post 500 by `author` whose text is `body` (paragraphs: blank lines)."""
    post = make_post(
        "500", title="A post", author_raw=author, author_key=author_key(author),
        published_at=None, tags=(), categories=(),
        body_html="".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n")),
        body_text=body,
    )
    return make_thread(comments, post=post, source_key="test", fetched_at=BASE_TIME + timedelta(days=1))


def make_check(
    thread: ThreadSnapshot, *, fingerprint: str | None = None, pages: tuple[PageState, ...] = ()
) -> ThreadCheck:
    """The check a fetch of `thread` gives: its time and completeness, and the given pages."""
    return ThreadCheck(
        checked_at=thread.fetched_at, fingerprint=fingerprint, pages=pages, complete=thread.complete
    )


def record(
    archive: Archive,
    thread: ThreadSnapshot,
    crawl_id: int,
    *,
    fingerprint: str | None = None,
    pages: tuple[PageState, ...] = (),
) -> RecordResult:
    """`record(archive, thread, crawl_id, check)` with `make_check`'s check."""
    return archive.record(thread, crawl_id, make_check(thread, fingerprint=fingerprint, pages=pages))
