"""A quoted comment is edited, deleted and restored; the comment quoting it never changes.

On the test WordPress, by the REST and the HTML route, into SQLite and PostgreSQL: the
quoted comment gets its versions (edited, deleted, restored), and the quoting comment
none after its first. Its quote keeps its source throughout (the archived versions of the
quoted comment hold the passage, issue 17 point 2), and its @-reply, which cannot
resolve while the quoted comment is gone, is re-derived on the edge rows, not as an edit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.crawler.crawling import crawl_ok as crawl
from tests.crawler.crawling import stats_of, write_config

pytestmark = [pytest.mark.wordpress, pytest.mark.slow]

PASSAGE = "the second plane turned south over the Gulf after the order was read"


def state(db: str, comment_id: int) -> dict[str, Any]:
    """What the archive says of one comment: its versions, events, quotes and @-replies."""
    engine = sa.create_engine(db)
    cid = {"e": str(comment_id)}
    try:
        with engine.connect() as conn:
            return {
                "versions": conn.execute(sa.text(
                    "SELECT count(*) FROM comment_history WHERE external_id = :e"), cid).scalar_one(),
                "events": [r.kind for r in conn.execute(sa.text(
                    "SELECT kind FROM changes WHERE comment_external_id = :e ORDER BY version"), cid)],
                "quotes": [tuple(r) for r in conn.execute(sa.text(
                    "SELECT source_kind, source_external_id FROM comment_quotes WHERE external_id = :e"
                    " ORDER BY ordinal"), cid)],
                "at_replies": [r.target_external_id for r in conn.execute(sa.text(
                    "SELECT target_external_id FROM comment_replies WHERE external_id = :e"
                    " AND kind = 'at_reply'"), cid)],
                "closed_edges": conn.execute(sa.text(
                    "SELECT count(*) FROM reply r JOIN comment_version cv ON cv.id = r.comment_version_id"
                    " JOIN comment c ON c.id = cv.comment_id"
                    " WHERE c.external_id = :e AND r.valid_to IS NOT NULL"), cid).scalar_one(),
            }  # fmt: skip
    finally:
        engine.dispose()


def test_quoted_comment_edited_deleted_restored_quoting_one_never_changes(
    fresh_wordpress_site: Any, db_url: str, fresh_url: str, tmp_path: Path
) -> None:
    site = fresh_wordpress_site
    post = min(site.seed.on_topic_posts, key=lambda p: len(p.visible_comments))
    now = datetime.now(UTC).replace(microsecond=0)
    quoted = site.add_comment(
        post.id, "Ines Quoted", f"<p>I watched the tracker: {PASSAGE}. Nobody stopped it.</p>",
        date=now - timedelta(minutes=2),
    )
    quoting = site.add_comment(
        post.id, "Ravi Quoting",
        f"<p>@Ines Quoted: and then?</p><blockquote><p>{PASSAGE}</p></blockquote>"
        "<p>That is the whole contempt case.</p>",
        date=now - timedelta(minutes=1),
    )
    routes = {
        db_url: write_config(tmp_path, site.base_url),
        fresh_url: write_config(tmp_path, site.base_url, extra="use_rest = false\n", name="html.toml"),
    }

    def crawl_both(expected: tuple[int, int] | None = None) -> None:
        """Crawl by both routes; `expected`: the crawl's (new comment versions, comments
        whose edges it derived anew), as its stats say."""
        for db, config in routes.items():
            stats = stats_of(crawl(config, db)["crawls"][-1])
            if expected is not None:
                got = (stats["new_comment_versions"], stats["rederived_comments"])
                assert got == expected, (db, stats)

    crawl_both()
    for db in routes:
        assert state(db, quoted)["events"] == ["added"], db
        assert state(db, quoting) == {
            "versions": 1, "events": ["added"], "quotes": [("comment", str(quoted))],
            "at_replies": [str(quoted)], "closed_edges": 0,
        }, db  # fmt: skip

    # Edited: the passage is gone from the quoted comment; the archive still has it.
    site.edit_comment(quoted, "<p>I watched the tracker. Nobody stopped it.</p>")
    crawl_both((1, 0))
    for db in routes:
        assert state(db, quoted)["events"] == ["added", "edited"], db
        assert state(db, quoting) == {
            "versions": 1, "events": ["added"], "quotes": [("comment", str(quoted))],
            "at_replies": [str(quoted)], "closed_edges": 0,
        }, db  # fmt: skip

    # Deleted: "@Ines Quoted" names nobody in the thread now; the quote keeps its source.
    site.trash_comment(quoted)
    crawl_both((0, 1))  # the quoted comment's tombstone is no new version
    for db in routes:
        assert state(db, quoted)["events"] == ["added", "edited", "deleted"], db
        assert state(db, quoting) == {
            "versions": 1, "events": ["added"], "quotes": [("comment", str(quoted))],
            "at_replies": [None], "closed_edges": 1,
        }, db  # fmt: skip

    # Restored: the @-reply resolves again, on the edge rows.
    site.restore_comment(quoted)
    crawl_both((1, 1))
    for db in routes:
        assert state(db, quoted)["events"] == ["added", "edited", "deleted", "restored"], db
        assert state(db, quoting) == {
            "versions": 1, "events": ["added"], "quotes": [("comment", str(quoted))],
            "at_replies": [str(quoted)], "closed_edges": 2,
        }, db  # fmt: skip
