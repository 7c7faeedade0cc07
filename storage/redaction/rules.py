"""A takedown as a rule on records: what a redacted comment, post or name becomes.

A `Rule` is one row of the `redaction` table. The same pure functions turn the records
of a fresh crawl (at the Archive's front door) and the versions already stored (when
`palimpsest redact` runs) into their redacted form, so an unchanged site hashes to what
the archive holds and a recrawl writes nothing new.

- A denied comment or post (by id, or by its author's key) keeps its place, time,
  parents and edges' targets; its text, HTML and quotes become `[redacted]`, and with an
  author rule its author becomes the placeholder author `[redacted]`.
- In every other comment and post of the source, the redacted person's name is
  replaced by `[redacted]`, found as `--pseudonymize` finds names: bare or after `@`,
  whole words, NFKC and case folded, a bare name of fewer than three characters only
  after `@`. The rule holds hashes of the names, never the names: a word sequence is
  hashed and looked up.
- A quote of a denied comment or post, and its copy in the quoting comment's text and
  HTML, becomes `[redacted]`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from storage.names import MIN_BARE_NAME, name_key
from storage.records import CommentRecord, PostRecord, QuoteRecord, ThreadSnapshot

__all__ = ["MARKER", "Rule", "RuleKind", "name_hash", "redact_post", "redact_thread"]

MARKER = "[redacted]"
RuleKind = Literal["author", "comment", "post"]
MAX_NAME_WORDS = 6  # longer names are not looked for
_HASH_SCHEME = "palimpsest-redaction-1\0"

# A word of a name: letters and digits, joined by an apostrophe, dot, hyphen or
# underscore inside it ("O'Brien", "J.R", "quillon-drax").
_WORD = re.compile(r"\w+(?:['’.\-]\w+)*")
_GAP = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")


def name_hash(name: str) -> str:
    """The hash a rule keeps of a name: SHA-256 of its author key (name_key)."""
    return hashlib.sha256((_HASH_SCHEME + name_key(name)).encode("utf-8")).hexdigest()


def words(text: str) -> str:
    """`text` as its words only, case folded, space-separated and space-padded: a passage
    is in a text when its words are in the text's words, whatever the punctuation
    (a straight or curly apostrophe) and markup between them."""
    return " " + " ".join(re.findall(r"\w+", text.casefold())) + " "


def _visible(markup: str) -> str:
    """The text a reader would see in HTML, roughly: tags out, entities decoded."""
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


class NameFinder:
    """Finds the names whose hashes a rule holds, in any text."""

    def __init__(self, hashes: Iterable[str]) -> None:
        self.hashes = frozenset(hashes)

    def _hit(self, words: list[re.Match[str]], text: str) -> str | None:
        joined = " ".join(w.group() for w in words)
        for candidate in {joined, joined.replace("-", " ").replace("_", " ")}:
            key = name_key(candidate)
            if name_hash(key) in self.hashes:
                start = words[0].start()
                if len(key) < MIN_BARE_NAME and text[start - 1 : start] != "@":
                    continue
                return key
        return None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where names are in `text`, longest first at each place, left to right."""
        if not self.hashes or not text:
            return []
        words = list(_WORD.finditer(text))
        found: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            for n in range(min(MAX_NAME_WORDS, len(words) - i), 0, -1):
                run = words[i : i + n]
                gaps_ok = all(
                    _GAP.fullmatch(text[a.end() : b.start()]) for a, b in itertools.pairwise(run)
                )
                if gaps_ok and self._hit(run, text) is not None:
                    found.append((run[0].start(), run[-1].end()))
                    i += n
                    break
            else:
                i += 1
        return found

    def scrub(self, text: str) -> str:
        spans = self.spans(text)
        if not spans:
            return text
        parts, last = [], 0
        for start, end in spans:
            parts += [text[last:start], MARKER]
            last = end
        parts.append(text[last:])
        return "".join(parts)


