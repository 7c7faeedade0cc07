"""`parse_post_only` (the unchanged-recrawl parse) equals `parse_post_page` but for the comments."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from crawler.page import Page
from crawler.parsers.wordpress_html import PostPage, parse_post_only, parse_post_page
from tests.parsers.fixture_pages import load, saved_pages
from tests.parsers.pages import NESTED, POST_URL, block_post, classic_post, page

POST_PAGES = [p for p in saved_pages() if p.stem.startswith("post") and p.suffix == ".html"]


def _without_comments(parsed: PostPage) -> PostPage:
    # A post-only read says nothing of where the comments are (no site).
    return dataclasses.replace(parsed, comments=(), site=None)


def test_every_saved_post_page_is_covered() -> None:
    assert len(POST_PAGES) >= 4
    assert any(parse_post_page(load(p)).comments for p in POST_PAGES)


@pytest.mark.parametrize("path", POST_PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_saved_post_pages(path: Path) -> None:
    page_ = load(path)
    assert parse_post_only(page_) == _without_comments(parse_post_page(page_))


CUT = classic_post(NESTED)
SYNTHETIC = {
    "classic": classic_post(NESTED),
    "block": block_post(),
    "no comments": classic_post("", pagination=""),
    "repaired": classic_post(
        NESTED.replace("<p>@José reply</p>", "<p>@José reply</p><table><tr><td>x", 1),
        pagination="",
    ),
    "lost to markup": classic_post(
        NESTED.replace(
            "<p>@José reply</p>", "<p>@José reply</p></div></article></li></ol></div>", 1
        ),
        pagination="",
    ),
    "cut in the comments": CUT[: CUT.index("<p>end</p>")],
    "cut in the post": CUT[: len(CUT) // 8],
}


@pytest.mark.parametrize("name", SYNTHETIC)
def test_hard_pages(name: str) -> None:
    page_: Page = page(POST_URL, SYNTHETIC[name])
    assert parse_post_only(page_) == _without_comments(parse_post_page(page_))
