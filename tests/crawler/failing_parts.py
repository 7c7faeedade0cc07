"""Faults injected into a real crawl process, for the error-contract test.

Imported by the child process before the `palimpsest` command runs (see
test_error_contract.py): a page whose URL contains PALIMPSEST_TEST_FAIL_PAGE makes the
HTML route's reader raise IndexError (a parser bug), and a thread whose post URL contains
PALIMPSEST_TEST_FAIL_POST makes the archive writer raise RuntimeError.
"""

from __future__ import annotations

import os
from typing import Any

from crawler.platforms.wordpress_html import HtmlRoute
from storage.archive import Archive

FAIL_PAGE = os.environ.get("PALIMPSEST_TEST_FAIL_PAGE", "")
FAIL_POST = os.environ.get("PALIMPSEST_TEST_FAIL_POST", "")


def _failing(method: Any) -> Any:
    def run(self: HtmlRoute, page: Any) -> Any:
        if FAIL_PAGE and FAIL_PAGE in page.url:
            raise IndexError(f"injected parser bug at {page.url}")
        return method(self, page)

    return run


HtmlRoute.read = _failing(HtmlRoute.read)  # type: ignore[method-assign]
HtmlRoute.glimpse = _failing(HtmlRoute.glimpse)  # type: ignore[method-assign]


def _failing_write(method: Any, post_of: Any) -> Any:
    def run(self: Archive, *args: Any, **kwargs: Any) -> Any:
        post = post_of(*args)
        if FAIL_POST and FAIL_POST in post.url:
            raise RuntimeError(f"injected writer failure for {post.url}")
        return method(self, *args, **kwargs)

    return run


Archive.record = _failing_write(Archive.record, lambda thread, *_: thread.post)  # type: ignore[method-assign]
Archive.record_unchanged = _failing_write(  # type: ignore[method-assign]
    Archive.record_unchanged, lambda source_key, post, *_: post)
