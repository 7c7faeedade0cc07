"""Quote attribution by containment: which text holds a blockquote's words — the post, an earlier comment, or none.

A source holds a quote when every run of the quote (it is split at its elision marks:
`[…]`, `...`, `[insertions]`) occurs in the source, in order, word for word. Text is
compared as casefolded NFKC word tokens (punctuation, quotes, dashes, ellipses and
whitespace ignored); a run of three words or more may begin or end mid-word (its first
word the end of a source word, its last word the start of one), which is all the
trimming a quote cut out of a sentence needs. A passage that only shares words with a
source is not held by it, however long the source, so a long comment gains nothing from
its length. An elided quote held by several texts belongs to those where its runs sit
closest together (the others hold its pieces, not the passage).

Sources are indexed by word 4-shingles as the thread is read in time order: the
candidates for a quote are the sources that share one of its shingles, and only those
are checked word for word. A source may be added more than once (each archived version
of a comment, crawler.normalize.thread), and holds a quote when any of its texts does.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence

from crawler.normalize.text import match_tokens, quote_segments

__all__ = ["SHINGLE", "QuoteIndex", "quote_shingles"]

SHINGLE = 4  # words per shingle: long enough that common phrases rarely collide
_SHORT_MIN_TOKENS = 2  # a quote of fewer words is attributed to nothing
_TRIM_MIN_TOKENS = 3  # a run this long may begin and end mid-word


def _shingle_tuples(tokens: Sequence[str]) -> Iterator[tuple[str, ...]]:
    # zip over shifted views builds the 4-tuples in C; slicing per position is 3x slower.
    return zip(tokens, tokens[1:], tokens[2:], tokens[3:], strict=False)


def quote_shingles(quote: str) -> set[tuple[str, ...]]:
    """The shingles `QuoteIndex.attribute` looks up for `quote`."""
    return _quote_shingles(quote_segments(quote))


def _quote_shingles(segments: list[list[str]]) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for run in segments:
        # The edge words of a trimmable run may be cut mid-word: not shingled.
        inner = run[1:-1] if len(run) >= _TRIM_MIN_TOKENS else run
        out.update(_shingle_tuples(inner))
    return out


def _run_patterns(segments: list[list[str]]) -> list[tuple[bool, str, bool]]:
    """Per run: (may start mid-word, " tok tok " text, may end mid-word)."""
    out = []
    for run in segments:
        trim = len(run) >= _TRIM_MIN_TOKENS
        out.append((trim, " " + " ".join(run) + " ", trim))
    return out


def _gap(text: str, runs: list[tuple[bool, str, bool]]) -> int | None:
    """None when `text` (a " tok tok " string) does not hold every run in order; else the
    characters between the runs, each run taken at its first place after the last."""
    at, skipped = 0, 0
    for k, (open_start, run, open_end) in enumerate(runs):
        needle = run[1 if open_start else 0 : len(run) - 1 if open_end else len(run)]
        found = text.find(needle, at)
        if found < 0:
            return None
        if k:
            skipped += found - at
        at = found + len(needle)
    return skipped


class QuoteIndex:
    """Shingle postings of the sources read so far (the post, then comments in time order)."""

    def __init__(self, wanted: set[tuple[str, ...]] | None = None) -> None:
        """`wanted`: when the quotes to attribute are known beforehand, the union of their
        `quote_shingles`; only those are indexed, which saves most of the indexing work."""
        self._wanted = wanted
        self._postings: dict[tuple[str, ...], list[int]] = {}  # shingle -> texts, in order
        self._sources: list[Hashable] = []  # per text: the source that wrote it
        self._tokens: list[list[str]] = []  # per text
        self._texts: dict[int, str] = {}  # " tok tok ... " per text, made when first needed

    def add(self, source: Hashable, text: str) -> None:
        """Index `text` as written by `source` (any hashable id; again for another text of it)."""
        number = len(self._sources)
        self._sources.append(source)
        tokens = match_tokens(text)
        self._tokens.append(tokens)
        if self._wanted is None:
            shingles: set[tuple[str, ...]] = set(_shingle_tuples(tokens))
        else:  # only the wanted ones, never a set of all of them
            shingles = self._wanted.intersection(_shingle_tuples(tokens))
        for shingle in shingles:
            self._postings.setdefault(shingle, []).append(number)

    def holders(self, quote: str) -> list[Hashable]:
        """The sources that hold `quote`, latest added first (each once).

        An elided quote's runs stand close together in the text it was cut from: of the
        texts that hold it, only those where they sit closest count.
        """
        segments = quote_segments(quote)
        if sum(len(run) for run in segments) < _SHORT_MIN_TOKENS:
            return []
        shingles = _quote_shingles(segments)
        if shingles:
            candidates: set[int] = set()
            for shingle in shingles:
                candidates.update(self._postings.get(shingle, ()))
        else:  # too short to shingle: every text is a candidate
            candidates = set(range(len(self._sources)))
        runs = _run_patterns(segments)
        gaps = {n: _gap(self._text(n), runs) for n in sorted(candidates, reverse=True)}
        fits = {n: g for n, g in gaps.items() if g is not None}
        tightest = min(fits.values(), default=0)
        return list(dict.fromkeys(self._sources[n] for n, g in fits.items() if g == tightest))

    def attribute(
        self, quote: str, *, last: Hashable, preferred: Sequence[Hashable] = ()
    ) -> Hashable | None:
        """The source `quote` comes from, or None when no source holds it.

        Among the sources that hold it: the first of `preferred` (the comment's reply
        targets), else the latest added other than `last` (the nearest earlier comment),
        else `last` (the post).
        """
        holders = self.holders(quote)
        for candidate in preferred:
            if candidate in holders:
                return candidate
        for source in holders:
            if source != last:
                return source
        return last if last in holders else None

    def _text(self, number: int) -> str:
        """Text `number`'s tokens as one " tok tok ... " string, for substring tests."""
        text = self._texts.get(number)
        if text is None:
            text = self._texts[number] = " " + " ".join(self._tokens[number]) + " "
        return text
