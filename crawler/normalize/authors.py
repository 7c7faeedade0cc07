"""Author identity: one normalized key per display name, despite case, spacing and Unicode forms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["alias_map", "author_key", "canonical_key", "name_fold"]

_SPACES = re.compile(r"\s+")
# Invisible format characters (zero-width space/joiners, soft hyphen, BOM) sneak into
# pasted names; NFKC keeps them, so two spellings that look identical would differ.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# Typography a comment's text and an author field spell differently for one name: the
# site curls the apostrophe of "O'Brien" in the text and not in the author field, a
# pasted name keeps "&amp;", a dash is a hyphen in one and an en dash in the other.
_TYPOGRAPHY = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u0060": "'", "\u00b4": "'", "\u2032": "'",
     "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
     "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}
)
_AMP = re.compile(r"&amp;", re.IGNORECASE)


@lru_cache(maxsize=8192)  # a thread repeats a few hundred names thousands of times
def author_key(name: str) -> str:
    """The identity key of a display name: NFKC, whitespace collapsed and trimmed, casefolded.

    Invisible format characters are dropped. Idempotent: author_key(author_key(x)) == author_key(x).
    """
    folded = unicodedata.normalize("NFKC", name)
    folded = _INVISIBLE.sub("", folded)
    folded = _SPACES.sub(" ", folded).strip().casefold()
    # casefold can produce characters that NFKC composes differently; settle once more.
    return unicodedata.normalize("NFKC", folded)


@lru_cache(maxsize=8192)
def name_fold(name: str) -> str:
    """`author_key(name)` with typography folded, for matching a written @-name to an author.

    Apostrophes and quotation marks become ASCII ones, dashes a hyphen, `&amp;` `&`. Only
    for comparing names: the author keys the archive stores are `author_key`'s, unchanged.
    """
    return author_key(_AMP.sub("&", name).translate(_TYPOGRAPHY))


def alias_map(aliases: Sequence[Sequence[str]]) -> dict[str, str]:
    """Map the key of every configured alias to its group's key (the key of the group's first name).

    Groups that share a name are merged; the earlier group's first name gives the key, so
    the result does not depend on which spelling a crawl happens to see first.
    """
    mapping: dict[str, str] = {}
    for group in aliases:
        keys = [author_key(name) for name in group if author_key(name)]
        if not keys:
            continue
        known = [mapping[k] for k in keys if k in mapping]
        target = known[0] if known else keys[0]
        # Re-point members of groups this one joins, so chains collapse to one key.
        merged = set(known)
        for k, v in list(mapping.items()):
            if v in merged:
                mapping[k] = target
        for k in keys:
            mapping[k] = target
    return mapping


def canonical_key(name: str, aliases: dict[str, str]) -> str:
    """The key of `name` after configured aliases are merged (see `alias_map`)."""
    key = author_key(name)
    return aliases.get(key, key)
