"""AMP post pages: read where they show the thread, else the canonical page's comments."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.page import Page
from crawler.platforms.wordpress_html import HtmlRoute
from tests.amp.markup import AMP_COMMENTS, amp_page, canonical_page
from tests.crawler.crawling import crawl_ok, write_config
from tests.faults.server import FaultServer

BASE = "http://127.0.0.1:9"
CANONICAL = f"{BASE}/deportation-flights/"
AMP_URL = f"{CANONICAL}amp/"
HTML = {"Content-Type": "text/html; charset=UTF-8"}


def _page(url: str, body: str) -> Page:
    return Page(url=url, body=body.encode(), fetched_at=datetime(2025, 12, 6, tzinfo=UTC),
                headers={"content-type": "text/html; charset=UTF-8"}, encoding="utf-8")


@pytest.mark.parametrize("attr", ["amp", "⚡"])
def test_an_amp_page_that_shows_its_thread_is_read(attr: str) -> None:
    read = HtmlRoute().read(_page(AMP_URL, amp_page(BASE, 42, CANONICAL, comments=AMP_COMMENTS, html_attr=attr)))
    assert read.post is not None
    assert (read.post.external_id, read.post.url, read.post.title) == ("42", CANONICAL, "Deportation flights")
    assert [(c.external_id, c.author_raw, c.threaded_parent_external_id, c.body_text) for c in read.comments] == [
        ("71", "Ann Example", None, "On the AMP page."), ("72", "Bo Reader", "71", "A reply.")]
    assert read.comments[1].published_at == datetime(2025, 11, 3, 11, 30, tzinfo=UTC)
    assert read.number == 1


def test_an_amp_page_without_comments_leads_to_the_canonical_page() -> None:
    read = HtmlRoute().read(_page(AMP_URL, amp_page(BASE, 42, CANONICAL, html_attr="⚡")))
    assert (read.number, read.comments, read.links, read.elsewhere) == (0, (), ((1, CANONICAL),), None)
    assert read.post is not None and "resumed" in read.post.body_text


def test_an_amp_page_without_comments_or_post_id_is_refused() -> None:
    body = amp_page(BASE, 42, CANONICAL).replace(" postid-42", "")
    with pytest.raises(ValueError, match="AMP page shows no comments and names no post id"):
        HtmlRoute().read(_page(AMP_URL, body))


def test_a_non_amp_page_is_not_redirected() -> None:
    read = HtmlRoute().read(_page(CANONICAL, canonical_page(BASE, 42, AMP_URL)))
    assert read.number == 1
    assert [c.external_id for c in read.comments] == ["80"]


def test_crawl_of_an_amp_post_archives_the_canonical_pages_comments(tmp_path: Path) -> None:
    with FaultServer(pages={}) as server:
        base = server.base_url
        canonical, amp_url = f"{base}/deportation-flights/", f"{base}/deportation-flights/amp/"
        home = (f'<html><body><article class="post type-post"><h2 class="entry-title">'
                f'<a href="{amp_url}">Deportation flights</a></h2></article></body></html>')
        server.pages.update({
            "/": (200, HTML, home.encode()),
            "/deportation-flights/amp/": (200, HTML, amp_page(base, 42, canonical).encode()),
            "/deportation-flights/": (200, HTML, canonical_page(base, 42, amp_url).encode()),
        })
        db = f"sqlite:///{tmp_path / 'a.db'}"
        archive = crawl_ok(write_config(tmp_path, base, extra="use_rest = false\n"), db)
    assert [(c.post, c.external_id, c.author, c.text) for c in archive["comments"]] == [
        ("42", "80", "Cy Writer", "On the canonical page.")]
    assert archive["posts"]["42"].title == "Deportation flights"
