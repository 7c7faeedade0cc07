"""The topic filter: is a post about the configured topic? Pure; comments never count.

A keyword matches case-insensitively on word boundaries, in the title, body text, tags
or categories; a trailing `*` matches any word that starts with it ("deport*" matches
"deported" and "deportations"). Spaces inside a keyword match any run of whitespace,
so a phrase broken across lines still matches. A post carrying one of the topic's
`tags` as a tag or category is on topic whatever its text says.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from crawler.config import Topic
from storage.records import PostRecord

__all__ = ["TopicFilter", "keyword_pattern"]


# A word character: \w plus combining marks, which casefold can produce ("İ" becomes
# "i" + U+0307) and which belong to the letter before them, not to a word boundary.
_WORD = r"[\w\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"


def _fold(text: str) -> str:
    # NFKC so that full-width letters and ligatures compare like their plain forms;
    # casefold rather than lower so that "STRASSE" matches "straße".
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def keyword_pattern(keyword: str) -> str:
    """A regex source for one keyword, to be matched against `_fold`ed text."""
    prefix = keyword.endswith("*")
    words = _fold(keyword.rstrip("*")).split()
    body = r"\s+".join(re.escape(w) for w in words)
    # Lookarounds instead of \b: \b fails next to a keyword that starts or ends in a
    # non-word character ("C++", "U.S."), where these still do the right thing.
    tail = rf"{_WORD}*" if prefix else rf"(?!{_WORD})"
    return rf"(?<!{_WORD}){body}{tail}"


class TopicFilter:
    """Compiled once per crawl from the config's Topic."""

    def __init__(self, topic: Topic) -> None:
        self.topic = topic
        patterns = [keyword_pattern(k) for k in topic.keywords]
        self._regex = re.compile("|".join(patterns)) if patterns else None
        self._tags = frozenset(_fold(t).strip() for t in topic.tags)

    def matches_text(self, *texts: str | None) -> bool:
        """True when any keyword occurs in any of `texts`."""
        if self._regex is None:
            return False
        return any(text and self._regex.search(_fold(text)) for text in texts)

    def carries_tag(self, labels: Iterable[str]) -> bool:
        """True when one of `labels` (tags or categories) is one of the topic's tags."""
        return any(_fold(label).strip() in self._tags for label in labels)

    def is_on_topic(self, post: PostRecord) -> bool:
        """The post's title, body, tags and categories decide; its comments never do."""
        labels = (*post.tags, *post.categories)
        return self.carries_tag(labels) or self.matches_text(post.title, post.body_text, *labels)
