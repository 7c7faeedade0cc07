"""Quote attribution: which text a blockquote quotes — the post, an earlier comment, or outside.

Sources are indexed by word 4-shingles as the thread is read in time order, so
attributing a quote costs a few dictionary look-ups, not a scan of every earlier comment.
Text is compared as casefolded NFKC word tokens (punctuation, quotes, dashes, ellipses and
whitespace ignored); a quote is split at its elision marks (`[…]`, `...`, `[insertions]`)
and each run is shingled on its own.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence

from crawler.normalize.text import match_tokens, quote_segments

__all__ = ["MATCH_FLOOR", "SHINGLE", "QuoteIndex", "quote_shingles"]

SHINGLE = 4  # words per shingle: long enough that common phrases rarely collide (see _shingles)
MATCH_FLOOR = 0.5  # share of a quote's shingles a source must hold to be its source
_SHORT_MIN_TOKENS = 2  # quotes shorter than a shingle match by containment, from 2 words


def _shingle_tuples(tokens: Sequence[str]) -> Iterator[tuple[str, ...]]:
    # zip over shifted views builds the 4-tuples in C; slicing per position is 3x slower.
    return zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False)


def _shingles(tokens: Sequence[str]) -> set[tuple[str, ...]]:
    return set(_shingle_tuples(tokens))


def quote_shingles(quote: str) -> set[tuple[str, ...]]:
    """The shingles `QuoteIndex.attribute` looks up for `quote`."""
    return _quote_shingles(quote_segments(quote))


def _quote_shingles(segments: list[list[str]]) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for run in segments:
        # A quote often starts or ends mid-word or mid-sentence; its edge words may not
        # match the source, so long runs are compared without them.
        if len(run) >= SHINGLE + 4:
            run = run[1:-1]
        out |= _shingles(run)
    return out


def _gap(text: str, segments: list[list[str]]) -> int | None:
    """Characters skipped between the runs where they occur in order in `text` (a " tok tok "
    string), taking each run's first occurrence after the last; None when they do not."""
    at, skipped = 0, 0
    for k, run in enumerate(segments):
        found = text.find(" " + " ".join(run) + " ", at)
        if found < 0:
            return None
        if k:
            skipped += found - at
        at = found + len(" ".join(run)) + 1
    return skipped


class QuoteIndex:
    """Shingle postings of the sources read so far (the post, then comments in time order)."""

    def __init__(self, wanted: set[tuple[str, ...]] | None = None) -> None:
        """`wanted`: when the quotes to attribute are known beforehand, the union of their
        `quote_shingles`; only those are indexed, which saves most of the indexing work."""
        self._wanted = wanted
        self._postings: dict[tuple[str, ...], list[int]] = {}  # shingle -> sources, in order
        self._sources: list[Hashable] = []
        self._tokens: list[list[str]] = []  # per source, for short and elided quotes
        self._texts: dict[int, str] = {}  # " tok tok ... " per source, made when first needed

    def add(self, source: Hashable, text: str) -> None:
        """Index `text` as written by `source` (any hashable id)."""
        number = len(self._sources)
        self._sources.append(source)
        tokens = match_tokens(text)
        self._tokens.append(tokens)
        if self._wanted is None:
            shingles = _shingles(tokens)
        else:  # only the wanted ones, never a set of all of them
            shingles = self._wanted.intersection(_shingle_tuples(tokens))
        for shingle in shingles:
            self._postings.setdefault(shingle, []).append(number)

    def attribute(
        self, quote: str, *, first: Hashable, preferred: Sequence[Hashable] = ()
    ) -> Hashable | None:
        """The source `quote` comes from, or None.

        `first` (the post) wins whenever it matches. Otherwise the best-matching source;
        among sources tied at the best score: for an elided quote, those where its runs
        sit closest together; then the `preferred` sources in order (the comment's reply
        targets); then the earliest.
        """
        segments = quote_segments(quote)
        shingles = _quote_shingles(segments)
        matched: dict[int, float] = {}
        if shingles:
            counts: dict[int, int] = {}
            for shingle in shingles:
                for number in self._postings.get(shingle, ()):
                    counts[number] = counts.get(number, 0) + 1
            matched = {
                n: c / len(shingles) for n, c in counts.items() if c / len(shingles) >= MATCH_FLOOR
            }
        else:
            tokens = [t for run in segments for t in run]
            if len(tokens) < _SHORT_MIN_TOKENS:
                return None
            runs = [" " + " ".join(run) + " " for run in segments]
            matched = {
                n: 1.0
                for n in range(len(self._sources))
                if all(run in self._text(n) for run in runs)
            }
        if not matched:
            return None
        by_source = {self._sources[n]: n for n in sorted(matched, reverse=True)}
        if first in by_source:
            return first
        # Preference settles ties only (the same words in several comments): a reply
        # target that shares a stock phrase with the quote must not beat the comment
        # the quote reproduces in full, nor one that has its one distinguishing word.
        top = max(matched.values())
        tied = {n for n, score in matched.items() if score == top}
        if len(tied) > 1 and len(segments) > 1:
            # An elided quote's runs stand in order and close together in its source:
            # the tightest fit wins.
            gaps = {n: _gap(self._text(n), segments) for n in tied}
            fits = [g for g in gaps.values() if g is not None]
            if fits:
                tied = {n for n, g in gaps.items() if g == min(fits)}
        for candidate in preferred:
            if candidate in by_source and by_source[candidate] in tied:
                return candidate
        best = min(tied)  # the earliest writer of the passage
        return self._sources[best]

    def _text(self, number: int) -> str:
        """Source `number`'s tokens as one " tok tok ... " string, for substring tests."""
        text = self._texts.get(number)
        if text is None:
            text = self._texts[number] = " " + " ".join(self._tokens[number]) + " "
        return text
