"""@-replies and mentions: finding `@Name` in a comment's own text and resolving it to a comment or the post.

Rules (docs/conversation.md has the full statement):

* Leading @-names open the comment's own text (its first paragraph outside blockquotes):
  one or several `@Name`, each optionally followed by `:` or `,`, joined by spaces,
  "and", "&" or "/". They are `at_reply` edges. Any other `@Name` in the own text is a
  `mention`. A name without `@` is never an edge, not even a link to `#comment-N`
  (so a comment without `@` and without blockquote has no edges but its threaded one).
* An `@` only starts a name at the start of text or after a space or opening punctuation
  (so `ana@example.org` and `x.com/@ana` are not names), and only when a word follows.
* Where a name ends: a link decides (its text is the name); else the longest known
  author name of the thread that the text starts with; else, for leading names, text up
  to a `:` or `,` within four words; else one word (a possessive `'s` is dropped).
* Resolution: a link to `#comment-N` (fragment or absolute URL) decides, whether or not
  comment N is in the thread; else the comment's threaded parent when the name is its
  author's (or the start of it, three letters or more); else the latest earlier comment whose author key
  matches; else the post if its author matches; else a name that is the first word(s) of
  exactly one earlier author's name (or the post author's), or one such name without its
  spaces ("@AnaRuiz"); else unresolved, raw name kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from crawler.normalize.authors import author_key, name_fold
from crawler.normalize.fragment import Link, Paragraph

__all__ = ["AtName", "AuthorIndex", "NameBook", "Target", "find_at_names", "resolve_name"]

_AT = "@\uff20"  # ASCII and fullwidth commercial at
# Characters after which an '@' can open a name: start, space, opening punctuation.
_OPENERS = " \n\t([{\"'“‘«—–-"
# One word of a name: letters/digits plus inner dots, apostrophes and hyphens ("O'Neil", "K.").
_WORD = re.compile(r"\w[\w.'’\-]*")
# A leading name that ends at ':' or ',' within four words ("@John Smith: ...").
_DELIMITED = re.compile(r"(\w[\w.'’\-]*(?:[ \u00a0]\w[\w.'’\-]*){0,3})[ \u00a0]*[:,]")
# After one leading name: its ':' or ',' and the joiner before the next '@'.
_AFTER_NAME = re.compile(r"[ \u00a0]*[:,;]?[ \u00a0\n]*")
_JOINER = re.compile(r"(?:and|&|/|\+)[ \u00a0\n]*(?=[@\uff20])", re.IGNORECASE)
# A comment anchor, as WordPress writes it: "#comment-123", alone or ending a URL.
_COMMENT_FRAGMENT = re.compile(r"#comment-(\d+)\s*$")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_TRAILING = re.compile(r"[.'’\-]+$")
_NAME_TRIM = " \u00a0:,;@\uff20"
_PARENT_PREFIX_MIN = 3  # letters of a name that, under nesting, point at the parent's author
# Capitalized words that start a sentence rather than continue a name ("@Ana I think, ...").
_NOT_NAME_WORDS = frozenset(
    ["i", "i'm", "i’m", "i'd", "i’d", "i've", "i’ve", "you", "we", "they", "he", "she", "it", "this", "that", "the", "a", "an", "and", "but", "so", "yes", "no", "not", "if", "what", "why", "how", "well", "sure", "thanks", "agreed", "exactly"]
)


@dataclass(frozen=True, slots=True)
class AtName:
    """One `@Name` found in text: the name as written, and the comment id its link names."""

    raw_name: str
    link_comment_id: str | None
    start: int  # offset of '@' in the paragraph
    end: int  # offset just past the name


@dataclass(frozen=True, slots=True)
class Target:
    kind: str  # "comment" | "post"
    external_id: str
    resolved_by: str  # "link" | "name"


class NameBook:
    """The display names known in a thread, for finding where a plain `@Name` ends."""

    def __init__(self, names: Iterable[str]) -> None:
        by_first: dict[str, set[tuple[str, ...]]] = {}
        for name in names:
            words = tuple(name_fold(name).split(" "))
            if words and words[0]:
                by_first.setdefault(_TRAILING.sub("", words[0]), set()).add(words)
        # Longest first: "@John Smith" must not stop at a known "John".
        self._by_first = {k: sorted(v, key=len, reverse=True) for k, v in by_first.items()}

    def starts_a_name(self, word: str) -> bool:
        """Whether `word` is the first word of a known name ("Wen" of "Wen Li")."""
        return _TRAILING.sub("", name_fold(word)) in self._by_first

    def match(self, text: str, pos: int) -> int | None:
        """End offset of the longest known name that `text` starts with at `pos`, if any."""
        spans: list[tuple[int, int, str]] = []
        for m in re.finditer(r"\S+", text[pos : pos + 120]):
            if m.start() and not spans:
                return None  # a space right after '@': no name
            spans.append((pos + m.start(), pos + m.end(), name_fold(m.group())))
            if len(spans) == 6:
                break
        if not spans:
            return None
        first = _TRAILING.sub("", re.sub(r"\W+$", "", spans[0][2]))
        for words in self._by_first.get(first, ()):
            end = _match_words(text, spans, words)
            if end is not None:
                return end
        return None


def _match_words(text: str, spans: list[tuple[int, int, str]], words: tuple[str, ...]) -> int | None:
    if len(words) > len(spans):
        return None
    for (start, _end, token), word in zip(spans[: len(words) - 1], words[:-1]):
        if token != word:
            return None
    start, _end, token = spans[len(words) - 1]
    last = words[-1]
    if not token.startswith(last):
        return None
    rest = token[len(last) :]
    if rest and (rest[0].isalnum() or rest[0] == "_"):
        return None  # "@Anastasia" is not "@Ana"
    # Map the folded length back onto the raw token. Folding usually keeps the length; when
    # it does not (decomposed accents, fullwidth or invisible characters), grow the raw
    # prefix until it folds to the name's last word, then take any trailing combining marks.
    raw = text[start:_end]
    if len(raw) == len(token):
        return start + len(last)
    for k in range(1, len(raw) + 1):
        if name_fold(raw[:k]) == last:
            while k < len(raw) and (unicodedata.combining(raw[k]) or raw[k] in "\u200b\u200c\u200d"):
                k += 1
            return start + k
    return None


def _opens_name(text: str, i: int) -> bool:
    return text[i] in _AT and (i == 0 or text[i - 1] in _OPENERS)


def _link_at(links: tuple[Link, ...], i: int) -> Link | None:
    """A link whose text starts with the '@' at `i`, or right after it ("@<a>Name</a>")."""
    for link in links:
        if link.start == i or link.start == i + 1:
            return link
    return None


def _read_name(para: Paragraph, i: int, book: NameBook, leading: bool) -> AtName | None:
    """The name opened by the '@' at offset `i` of `para`, or None when no name follows."""
    text = para.text
    link = _link_at(para.links, i)
    if link is not None:
        raw = text[link.start : link.end].strip(_NAME_TRIM)
        if raw:
            m = _COMMENT_FRAGMENT.search(link.href)
            return AtName(raw, m.group(1) if m else None, i, link.end)
    pos = i + 1
    if leading and text[pos : pos + 1] == " ":
        # "@ Ana Ruiz:" — a stray space after a leading '@' is forgiven for known names only.
        start = pos + len(text[pos:]) - len(text[pos:].lstrip(" "))
        end = book.match(text, start)
        return None if end is None else AtName(text[start:end].strip(_NAME_TRIM), None, i, end)
    end = book.match(text, pos)
    if end is None and leading:
        m = _DELIMITED.match(text, pos)
        # Several words count as one name only when they look like one: "@John Smith:",
        # not "@dana I agree, but", and not when the first word already opens a known name.
        words = m.group(1).split() if m else []
        if (
            m
            and all(not w[0].islower() and w.casefold() not in _NOT_NAME_WORDS for w in words[1:])
            # "@Wen Honestly, ..." when "Wen Li" writes here: the name is the known first word.
            and not (len(words) > 1 and book.starts_a_name(words[0]))
        ):
            end = m.end(1)
    if end is None:
        m = _WORD.match(text, pos)
        if not m:
            return None
        word = _TRAILING.sub("", _POSSESSIVE.sub("", m.group()))
        if not word:
            return None
        end = pos + len(word)
    return AtName(text[pos:end].strip(_NAME_TRIM), None, i, end)


def find_at_names(
    paragraphs: tuple[Paragraph, ...], book: NameBook
) -> tuple[list[AtName], int, list[tuple[int, AtName]]]:
    """Leading names, where the leading prefix ends in the first paragraph, and mentions.

    Mentions come as (paragraph index, name), in text order, the leading prefix excluded.
    """
    leading: list[AtName] = []
    prefix_end = 0
    if paragraphs:
        text = paragraphs[0].text
        i = len(text) - len(text.lstrip())
        while i < len(text) and text[i] in _AT:
            name = _read_name(paragraphs[0], i, book, leading=True)
            if name is None:
                break
            leading.append(name)
            j = _AFTER_NAME.match(text, name.end).end()  # type: ignore[union-attr]
            prefix_end = j
            joiner = _JOINER.match(text, j)
            i = joiner.end() if joiner else j
    mentions: list[tuple[int, AtName]] = []
    for n, para in enumerate(paragraphs):
        text = para.text
        i = text.find("@", prefix_end if n == 0 else 0)
        j = text.find("\uff20", prefix_end if n == 0 else 0)
        if i < 0 and j < 0:
            continue
        start = min(x for x in (i, j) if x >= 0)
        k = start
        while k < len(text):
            if _opens_name(text, k):
                name = _read_name(para, k, book, leading=False)
                if name is not None:
                    mentions.append((n, name))
                    k = name.end
                    continue
            k += 1
    return leading, prefix_end, mentions


class AuthorIndex:
    """Who has written so far, in thread time: resolves names to the latest earlier comment.

    Names are compared folded (`name_fold`: typography too), so "@Pat O’Brien" finds the
    author "Pat O'Brien"; `canonical` gives the author key the archive stores.
    """

    def __init__(self, post_id: str, post_author_key: str, aliases: dict[str, str]) -> None:
        self._post_id = post_id
        self._aliases = aliases  # author keys, for `canonical`
        # The same map between folded names, for resolving.
        self._folded = {name_fold(k): name_fold(v) for k, v in aliases.items()}
        self._post_key = name_fold(post_author_key)
        self._latest: dict[str, str] = {}  # folded canonical name -> latest comment id so far
        # first word of a spelling -> {spelling: canonical}, for the prefix rule
        self._spellings: dict[str, dict[str, str]] = {}
        # spelling without spaces -> canonical names, for "@AnaRuiz" meaning "Ana Ruiz"
        self._squeezed: dict[str, set[str]] = {}
        self._added: set[str] = set()  # comment authors' spellings already added
        self._add_spelling(self._post_key, self._post_key)
        for spelling, canonical in self._folded.items():
            if canonical == self._post_key:
                self._add_spelling(spelling, canonical)

    def _add_spelling(self, spelling: str, canonical: str) -> None:
        first = spelling.split(" ", 1)[0]
        self._spellings.setdefault(first, {})[spelling] = canonical
        self._squeezed.setdefault(spelling.replace(" ", ""), set()).add(canonical)

    def canonical(self, raw_name: str) -> str:
        """The author key of `raw_name` after configured aliases (what the archive stores)."""
        key = author_key(raw_name)
        return self._aliases.get(key, key)

    def _folded_canonical(self, raw_name: str) -> str:
        folded = name_fold(raw_name)
        return self._folded.get(folded, folded)

    def add(self, author_raw: str, comment_id: str) -> None:
        """Record a comment, in thread time order, as the latest by its author."""
        spelling = name_fold(author_raw)
        canonical = self._folded.get(spelling, spelling)
        self._latest[canonical] = comment_id
        if spelling in self._added:  # its spellings follow from it alone: added already
            return
        self._added.add(spelling)
        self._add_spelling(spelling, canonical)
        for alias, group in self._folded.items():
            if group == canonical and alias != spelling:
                self._add_spelling(alias, canonical)

    def _names_parent_author(self, key: str, canonical: str, spelling: str) -> bool:
        """Whether `key` names the author of the comment being answered by nesting.

        Nesting is strong evidence, so the start of any of the author's spellings, three
        letters or more, will do ("@earl" under "earlofhuntingdon", "@Hank" under "Hank Hill").
        """
        names = {canonical, spelling, *(a for a, g in self._folded.items() if g == canonical)}
        return key in names or (
            len(key) >= _PARENT_PREFIX_MIN and any(n.startswith(key) for n in names)
        )

    def _by_key(self, key: str) -> Target | None:
        if key in self._latest:
            return Target("comment", self._latest[key], "name")
        if key == self._post_key:
            return Target("post", self._post_id, "name")
        return None

    def resolve(self, raw_name: str, parent: tuple[str, str] | None = None) -> Target | None:
        """Resolve a name; `parent` is the comment's threaded parent (id, author_raw), if any.

        A reply nested under a comment and naming that comment's author answers that
        comment, even when the author has written again since.
        """
        key = self._folded_canonical(raw_name)
        if parent is not None and key:
            spelling = name_fold(parent[1])
            if self._names_parent_author(key, self._folded.get(spelling, spelling), spelling):
                return Target("comment", parent[0], "name")
        found = self._by_key(key)
        if found is not None or not key:
            return found
        # "@First" for "First Last": only when one author (after aliases) fits.
        first = key.split(" ", 1)[0]
        fits = {
            canonical
            for spelling, canonical in self._spellings.get(first, {}).items()
            if spelling.startswith(key + " ")
        }
        if len(fits) == 1:
            return self._by_key(fits.pop())
        # "@AnaRuiz" for "Ana Ruiz": the same letters without the spaces, if only one fits.
        squeezed = self._squeezed.get(key.replace(" ", ""), set())
        if len(squeezed) == 1:
            return self._by_key(next(iter(squeezed)))
        return None


def resolve_name(
    name: AtName, authors: AuthorIndex, parent: tuple[str, str] | None = None
) -> Target | None:
    """Where one `@Name` points: its #comment-N link, else by name (see AuthorIndex.resolve)."""
    if name.link_comment_id is not None:
        return Target("comment", name.link_comment_id, "link")
    return authors.resolve(name.raw_name, parent)
