"""Small builders of parser-shaped thread records for the normalizer tests."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import lxml.html

from crawler.normalize.authors import author_key
from storage.records import CommentRecord, PostRecord, ThreadSnapshot

T0 = datetime(2025, 3, 16, 12, 0, tzinfo=UTC)


def comment(
    cid: int | str,
    author: str,
    body_html: str,
    *,
    parent: str | None = None,
    minute: int | None = None,
) -> CommentRecord:
    """A comment as the parser gives it: body_text from the paragraphs of `body_html`."""
    # The parser's body_text: every visible paragraph, quotes included, in document order.
    text = "\n\n".join(_visible_paragraphs(body_html)) if body_html else ""
    n = int(cid) if str(cid).isdigit() else 0
    return CommentRecord(
        external_id=str(cid),
        author_raw=author,
        author_key=author_key(author),
        published_at=T0 + timedelta(minutes=n if minute is None else minute),
        threaded_parent_external_id=parent,
        body_html=body_html,
        body_text=text,
        own_text=text,
        position=n,
    )


def _visible_paragraphs(body_html: str) -> list[str]:


    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    paras = []
    for el in root.iter("p"):
        text = " ".join(el.text_content().split())
        if text:
            paras.append(text)
    if not paras:
        text = " ".join(root.text_content().split())
        paras = [text] if text else []
    return paras


def post(body: str = "", author: str = "Marcy Wheeler", pid: str = "500") -> PostRecord:
    return PostRecord(
        external_id=pid,
        url=f"https://blog.example/?p={pid}",
        title="A post",
        author_raw=author,
        author_key=author_key(author),
        body_html="".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n")),
        body_text=body,
    )


def thread(comments: list[CommentRecord], body: str = "", author: str = "Marcy Wheeler") -> ThreadSnapshot:
    return ThreadSnapshot(
        source_key="test",
        post=post(body, author),
        comments=tuple(comments),
        complete=True,
        fetched_at=T0 + timedelta(days=1),
    )
