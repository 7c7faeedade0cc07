"""Migration 0007 on an archive written before it: every comment version rehashed as the
writer now hashes it (so the next crawl of an unchanged comment writes nothing), and the
existing edges valid from their version's time, by its crawl."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from storage.engine import connect, upgrade
from storage.hashing import comment_hash
from tests.factories import make_comment

# A comment as an archive at 0005 holds it, its content hash still palimpsest-hash-1's.
ROWS = """
INSERT INTO source (id, key, name, url, platform, created_at) VALUES (1, 's', 'S', 'https://b.example/', 'wordpress', '{t}');
INSERT INTO crawl (id, source_id, started_at, status, trigger) VALUES (7, 1, '{t}', 'ok', 'manual');
INSERT INTO post (id, source_id, external_id, url, first_seen_at, last_seen_at)
  VALUES (1, 1, '100', 'https://b.example/?p=100', '{t}', '{t}');
INSERT INTO comment (id, post_id, external_id, first_seen_at, last_seen_at) VALUES (1, 1, '5', '{t}', '{t}');
INSERT INTO comment_version (id, comment_id, version, valid_from, crawl_id, content_hash, deleted,
  author_raw, author_url, published_at, threaded_parent_external_id, parent_external_id,
  body_html, body_text, own_text, position)
  VALUES (1, 1, 1, '{t}', 7, '{old}', {false}, 'Ana  Ruiz', NULL, '{t}', '4', '4',
          '<p>@Bo: see <a href="https://court.example/r" rel="nofollow">this</a>.</p>',
          '@Bo: see this.', 'see this.', 0);
INSERT INTO reply (id, comment_version_id, ordinal, kind, raw_name, target_kind, target_external_id, resolved_by)
  VALUES (1, 1, 0, 'at_reply', 'Bo', 'comment', '4', 'name');
INSERT INTO quote (id, comment_version_id, ordinal, quoted_text, source_kind)
  VALUES (1, 1, 0, 'a claim', 'post')
"""


def test_0007_rehashes_and_dates_the_edges(db_url: str) -> None:
    engine = connect(db_url)
    try:
        upgrade(engine, "0005")
        t = "2025-01-01T06:35:00.000000Z" if engine.dialect.name == "sqlite" else "2025-01-01 06:35:00+00"
        false = "0" if engine.dialect.name == "sqlite" else "false"
        with engine.begin() as conn:
            for statement in ROWS.format(t=t, old="0" * 64, false=false).split(";\n"):
                conn.exec_driver_sql(statement)
        upgrade(engine)
        with engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT content_hash FROM comment_version")).scalar_one()
            edges = conn.execute(sa.text(
                "SELECT valid_to IS NULL, crawl_id FROM reply UNION ALL "
                "SELECT valid_to IS NULL, crawl_id FROM quote"
            )).all()  # fmt: skip
            replies = conn.execute(sa.text("SELECT target_external_id FROM comment_replies")).all()
    finally:
        engine.dispose()
    record = make_comment(
        "5", "@Bo: see this.", author="Ana  Ruiz", threaded_parent_external_id="4",
        published_at=datetime(2025, 1, 1, 6, 35, tzinfo=UTC),
        body_html='<p>@Bo: see <a href="https://court.example/r" rel="nofollow">this</a>.</p>',
    )  # fmt: skip
    assert stored == comment_hash(record)
    assert [(bool(a), b) for a, b in edges] == [(True, 7), (True, 7)]
    assert [tuple(r) for r in replies] == [("4",)]
