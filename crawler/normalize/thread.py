"""Thread normalization: author keys, reply edges, quote attribution, own text and links.

`normalize_thread` takes a parser's ThreadSnapshot and returns a new one; it is pure and
idempotent (it reads only raw fields: author_raw, threaded parent, body_html/body_text,
and the texts of the thread's archived comment versions it is handed, which quotes may
quote: a passage since edited away, a comment since deleted).
Every crawled thread passes through it on its way to the writer (the spider's one item
per thread, a reparse's too), whatever platform adapter and parser read it, which is why
it, not each parser, derives the `links` the content hash takes (crawler.normalize.links).
Comments are read in thread time (published_at, then numeric id, then position) so that
"earlier comment" means written earlier, whatever the display nesting; the output keeps
the input order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence
from datetime import UTC, datetime

from crawler.normalize.authors import alias_map, canonical_key
from crawler.normalize.fragment import Blockquote, Fragment, fragment_from_text, parse_fragment
from crawler.normalize.links import link_hrefs
from crawler.normalize.quotes import QuoteIndex, quote_shingles
from crawler.normalize.records import evolve
from crawler.normalize.replies import (
    AtName,
    AuthorIndex,
    NameBook,
    Target,
    find_at_names,
    resolve_name,
)
from crawler.normalize.text import PARAGRAPH_BREAK, collapse, squeeze
from storage.known import ArchivedText
from storage.records import CommentRecord, QuoteRecord, ReplyRecord, ThreadSnapshot

__all__ = ["normalize_thread"]

_POST: Hashable = ("post",)
_EPOCH = datetime.min.replace(tzinfo=UTC)
# The comments a quote is looked for first: those the comment answers (a mention does not).
_PREFERENCE = {"at_reply": 0, "threaded": 1}


def _time_order(comments: Sequence[CommentRecord]) -> list[int]:
    """Indexes of `comments` in the order they were written."""

    def numeric(c: CommentRecord) -> int:
        return int(c.external_id) if c.external_id.isdigit() else -1

    if comments and all(c.published_at is not None for c in comments):
        def key(i: int) -> tuple[datetime, int, int]:
            c = comments[i]
            assert c.published_at is not None
            return (c.published_at, numeric(c), c.position)
        return sorted(range(len(comments)), key=key)
    return sorted(range(len(comments)), key=lambda i: (comments[i].position, i))


def _needs_markup(c: CommentRecord) -> bool:
    """Whether the comment can hold an @-name or a blockquote at all (the common fast path)."""
    html = c.body_html or c.body_text
    return "@" in html or "\uff20" in html or "<blockquote" in html.lower()


def _fragment(c: CommentRecord) -> Fragment:
    return parse_fragment(c.body_html) if c.body_html.strip() else fragment_from_text(c.body_text)


def _own_text(c: CommentRecord, frag: Fragment, prefix: str) -> str:
    """body_text without its blockquotes' paragraphs and without the leading @-prefix."""
    if not frag.quoted and not prefix.strip():
        return c.body_text
    paras = [p for p in PARAGRAPH_BREAK.split(c.body_text.strip()) if p.strip()]
    quoted = [collapse(p) for p in frag.quoted]
    kept: list[str] = []
    k = 0
    for para in paras:
        if k < len(quoted) and collapse(para) == quoted[k]:
            k += 1
        else:
            kept.append(para)
    if k < len(quoted):
        # body_text is laid out differently from the markup: fall back on our own rendering.
        kept = [p.text for p in frag.own]
    want = squeeze(prefix)
    if want and kept and squeeze(kept[0]).startswith(want):
        seen, cut = 0, 0
        for cut, ch in enumerate(kept[0]):
            if seen == len(want):
                break
            if not ch.isspace():
                seen += 1
        else:
            cut = len(kept[0])
        rest = kept[0][cut:].strip()
        kept = ([rest] if rest else []) + kept[1:]
    return "\n\n".join(kept)


