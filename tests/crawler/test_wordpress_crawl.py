"""Crawling the test WordPress, with and without its REST API, into the archive.

Every on-topic post and every visible comment is archived exactly once, with the right
post, author, UTC time, threaded parent and text; no off-topic post is; a second crawl of
the unchanged site writes no version rows; and every route to the same site (REST,
?rest_route=, HTML with pretty or plain permalinks, newest or oldest comment page
first) gives the same archive.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.crawler.crawling import read_archive, run_crawl, stats_of, write_config

pytestmark = [pytest.mark.wordpress, pytest.mark.slow]


def _words(text: str) -> str:
    return " ".join(text.split())


def assert_matches_seed(archive: dict[str, Any], seed: Any) -> None:
    on_topic = {str(p.id): p for p in seed.on_topic_posts}
    assert set(archive["posts"]) == set(on_topic), "exactly the on-topic posts"
    for post_id, post in on_topic.items():
        row = archive["posts"][post_id]
        assert row.title == post.title
        assert row.author_name == post.author

    ids = Counter((c.post, c.external_id) for c in archive["comments"])
    assert all(n == 1 for n in ids.values()), [k for k, n in ids.items() if n > 1]
    by_id = {c.external_id: c for c in archive["comments"]}
    expected = {str(c.id): (pid, c) for pid, p in on_topic.items() for c in p.visible_comments}
    assert set(by_id) == set(expected), "every visible comment of an on-topic post, no other"
    for cid, (post_id, seeded) in expected.items():
        got = by_id[cid]
        assert got.post == post_id
        assert got.author == seeded.author, cid
        assert got.published_at == seeded.date, cid
        assert got.parent == (str(seeded.parent) if seeded.parent else None), cid
        assert _words(got.text) == _words(seeded.text), cid
    assert archive["counts"]["comment"] == len(expected)


def crawl_ok(config: Path, db_url: str) -> dict[str, Any]:
    run = run_crawl(config, db_url)
    assert run.returncode == 0, run.stderr[-3000:]
    archive = read_archive(db_url)
    stats = stats_of(archive["crawls"][-1])
    assert archive["crawls"][-1].status == "ok", (stats, run.stderr[-3000:])
    assert stats.get("count_mismatch", 0) == 0, "captured what the site says it has"
    return archive


def content(archive: dict[str, Any]) -> tuple[Any, ...]:
    """What must be equal between routes: each post's and comment's content hash and fields."""
    posts = sorted((k, r.title, r.author_name, r.content_hash) for k, r in archive["posts"].items())
    comments = sorted(
        (c.post, c.external_id, c.author, c.published_at, c.parent, c.text, c.content_hash)
        for c in archive["comments"]
    )
    return tuple(posts), tuple(comments)


def test_rest_crawl_then_recrawl_writes_nothing(
    wordpress_site_defaults: Any, db_url: str, tmp_path: Path
) -> None:
    site = wordpress_site_defaults
    config = write_config(tmp_path, site.base_url)
    first = crawl_ok(config, db_url)
    assert_matches_seed(first, site.seed)
    stats = stats_of(first["crawls"][0])
    assert stats["route"] == "pretty"
    assert stats["posts"] == len(site.seed.on_topic_posts)
    assert stats["new_versions"] == first["counts"]["post_version"] + first["counts"]["comment_version"]
    # robots.txt, the posts listing (one page: 100 a page) and each on-topic post's
    # comments (one page each: none has 100), every response on record as a fetch.
    assert first["counts"]["fetch"] == stats["pages"] == 2 + len(site.seed.on_topic_posts)
    assert first["crawls"][0].trigger == "manual"

    second = crawl_ok(config, db_url)
    assert second["counts"]["post_version"] == first["counts"]["post_version"]
    assert second["counts"]["comment_version"] == first["counts"]["comment_version"]
    assert stats_of(second["crawls"][1])["new_versions"] == 0


def test_every_route_gives_the_same_archive(
    wordpress_site_defaults: Any, sqlite_url: str, tmp_path: Path
) -> None:
    site = wordpress_site_defaults
    config = write_config(tmp_path, site.base_url)
    rest = crawl_ok(config, sqlite_url)
    assert_matches_seed(rest, site.seed)

    site.block_rest(True)
    html = crawl_ok(config, f"sqlite:///{tmp_path / 'html.db'}")
    assert stats_of(html["crawls"][0])["route"] == "html"
    assert_matches_seed(html, site.seed)
    assert content(html) == content(rest)
    # The HTML route's recrawl writes nothing either.
    again = crawl_ok(config, f"sqlite:///{tmp_path / 'html.db'}")
    assert again["counts"]["comment_version"] == html["counts"]["comment_version"]
    assert again["counts"]["post_version"] == html["counts"]["post_version"]

    site.set_default_comments_page("oldest")
    oldest = crawl_ok(config, f"sqlite:///{tmp_path / 'oldest.db'}")
    assert content(oldest) == content(rest), "comment pages in either order"



# Under plain permalinks WordPress marks category links rel="category" alone (not
# "category tag"): a post on topic only through its category tells whether the HTML
# route still reads categories there.
def test_plain_permalinks_rest_route_and_html_agree(
    wordpress_site_defaults: Any, sqlite_url: str, tmp_path: Path
) -> None:
    # Links inside posts change with the permalink structure, so plain-permalink
    # archives are compared with each other, not with the pretty ones.
    site = wordpress_site_defaults
    site.set_permalinks(pretty=False)
    config = write_config(tmp_path, site.base_url)
    rest_route = crawl_ok(config, sqlite_url)
    assert stats_of(rest_route["crawls"][0])["route"] == "plain"
    assert_matches_seed(rest_route, site.seed)
    site.block_rest(True)
    html = crawl_ok(config, f"sqlite:///{tmp_path / 'plain.db'}")
    assert stats_of(html["crawls"][0])["route"] == "html"
    assert content(html) == content(rest_route)


def test_use_rest_false_goes_straight_to_html(
    wordpress_site_defaults: Any, sqlite_url: str, tmp_path: Path
) -> None:
    site = wordpress_site_defaults
    config = write_config(tmp_path, site.base_url, extra="use_rest = false\n")
    archive = crawl_ok(config, sqlite_url)
    assert_matches_seed(archive, site.seed)
    assert "rest" not in stats_of(archive["crawls"][0])


@pytest.mark.parametrize("rest", [True, False], ids=["rest", "html"])
def test_since_keeps_only_newer_posts(
    wordpress_site_defaults: Any, sqlite_url: str, tmp_path: Path, rest: bool
) -> None:
    from datetime import UTC, datetime

    site = wordpress_site_defaults
    site.block_rest(not rest)
    since = datetime(2025, 3, 1, tzinfo=UTC)
    config = write_config(tmp_path, site.base_url, extra='since = "2025-03-01"\n')
    archive = crawl_ok(config, sqlite_url)
    wanted = {str(p.id) for p in site.seed.on_topic_posts if p.date >= since}
    assert wanted and set(archive["posts"]) == wanted
    # REST asks only for posts after the day before `since`: none older is listed. HTML
    # reads the posts of the month before (dated_before_since keeps a month of slack for
    # the site's time zone) and drops them by their date; older ones by their URL alone.
    month_before = [p for p in site.seed.posts if (p.date.year, p.date.month) == (2025, 2)]
    assert len(month_before) == 3
    before_since = 0 if rest else len(month_before)
    assert stats_of(archive["crawls"][0]).get("posts_before_since", 0) == before_since
