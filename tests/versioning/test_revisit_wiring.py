"""The revisit policy as the spider applies it: post_state loaded once, new activity counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from bench.sitegen import SiteSpec, generate_site
from bench.static_server import serve_static
from crawler.recrawl import KnownPosts
from crawler.revisit import RevisitPolicy
from storage.archive import Archive
from tests.crawler.crawling import read_archive, run_crawl, stats_of, write_config
from tests.factories import SOURCE_KEY, at, make_comment, make_post, make_thread, record


def test_new_comment_activity_makes_an_old_post_recent_again(
    archive: Archive, engine: Any, crawl: Any
) -> None:
    old = make_post(published_at=at(-200))
    record(archive, make_thread([make_comment("1", published_at=at(-199))], post=old), crawl())
    policy = RevisitPolicy()
    known = KnownPosts.from_list(archive.known_posts(SOURCE_KEY))
    post = known.get("100")
    assert post is not None and post.fingerprint is None and post.complete_before
    assert not known.due(post, at(1), policy)  # checked yesterday, quiet for months
    assert known.due(post, at(31), policy)  # its monthly turn
    # A comment of yesterday, seen on that visit: nightly again.
    record(archive, make_thread([make_comment("1", published_at=at(-199)),
                                make_comment("2", published_at=at(30, 12))],
                               post=old, fetched_at=at(31)), crawl())
    known = KnownPosts.from_list(archive.known_posts(SOURCE_KEY))
    assert known.due(known.get("100"), at(32), policy)
    assert known.due(None, at(32), policy)  # never seen: always due
    assert at(32) - at(31) < timedelta(days=policy.daily_days)


def test_scheduled_recrawl_skips_posts_not_due(tmp_path: Path, sqlite_url: str) -> None:
    """Scheduled crawls apply the policy; manual ones look at every post. On the HTML
    route each skipped post's comment feed is asked for new comments; a post with one, or
    whose feed does not answer, is due after all."""
    root = tmp_path / "site"
    root.mkdir()
    with serve_static(root, prefer_nginx=False) as (base, _):
        generate_site(root, SiteSpec(posts=3, comments=12, per_page=10, page_kb=4), base)
        config = write_config(tmp_path, base, extra="use_rest = false\n")
        for step in ("first", "quiet", "quiet", "active"):
            if step == "active":
                _new_comment_in_feed(root / "2025/02/post-1/feed/index.html")
                (root / "2025/03/post-2/feed/index.html").unlink()  # feeds off: a 404
            run = run_crawl(config, sqlite_url, "--trigger", "schedule")
            assert run.returncode == 0, run.stderr[-2000:]
        run = run_crawl(config, sqlite_url, "--trigger", "manual")
        assert run.returncode == 0, run.stderr[-2000:]
    crawls = read_archive(sqlite_url)["crawls"]
    first, second, third, active, manual = (stats_of(c) for c in crawls)
    assert first["posts"] == 3 and "posts_not_due" not in first and "posts_feed_probed" not in first
    # Posts from 2025 with no new comments: monthly, and checked minutes ago.
    for quiet in (second, third):
        assert quiet["posts_not_due"] == 3 and quiet["posts"] == 0, quiet
        assert quiet["posts_feed_probed"] == 3 and "posts_active" not in quiet
    assert active["posts_feed_probed"] == 3 and active["posts_active"] == 1
    assert active["posts_feed_failed"] == 1
    assert active["posts"] == 2 and active["posts_not_due"] == 1
    assert manual["posts"] == 3 and manual["threads_unchanged"] == 3
    assert "posts_feed_probed" not in manual


def _new_comment_in_feed(feed: Path) -> None:
    """As if a comment had been posted a minute ago (the thread pages stay as they were)."""
    now = format_datetime(datetime.now(UTC), usegmt=True)
    text = feed.read_text(encoding="utf-8")
    feed.write_text(
        text.replace("<item>", f"<item><title>By: Late</title><pubDate>{now}</pubDate></item><item>", 1),
        encoding="utf-8",
    )