def _edge(ordinal: int, kind: str, name: AtName, target: Target | None) -> ReplyRecord:
    return ReplyRecord(
        ordinal=ordinal,
        kind=kind,  # type: ignore[arg-type]
        raw_name=name.raw_name,
        target_kind=target.kind if target else None,  # type: ignore[arg-type]
        target_external_id=target.external_id if target else None,
        resolved_by=target.resolved_by if target else None,  # type: ignore[arg-type]
    )


def _edge_identity(edge: ReplyRecord, authors: AuthorIndex) -> tuple[object, ...]:
    if edge.target_kind is None:
        return (edge.kind, None, authors.canonical(edge.raw_name or ""))
    return (edge.kind, edge.target_kind, edge.target_external_id)


@dataclasses.dataclass(slots=True)
class _Reading:
    """What one comment says on its own, before any name is resolved."""

    leading: list[AtName]
    mentions: list[AtName]
    quotes: tuple[Blockquote, ...]
    own_text: str
    unquoted: str  # the text outside its blockquotes, @-prefix kept: what others may quote


def _read(c: CommentRecord, book: NameBook) -> _Reading:
    if not _needs_markup(c):
        return _Reading([], [], (), c.body_text, c.body_text)
    frag = _fragment(c)
    leading, prefix_end, mentions = find_at_names(frag.own, book)
    prefix = frag.own[0].text[:prefix_end] if frag.own else ""
    own = _own_text(c, frag, prefix)
    return _Reading(leading, [n for _, n in mentions], frag.quotes, own, _unquoted(c.body_text, frag))


def _unquoted(body_text: str, frag: Fragment) -> str:
    """A comment's words outside its blockquotes."""
    return "\n\n".join(p.text for p in frag.own) if frag.quoted else body_text


def _archived_unquoted(a: ArchivedText) -> str:
    html = a.body_html
    if "<blockquote" not in html.lower():
        return a.body_text
    return _unquoted(a.body_text, parse_fragment(html) if html.strip() else fragment_from_text(a.body_text))


class _Archived:
    """The archived texts of a thread's comments, added to the quote index in thread time:
    a comment's with it, a comment no longer in the thread when its time comes."""

    def __init__(self, archived: Sequence[ArchivedText], present: set[str]) -> None:
        self.texts: dict[str, list[str]] = {}
        absent: dict[str, datetime | None] = {}
        for a in archived:
            self.texts.setdefault(a.external_id, []).append(_archived_unquoted(a))
            if a.external_id not in present:
                absent[a.external_id] = a.published_at
        # Absent comments in time order; one without a time could be anywhere: first.
        self.absent = sorted(absent.items(), key=lambda kv: (kv[1] is not None, kv[1] or _EPOCH, kv[0]))

    def add_until(self, index: QuoteIndex, when: datetime | None) -> None:
        """Index the absent comments written before `when` (all, when it is None)."""
        while self.absent and (when is None or self.absent[0][1] is None or self.absent[0][1] < when):
            ext, _ = self.absent.pop(0)
            self.add(index, ext, None)

    def add(self, index: QuoteIndex, external_id: str, current: str | None) -> None:
        for text in dict.fromkeys(self.texts.get(external_id, ())):
            if text != current:
                index.add(("comment", external_id), text)


def _replies(
    c: CommentRecord, reading: _Reading, authors: AuthorIndex, nest: tuple[str, str] | None
) -> tuple[list[ReplyRecord], str | None]:
    """The comment's edges (threaded, at-replies, mentions) and its parent."""
    edges: list[ReplyRecord] = []
    parent = c.threaded_parent_external_id
    if parent is not None:
        edges.append(
            ReplyRecord(
                ordinal=0,
                kind="threaded",
                target_kind="comment",
                target_external_id=parent,
                resolved_by="markup",
            )
        )
    seen: set[tuple[object, ...]] = set()
    named = [("at_reply", n) for n in reading.leading] + [("mention", n) for n in reading.mentions]
    for kind, name in named:
        target = resolve_name(name, authors, nest)
        edge = _edge(len(edges), kind, name, target)
        ident = _edge_identity(edge, authors)
        if ident in seen:
            continue
        seen.add(ident)
        edges.append(edge)
        if (
            parent is None
            and kind == "at_reply"
            and name is reading.leading[0]
            and target is not None
            and target.kind == "comment"
        ):
            parent = target.external_id
    return edges, parent


