"""Recrawl semantics against the test WordPress, on the REST and the HTML route.

Crawl; edit two comments, trash one, add two replies (one threaded onto the oldest
comment, which sits on an old comment page), append an update to a post, rename one
commenter on one comment, publish a new on-topic post; crawl again. The archive shows
exactly those changes in the `changes` view, and nothing else: comments that moved to
another comment page, page chrome and re-rendered markup make no version.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from crawler.revisit import RevisitPolicy
from tests.crawler.crawling import as_utc, read_archive, run_crawl, stats_of, write_config
from tests.crawler.crawling import crawl_ok as crawl

pytestmark = [pytest.mark.wordpress, pytest.mark.slow]


def events(db_url: str, crawl_id: int) -> Counter[tuple[str, str | None]]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT kind, comment_external_id, post_external_id FROM changes WHERE crawl_id = :c"
        ), {"c": crawl_id}).all()
    engine.dispose()
    return Counter((r.kind, r.comment_external_id or f"post {r.post_external_id}") for r in rows)


def aliases(db_url: str) -> set[str]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        names = set(conn.scalars(sa.text("SELECT raw_name FROM author_alias")))
    engine.dispose()
    return names


def left_alone(db_url: str, crawl_id: int) -> list[int]:
    """Ids of the posts crawl `crawl_id` did not look at, first archived first."""
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        ids = conn.scalars(sa.text(
            "SELECT p.external_id FROM post p JOIN post_state s ON s.post_id = p.id"
            " WHERE s.last_complete_crawl_id < :crawl ORDER BY p.id"
        ), {"crawl": crawl_id}).all()
    engine.dispose()
    return [int(i) for i in ids]


def quiet_for(archive: dict[str, Any], days: int) -> set[int]:
    """Ids of the archived posts with no publication and no comment in the last `days` days."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    newest = {key: as_utc(row.published_at) for key, row in archive["posts"].items()}
    for c in archive["comments"]:
        newest[c.post] = max(newest[c.post], c.published_at)
    return {int(key) for key, at in newest.items() if at < cutoff}


def test_recrawl_records_exactly_the_changes(fresh_wordpress_site: Any, tmp_path: Path) -> None:
    site = fresh_wordpress_site
    rest_db, html_db = f"sqlite:///{tmp_path / 'rest.db'}", f"sqlite:///{tmp_path / 'html.db'}"
    rest_cfg = write_config(tmp_path, site.base_url)
    html_cfg = write_config(tmp_path, site.base_url, extra="use_rest = false\n", name="html.toml")
    before = {db: crawl(cfg, db) for cfg, db in ((rest_cfg, rest_db), (html_cfg, html_db))}

    # The thread with the most comments spans several comment pages.
    post = max(site.seed.on_topic_posts, key=lambda p: len(p.visible_comments))
    visible = sorted(post.visible_comments, key=lambda c: (c.date, c.id))
    parents = {c.parent for c in post.visible_comments}
    leaves = [c for c in visible if c.id not in parents and c.parent]
    oldest, edited_a, edited_b, trashed, renamed = visible[0], leaves[0], leaves[1], leaves[2], leaves[3]
    site.edit_comment(edited_a.id, edited_a.content + "<p>Edited: one more sentence.</p>")
    site.edit_comment(edited_b.id, "<p>Entirely rewritten by its author.</p>")
    site.trash_comment(trashed.id)
    site.rename_comment_author(renamed.id, renamed.author + " (renamed)")
    old_reply = site.add_comment(post.id, "Late Reader", "<p>Answering the very first one.</p>",
                                 parent=oldest.id)
    new_reply = site.add_comment(post.id, "Later Reader", "<p>A fresh top-level comment.</p>")
    site.update_post(post.id, content=post.content + "<p><strong>Update:</strong> the court ruled.</p>")
    new_post = site.add_post(title="Deportation flights resume", content="<p>CECOT again.</p>",
                             tags=("Deportation Policy",))

    expected = Counter({
        ("edited", str(edited_a.id)): 1,
        ("edited", str(edited_b.id)): 1,
        ("deleted", str(trashed.id)): 1,
        ("renamed", str(renamed.id)): 1,
        ("added", str(old_reply)): 1,
        ("added", str(new_reply)): 1,
        ("edited", f"post {post.id}"): 1,
        ("added", f"post {new_post}"): 1,
    })
    for cfg, db in ((rest_cfg, rest_db), (html_cfg, html_db)):
        after = crawl(cfg, db)
        second = after["crawls"][-1].id
        assert events(db, second) == expected, db
        counts, old = after["counts"], before[db]["counts"]
        assert counts["comment_version"] == old["comment_version"] + 6
        assert counts["post_version"] == old["post_version"] + 2
        assert renamed.author + " (renamed)" in aliases(db)
        # A third crawl of the unchanged site: nothing, and every thread skipped unparsed.
        third = crawl(cfg, db)
        assert third["counts"]["comment_version"] == counts["comment_version"]
        assert third["counts"]["post_version"] == counts["post_version"]
        assert stats_of(third["crawls"][-1]).get("threads_unchanged") == len(site.seed.on_topic_posts)


