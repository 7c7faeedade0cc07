"""A source's comment service keys (`comments`, `disqus_forum`, `disqus_api_key`,
`disqus_base`), validated for `crawler.config`.

    comments = "disqus"          the threads' comments are read from Disqus
    disqus_forum = "shortname"   when the post pages do not name the forum
    disqus_api_key = "..."       the source's OWN registered public key (API 3.0)
    disqus_base = "http://..."   another Disqus address: for tests and mirrors only
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["COMMENT_SERVICES", "BadCommentService", "comment_service_settings"]

COMMENT_SERVICES = ("disqus",)
_FORUM = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_API_KEY = re.compile(r"^[A-Za-z0-9]{16,128}$")
# The key Disqus's own embed script sends: widely copied by scrapers, never ours to use.
_DISQUS_EMBED_KEY = "E8Uh5l5fHZ6gD8U3KycjAIAk46f68Zw7C6eW8WSjZvCLXebZ7p0r1yrYDrLilk2F"


class BadCommentService(ValueError):
    """A comment service key that is wrong: "KEY: problem"."""


def comment_service_settings(s: Mapping[str, Any], key: str,
                             check_url: Callable[[Any, str], str]) -> dict[str, Any]:
    """The `comments` and `disqus_*` values of source table `s` (at `key`), checked."""
    comments = s.get("comments")
    if comments is not None and comments not in COMMENT_SERVICES:
        raise BadCommentService(f"{key}.comments: {comments!r} is not a known comment service "
                                f"(known: {', '.join(COMMENT_SERVICES)})")
    values: dict[str, Any] = {"comments": comments}
    for name in ("disqus_forum", "disqus_api_key", "disqus_base"):
        value = s.get(name)
        if value is None:
            continue
        where = f"{key}.{name}"
        if comments != "disqus":
            raise BadCommentService(f'{where}: only for a source with comments = "disqus"')
        if not isinstance(value, str):
            raise BadCommentService(f"{where}: must be a string")
        if name == "disqus_forum" and not _FORUM.match(value):
            raise BadCommentService(f"{where}: {value!r} is not a Disqus forum shortname "
                                    "(letters, digits, '-' or '_')")
        if name == "disqus_api_key":
            if value == _DISQUS_EMBED_KEY:
                raise BadCommentService(f"{where}: this is Disqus's own embed key, not the "
                                        "source's: register an application at disqus.com/api "
                                        "and give its public key")
            if not _API_KEY.match(value):
                raise BadCommentService(f"{where}: not a Disqus public API key (16-128 letters "
                                        "and digits)")
        if name == "disqus_base":
            value = check_url(value, where).rstrip("/")
        values[name] = value
    return values
