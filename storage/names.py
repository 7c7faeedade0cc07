"""The archive's author key of a name, for the code that matches names (pseudonymization,
takedowns): NFKC, whitespace collapsed, case folded.

The crawler computes keys the same way (crawler.normalize.authors); storage cannot import
the crawler, and the rule is three lines, so it is restated here.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MIN_BARE_NAME", "name_key"]

_SPACES = re.compile(r"\s+")
MIN_BARE_NAME = 3  # shorter names are replaced only when written after '@'


def name_key(name: str) -> str:
    """The archive's author key: NFKC, whitespace collapsed, casefolded."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()