def _without_quote(text: str, quoted: str, *, markup: bool) -> str:
    """`text` with each copy of the passage `quoted` replaced by the marker."""
    words = quoted.split()
    if not words:
        return text
    if markup:
        gap = r"(?:\s|<[^>]*>|&nbsp;)+"
        pattern = gap.join(re.escape(html.escape(w, quote=False)) for w in words)
    else:
        pattern = r"\s+".join(map(re.escape, words))
    return re.sub(pattern, MARKER, text)


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One takedown: an author (by key hash) or one comment or post of a source."""

    source_key: str
    kind: RuleKind
    author_hash: str | None = None
    post_external_id: str | None = None
    comment_external_id: str | None = None
    name_hashes: frozenset[str] = frozenset()

    @property
    def names(self) -> NameFinder:
        return NameFinder(self.name_hashes)

    # -- what the rule denies --------------------------------------------------------

    def denies_post(self, post_external_id: str, author_key: str | None) -> bool:
        if self.kind == "post":
            return post_external_id == self.post_external_id
        return self._by_author(author_key)

    def denies_comment(self, post_external_id: str, external_id: str, author_key: str | None) -> bool:
        if self.kind == "comment":
            return (post_external_id, external_id) == (self.post_external_id, self.comment_external_id)
        return self._by_author(author_key)

    def _by_author(self, author_key: str | None) -> bool:
        return (
            self.kind == "author" and author_key is not None and author_key != MARKER
            and name_hash(author_key) == self.author_hash
        )  # fmt: skip

    # -- records -----------------------------------------------------------------------

    def thread(self, thread: ThreadSnapshot) -> ThreadSnapshot:
        """The thread with this rule applied (unchanged when it concerns another source)."""
        if thread.source_key != self.source_key:
            return thread
        post = thread.post
        post_denied = self.denies_post(post.external_id, post.author_key)
        denied = {
            c.external_id for c in thread.comments
            if self.denies_comment(post.external_id, c.external_id, c.author_key)
        }  # fmt: skip
        comments = tuple(self.comment(c, denied=denied, post_denied=post_denied) for c in thread.comments)
        return dataclasses.replace(thread, post=self.post(post, denied=post_denied), comments=comments)

    def post(self, post: PostRecord, *, denied: bool) -> PostRecord:
        """A post, redacted when `denied`, else with the names scrubbed."""
        if denied:
            post = dataclasses.replace(post, title=MARKER, body_html="", body_text=MARKER, links=())
            if self.kind == "author":
                post = dataclasses.replace(post, author_raw=MARKER, author_key=MARKER,
                                           author_external_id=None, author_url=None)
            return post
        names = self.names
        body_text = names.scrub(post.body_text)
        body_html, links = self._html(post.body_html, body_text, post.links, ())
        return dataclasses.replace(
            post, title=names.scrub(post.title), body_text=body_text, body_html=body_html,
            links=links,
        )

    def comment(self, comment: CommentRecord, *, denied: set[str], post_denied: bool) -> CommentRecord:
        """A comment of a thread where `denied` comments (and the post, if `post_denied`)
        are redacted: itself a placeholder if denied, else scrubbed of names and quotes."""
        names = self.names
        replies = tuple(
            dataclasses.replace(r, raw_name=names.scrub(r.raw_name)) if r.raw_name else r
            for r in comment.replies
        )
        if comment.external_id in denied:
            quotes = tuple(dataclasses.replace(q, quoted_text=MARKER) for q in comment.quotes)
            comment = dataclasses.replace(
                comment, body_html="", body_text=MARKER, own_text=MARKER, links=(),
                replies=replies, quotes=quotes,
            )
            if self.kind == "author":
                comment = dataclasses.replace(comment, author_raw=MARKER, author_key=MARKER,
                                              author_url=None)
            return comment
        gone = [q for q in comment.quotes if _quotes_denied(q, denied, post_denied)]
        quotes = tuple(
            dataclasses.replace(q, quoted_text=MARKER if q in gone else names.scrub(q.quoted_text))
            for q in comment.quotes
        )
        body_text, own_text = comment.body_text, comment.own_text
        for q in gone:
            body_text = _without_quote(body_text, q.quoted_text, markup=False)
            own_text = _without_quote(own_text, q.quoted_text, markup=False)
        body_text, own_text = names.scrub(body_text), names.scrub(own_text)
        body_html, links = self._html(comment.body_html, body_text, comment.links,
                                      [q.quoted_text for q in gone])
        if (body_text, own_text, body_html, links, replies, quotes) == (
            comment.body_text, comment.own_text, comment.body_html, comment.links,
            comment.replies, comment.quotes,
        ):
            return comment
        return dataclasses.replace(
            comment, body_text=body_text, own_text=own_text, body_html=body_html, links=links,
            replies=replies, quotes=quotes,
        )

    def _html(
        self, markup: str, text: str, links: tuple[str, ...] | None, gone: Iterable[str]
    ) -> tuple[str, tuple[str, ...] | None]:
        """HTML scrubbed of names and of the quoted passages `gone`, and its links.

        Where a name or passage is still visible after that (spelled with entities or
        split by markup), the HTML is given up for the scrubbed text, escaped: nothing
        redacted may survive in it.
        """
        names = self.names
        gone = list(gone)
        out = markup
        for quoted in gone:
            out = _without_quote(out, quoted, markup=True)
        out = names.scrub(out)
        visible = _visible(out)
        if names.spans(visible) or any(
            words(q) in words(visible) for q in gone if words(q).strip()
        ):
            return f"<p>{html.escape(text, quote=False)}</p>", ()
        if links is None or out == markup:
            return out, links
        return out, tuple(sorted({names.scrub(link) for link in links}))


def _quotes_denied(quote: QuoteRecord, denied: set[str], post_denied: bool) -> bool:
    if quote.source_kind == "comment":
        return quote.source_external_id in denied
    return quote.source_kind == "post" and post_denied


def redact_post(post: PostRecord, rules: Iterable[Rule]) -> PostRecord:
    """A post read on its own (its comments unchanged and unread), with every rule applied."""
    for rule in rules:
        post = rule.post(post, denied=rule.denies_post(post.external_id, post.author_key))
    return post


def redact_thread(thread: ThreadSnapshot, rules: Iterable[Rule]) -> ThreadSnapshot:
    """`thread` with every rule applied, in the order given (the redactions' order)."""
    for rule in rules:
        thread = rule.thread(thread)
    return thread
