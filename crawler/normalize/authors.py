"""Author identity: one normalized key per display name, despite case, spacing and Unicode forms."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["author_key"]

_SPACES = re.compile(r"\s+")


def author_key(name: str) -> str:
    """The identity key of a display name: NFKC, whitespace collapsed and trimmed, casefolded.

    Idempotent: author_key(author_key(x)) == author_key(x).
    """
    folded = unicodedata.normalize("NFKC", name)
    folded = _SPACES.sub(" ", folded).strip().casefold()
    # casefold can produce characters that NFKC composes differently; settle once more.
    return unicodedata.normalize("NFKC", folded)
