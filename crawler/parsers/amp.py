"""AMP pages of a WordPress post: telling one apart, and where its comments are.

An AMP page is `<html amp>` or `<html ⚡>`; the canonical post page names it with `<link
rel="amphtml">` and it names the canonical one with `<link rel="canonical">`. The AMP
plugin's Reader templates either show the thread (`.amp-wp-comments`, items
`li.amp-wp-comment#comment-N`, read by the shared comment reader) or only a link to the
canonical page's comments (legacy templates: `.amp-wp-comments-link`): then the thread
is read from the canonical page. Pure.
"""

from __future__ import annotations

import re

__all__ = ["is_amp"]

# The <html> tag's `amp` or `⚡` attribute (UTF-8 bytes), within the page's first bytes.
_AMP_HTML = re.compile(rb"<html\b[^>]*?\s(?:amp|\xe2\x9a\xa1)(?=[\s=/>])", re.IGNORECASE)
_HEAD_BYTES = 4096


def is_amp(body: bytes) -> bool:
    """Whether the page is an AMP document."""
    return _AMP_HTML.search(body, 0, _HEAD_BYTES) is not None
