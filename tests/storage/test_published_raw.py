"""The date as the page showed it is archived beside published_at (migration 0009), on
SQLite and PostgreSQL, and is not content: a change of it alone writes no version."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from tests.factories import make_comment, make_post, make_thread, record


def test_published_raw_and_approximate_are_stored_not_hashed(archive: Any, crawl: Any, engine: Any) -> None:
    zoneless = make_comment("1", published_raw="19. Juni 2018 um 15:28 Uhr", published_at=None)
    relative = make_comment("2", published_raw="3 days ago", published_approximate=True)
    post = replace(make_post(), published_raw="2025-01-02T05:00:00-05:00")
    record(archive, make_thread(post=post, comments=[zoneless, relative]), crawl())
    query = "SELECT published_at, published_raw, published_approximate FROM comment_version ORDER BY id"
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text(query))]
        post_raw = conn.execute(sa.text("SELECT published_raw FROM post_version")).scalar_one()
    assert [(r[1], bool(r[2])) for r in rows] == [("19. Juni 2018 um 15:28 Uhr", False), ("3 days ago", True)]
    assert rows[0][0] is None
    assert post_raw == "2025-01-02T05:00:00-05:00"
    # Only the raw spelling changed: no new version.
    respelled = replace(zoneless, published_raw="19.06.2018 15:28")
    result = record(archive, make_thread(post=post, comments=[respelled, relative]), crawl())
    assert result.new_comment_versions == 0


def test_the_views_show_the_raw_date_beside_published_at(archive: Any, crawl: Any, engine: Any) -> None:
    zoneless = make_comment("1", published_raw="19. Juni 2018 um 15:28 Uhr", published_at=None)
    relative = make_comment("2", published_raw="3 days ago", published_approximate=True)
    post = replace(make_post(), published_raw="2025-01-02T05:00:00-05:00")
    record(archive, make_thread(post=post, comments=[zoneless, relative]), crawl())
    with engine.connect() as conn:
        for view in ("current_comments", "comment_history"):
            rows = conn.execute(sa.text(
                f"SELECT external_id, published_at, published_raw, published_approximate FROM {view}"
                " ORDER BY external_id"
            )).all()  # fmt: skip
            # (published_at: NULL for the zoneless date; a view's times are text on SQLite)
            assert [(r[0], r[1] is None, r[2], bool(r[3])) for r in rows] == [
                ("1", True, "19. Juni 2018 um 15:28 Uhr", False), ("2", False, "3 days ago", True),
            ], view
        for view in ("current_posts", "post_history"):
            raw = conn.execute(sa.text(f"SELECT published_raw FROM {view}")).scalar_one()
            assert raw == "2025-01-02T05:00:00-05:00", view