def normalize_thread(
    thread: ThreadSnapshot,
    *,
    aliases: Sequence[Sequence[str]] = (),
    archived: Sequence[ArchivedText] = (),
) -> ThreadSnapshot:
    """The thread with author keys, reply edges, quotes, parents, own text and links filled in.

    `aliases`: groups of display names of one person (from the source's config); every
    name of a group gets the key of the group's first name. `archived`: the texts of the
    archived versions of the thread's comments (storage's Archive.archived_texts), which
    a quote's source is looked for in too, so that a quote keeps its source when the
    passage is later edited away or the comment deleted.
    """
    amap = alias_map(aliases)
    post = evolve(
        thread.post,
        author_key=canonical_key(thread.post.author_raw, amap),
        links=link_hrefs(thread.post.body_html),
    )
    comments = thread.comments
    book = NameBook(
        [post.author_raw, *(c.author_raw for c in comments), *(n for g in aliases for n in g)]
    )
    # First what each comment says on its own; then, in time order, what it points to.
    readings = [_read(c, book) for c in comments]
    # Only the shingles some quote of this thread contains are worth indexing; a thread
    # without blockquotes needs no index at all.
    wanted: set[tuple[str, ...]] = set()
    for reading in readings:
        for q in reading.quotes:
            wanted |= quote_shingles(q.text)
    quoting = any(r.quotes for r in readings)
    index = QuoteIndex(wanted)
    if quoting:
        index.add(_POST, post.body_text)
    history = _Archived(archived if quoting else (), {c.external_id for c in comments})
    authors = AuthorIndex(post.external_id, post.author_key, amap)
    author_of = {c.external_id: c.author_raw for c in comments}
    out: list[CommentRecord | None] = [None] * len(comments)

    for i in _time_order(comments):
        c, reading = comments[i], readings[i]
        if quoting:
            history.add_until(index, c.published_at)
        pid = c.threaded_parent_external_id
        nest = (pid, author_of[pid]) if pid is not None and pid in author_of else None
        edges, parent = _replies(c, reading, authors, nest)
        quotes: tuple[QuoteRecord, ...] = ()
        if reading.quotes:
            # A quote held by several sources goes to the one this comment answers:
            # @-reply targets first, then the threaded parent.
            preferred = list(
                dict.fromkeys(
                    ("comment", e.target_external_id)
                    for e in sorted(edges, key=lambda e: _PREFERENCE.get(e.kind, 9))
                    if e.target_kind == "comment" and e.kind in _PREFERENCE
                )
            )
            quotes = tuple(
                _quote(n, q.text, q.cite_url, index, preferred, post.external_id)
                for n, q in enumerate(reading.quotes)
            )
        out[i] = evolve(
            c,
            author_key=authors.canonical(c.author_raw),
            replies=tuple(edges),
            parent_external_id=parent,
            quotes=quotes,
            own_text=reading.own_text,
            links=link_hrefs(c.body_html),
        )
        if quoting:
            index.add(("comment", c.external_id), reading.unquoted)
            history.add(index, c.external_id, reading.unquoted)
        authors.add(c.author_raw, c.external_id)

    return evolve(thread, post=post, comments=tuple(x for x in out if x is not None))


def _quote(
    ordinal: int,
    text: str,
    cite_url: str | None,
    index: QuoteIndex,
    preferred: list[tuple[str, str | None]],
    post_id: str,
) -> QuoteRecord:
    if not text.strip():
        return QuoteRecord(ordinal=ordinal, quoted_text=text, source_kind="unknown")
    source = index.attribute(text, last=_POST, preferred=preferred)
    if source == _POST:
        return QuoteRecord(
            ordinal=ordinal, quoted_text=text, source_kind="post", source_external_id=post_id
        )
    if isinstance(source, tuple) and source and source[0] == "comment":
        return QuoteRecord(
            ordinal=ordinal,
            quoted_text=text,
            source_kind="comment",
            source_external_id=str(source[1]),
        )
    return QuoteRecord(ordinal=ordinal, quoted_text=text, source_kind="external", source_url=cite_url)