def test_post_gone_on_two_crawls_in_a_row_is_tombstoned(
    fresh_wordpress_site: Any, tmp_path: Path
) -> None:
    site = fresh_wordpress_site
    db = f"sqlite:///{tmp_path / 'gone.db'}"
    config = write_config(tmp_path, site.base_url)
    crawl(config, db)
    victim = min(site.seed.on_topic_posts, key=lambda p: len(p.visible_comments))
    site.trash_post(victim.id)
    try:
        engine = sa.create_engine(db)
        state = sa.text(
            "SELECT ps.gone_count, pv.deleted FROM post_state ps JOIN post p ON p.id = ps.post_id "
            "JOIN post_version pv ON pv.post_id = p.id AND pv.valid_to IS NULL "
            "WHERE p.external_id = :e"
        )
        once = crawl(config, db)  # the post answers 404 once: counted and logged only
        with engine.connect() as conn:
            assert tuple(conn.execute(state, {"e": str(victim.id)}).one()) == (1, False)
        assert stats_of(once["crawls"][-1])["posts_gone"] == 1
        twice = crawl(config, db)
        with engine.connect() as conn:
            assert tuple(conn.execute(state, {"e": str(victim.id)}).one()) == (2, True)
        assert events(db, twice["crawls"][-1].id) == Counter({("deleted", f"post {victim.id}"): 1})
    finally:
        site.restore_post(victim.id)
    back = crawl(config, db)
    assert events(db, back["crawls"][-1].id) == Counter({("restored", f"post {victim.id}"): 1})
    engine.dispose()


@pytest.mark.parametrize("route", ["rest", "html"])
def test_scheduled_crawl_revisits_an_old_post_with_a_new_comment(
    fresh_wordpress_site: Any, tmp_path: Path, route: str
) -> None:
    """The revisit policy leaves old quiet posts for later; the REST list of recent
    comments, or without REST each skipped post's comment feed, makes an old post with a
    new comment due tonight."""
    site = fresh_wordpress_site
    db = f"sqlite:///{tmp_path / 'revisit.db'}"
    config = write_config(tmp_path, site.base_url, extra="use_rest = false\n" if route == "html" else "")
    for _ in range(2):
        run = run_crawl(config, db, "--trigger", "schedule")
        assert run.returncode == 0, run.stderr[-3000:]
    quiet_crawl = read_archive(db)["crawls"][-1]
    quiet = stats_of(quiet_crawl)
    assert quiet["new_versions"] == 0
    # Not due: exactly the posts quiet beyond the nightly window. The seed is from 2025,
    # but the module's other tests (and the rest run, for html) made some posts recent on
    # this site, so which posts those are is read from the archive, not written down.
    alone = left_alone(db, quiet_crawl.id)
    assert set(alone) == quiet_for(read_archive(db), RevisitPolicy().daily_days)
    assert quiet["posts_not_due"] == len(alone), (quiet, alone)
    old = alone[0]
    added = site.add_comment(old, "Months Later", "<p>Still relevant, sadly.</p>")
    run = run_crawl(config, db, "--trigger", "schedule")
    assert run.returncode == 0, run.stderr[-3000:]
    archive = read_archive(db)
    stats = stats_of(archive["crawls"][-1])
    assert stats.get("posts_active") == 1, (quiet, stats)
    assert stats["posts_not_due"] == quiet["posts_not_due"] - 1
    if route == "html":
        assert quiet["posts_feed_probed"] == quiet["posts_not_due"]
        assert stats["posts_feed_probed"] == quiet["posts_not_due"]
        assert "posts_feed_failed" not in stats
    assert events(db, archive["crawls"][-1].id) == Counter({("added", str(added)): 1})
