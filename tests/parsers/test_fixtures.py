"""Saved pages of the test WordPress (classic and block theme) against their expected records.

A behaviour change starts by editing the `<name>.expected.json` beside the page (or
regenerating it with `python -m tests.parsers.regen_expected --force` and reading the diff).
"""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import datetime
from pathlib import Path

import pytest

from crawler.parsers.wordpress_html import PostPage, fingerprint_only, parse_post_page
from crawler.parsers.wordpress_rest import parse_rest_comments, parse_rest_posts
from crawler.thread import assemble_thread
from storage.records import CommentRecord
from tests.parsers.fixture_pages import ROOT, THEMES, expected_path, load, parsed_json, saved_pages

PAGES = list(saved_pages())
SEED = json.loads((ROOT / "seed.json").read_text(encoding="utf-8")) if ROOT.exists() else {}
LONG_THREAD = ("post-comment-page-1", "post-comment-page-2", "post")  # pages 1, 2, 3


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _post_page(theme: str, name: str) -> PostPage:
    return parse_post_page(load(ROOT / theme / f"{name}.html"))


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_saved_page_parses_to_its_expected_json(path: Path) -> None:
    expected = expected_path(path)
    assert expected.exists(), f"no {expected.name}: run python -m tests.parsers.regen_expected"
    assert parsed_json(path) == json.loads(expected.read_text(encoding="utf-8"))


@pytest.mark.parametrize("theme", THEMES)
def test_comments_are_what_was_seeded(theme: str) -> None:
    seeded = {str(c["id"]): c for p in SEED["posts"] for c in p["comments"]}
    found: dict[str, CommentRecord] = {}
    for name in (*LONG_THREAD, "post-deep-thread", "post-off-topic"):
        for comment in _post_page(theme, name).comments:
            assert comment.external_id not in found, "a comment read twice"
            found[comment.external_id] = comment
    for cid, comment in found.items():
        seed = seeded[cid]  # nothing from widgets: every id is a seeded comment
        assert not seed.get("trashed")
        assert comment.author_raw == seed["author"]
        assert (comment.author_url or "") == seed["author_url"]
        assert comment.threaded_parent_external_id == (
            str(seed["parent"]) if seed["parent"] else None
        )
        assert comment.published_at == datetime.fromisoformat(seed["date"])
        # The seed separates paragraphs by one newline, the parser by a blank line.
        assert comment.body_text.split() == seed["text"].split()
    long_thread = next(p for p in SEED["posts"] if p["key"] == "flights")
    visible = {str(c["id"]) for c in long_thread["comments"] if not c.get("trashed")}
    assert visible <= set(found)


@pytest.mark.parametrize("theme", THEMES)
def test_html_and_rest_give_identical_comments(theme: str) -> None:
    rest = {
        c.external_id: c
        for name in ("rest-comments", "rest-comments-page-5")
        for c in parse_rest_comments(load(ROOT / theme / f"{name}.json")).comments
    }
    html = {c.external_id: c for name in LONG_THREAD for c in _post_page(theme, name).comments}
    assert len(rest) == 19 and set(rest) <= set(html)
    for cid, from_rest in rest.items():
        # Where a comment is shown (page, position) is not content; all the rest must agree.
        assert dataclasses.replace(html[cid], page=None, position=0) == dataclasses.replace(
            from_rest, page=None, position=0
        )


# What only one path can know: REST has the modified time and (block theme) the author's
# archive link; only the page shows the displayed count. storage.hashing leaves these out.
_ONE_PATH_ONLY = {
    "modified_raw",
    "modified_at",
    "comment_count_displayed",
    "author_url",
    "author_external_id",
}


@pytest.mark.parametrize("theme", THEMES)
def test_html_and_rest_give_the_same_post(theme: str) -> None:
    rest = {
        p.external_id: p
        for p in parse_rest_posts(load(ROOT / theme / "rest-posts-embed.json")).posts
    }
    for name in ("post", "post-deep-thread", "post-off-topic"):
        html = _post_page(theme, name).post
        from_rest = rest[html.external_id]
        for field in dataclasses.fields(html):
            if field.name not in _ONE_PATH_ONLY:
                assert getattr(html, field.name) == getattr(from_rest, field.name), field.name
        if theme == "twentytwentyone":  # the classic byline links the author archive
            assert (html.author_url, html.author_external_id) == (
                from_rest.author_url,
                from_rest.author_external_id,
            )


@pytest.mark.parametrize("theme", THEMES)
def test_thread_from_pages_in_any_order(theme: str) -> None:
    pages = [_post_page(theme, name) for name in LONG_THREAD]
    in_page_order = [c.external_id for p in pages for c in p.comments]
    shuffled = [p.comments for p in pages] + [pages[1].comments[:3]]  # pagination shifted
    random.Random(7).shuffle(shuffled)
    post = pages[-1].post
    thread = assemble_thread(
        source_key="test",
        post=post,
        pages=shuffled,
        complete=True,
        fetched_at=load(ROOT / theme / "post.html").fetched_at,
        expected_comment_count=post.comment_count_displayed,
        problems=(),
    )
    assert [c.external_id for c in thread.comments] == in_page_order
    assert [c.position for c in thread.comments] == list(range(49))
    assert thread.problems == () and thread.complete


@pytest.mark.parametrize(
    "path", [p for p in PAGES if p.name.startswith("post") and p.suffix == ".html"], ids=_id
)
def test_cheap_fingerprint_equals_the_parsed_one(path: Path) -> None:
    page = load(path)
    assert fingerprint_only(page) == parse_post_page(page).fingerprint
