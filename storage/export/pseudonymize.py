"""Pseudonymization of an export: author names and keys become salted hashes.

An author's pseudonym is `author-` + the first 12 hex digits of
HMAC-SHA256(salt, normalized name key), so one person gets one pseudonym in every
table and file, and without the salt nobody can check a guessed name against it.
Replaced: author names, keys and aliases; `raw_name` of @-replies; and, inside titles,
bodies, own text and quotes, every occurrence of a name known to the archive (any
author's spellings, keys, slugs, and every name written after an '@') plus any other
`@handle`. Author website links and platform author ids are blanked (they usually
spell the name).

Text columns of a pseudonymized export are NFKC-normalized (as author keys are), so
that a name in compatibility characters cannot slip through.

Caveats (CODEBOOK.md repeats them): a name shorter than three characters is replaced
only after an '@' (else every "Al" in "Also" would go); a name spelled with HTML
entities inside raw HTML, or a nickname the archive never saw as an author or
@-reply, is not recognized.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable
from typing import Any

from storage.names import MIN_BARE_NAME, name_key

from .snapshot import Row
from .tables import TableSpec

__all__ = ["Pseudonymizer", "name_key", "new_salt"]

_TEXT_COLUMNS = ("title", "body_text", "own_text", "body_html", "quoted_text")
_BLANKED = ("author_url",)


def new_salt() -> str:
    """A fresh random salt (256 bits, hex)."""
    return secrets.token_hex(32)


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex matching any of `words` (lower case), built as a trie.

    A flat alternation of thousands of names makes `re` try every name at every
    position of every text; a trie shares prefixes, so each position costs about the
    length of the longest name. Greedy optional tails try the longest name first. A
    space in a name matches any run of whitespace, as in the author key.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a name ends here

    def build(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [
            (r"\s+" if ch == " " else re.escape(ch)) + build(child)
            for ch, child in sorted(node.items())
            if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return (body if len(branches) == 1 and len(body) == 1 else f"(?:{body})") + "?"
        return body

    return build(trie)


class Pseudonymizer:
    """Rewrites export rows; build it with every name the archive knows."""

    def __init__(self, salt: str, names: Iterable[str]) -> None:
        self._salt = salt.encode("utf-8")
        self._cache: dict[str, str] = {}
        variants: set[str] = set()
        for name in names:
            if not name or not name.strip():
                continue
            key = name_key(name)
            spelled = " ".join(unicodedata.normalize("NFKC", name).split())
            # lower() and upper() can change length ('İ', 'ß' -> 'SS'), which
            # IGNORECASE does not bridge, so each spelling is listed
            variants.update({spelled, spelled.lower(), spelled.upper(), key,
                             key.replace(" ", "-"), key.replace(" ", "_")})
        names_pattern = _trie_pattern(variants) or r"(?!x)x"

        # A known name (however many words), after '@' or bare; else any other @handle.
        # One trie serves both, since compiling a pattern of many thousand names is
        # the slow part; the pseudonym token itself is never re-matched.
        self._pattern = re.compile(
            rf"(?:(?<![\w.])(?P<at>@))?(?<![\w])(?P<name>{names_pattern})(?![\w])"
            r"|(?<![\w.])@(?P<handle>(?!author-[0-9a-f]{12}\b)(?:\w[\w.\-]*\w|\w))",
            re.IGNORECASE,
        )

    def pseudonym(self, name_or_key: str) -> str:
        """The pseudonym of a name or key (same person, same pseudonym)."""
        key = name_key(name_or_key)
        found = self._cache.get(key)
        if found is None:
            digest = hmac.new(self._salt, key.encode("utf-8"), hashlib.sha256).hexdigest()
            found = self._cache[key] = f"author-{digest[:12]}"
        return found

    def text(self, value: str | None) -> str | None:
        """Every known name and @handle in a text replaced by its pseudonym."""
        if not value:
            return value
        # Names are matched in NFKC form, as author keys are: a name written in
        # compatibility characters (fullwidth, mathematical letters) is still found.
        value = unicodedata.normalize("NFKC", value)

        def swap(m: re.Match[str]) -> str:
            name = m.group("name")
            if name is None:
                return "@" + self.pseudonym(m.group("handle"))
            if m.group("at") is not None:
                return "@" + self.pseudonym(name)
            if len(name_key(name)) >= MIN_BARE_NAME:
                return self.pseudonym(name)
            return name  # too short to replace without an '@' before it

        return self._pattern.sub(swap, value)

    def rows(self, spec: TableSpec, rows: list[Row]) -> list[Row]:
        """The rows of one table with every pseudonymized column rewritten."""
        targets = [c.name for c in spec.columns if c.pseudonymized]
        out = []
        for row in rows:
            new: dict[str, Any] = dict(row)
            for col in targets:
                value = row.get(col)
                if value is None:
                    continue
                if col in ("author_name", "name", "author_key", "raw_name"):
                    key = row.get("author_key") if col != "raw_name" else None
                    new[col] = self.pseudonym(key or value)
                elif col == "aliases":
                    new[col] = sorted({self.pseudonym(v) for v in value})
                elif col in _BLANKED:
                    new[col] = None
                elif col in _TEXT_COLUMNS:
                    new[col] = self.text(value)
            out.append(new)
        return out
