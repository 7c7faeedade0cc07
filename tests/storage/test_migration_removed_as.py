"""Migration 0011 on an archive written before it: the versions keep their rows and hashes,
gain `removed_as`, `edited`, `edited_at` as NULL (nothing was stated), the views show
them; the next crawl of the unchanged comment writes no version; and back down to 0010
the columns and the views' new columns are gone, the rows kept."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from storage.archive import Archive
from storage.engine import connect, upgrade
from storage.hashing import comment_hash
from storage.records import RemovalRecord
from storage.schema import downgrade_database
from tests.factories import BASE_TIME, SOURCE_KEY, at, make_check, make_comment, make_thread

COMMENT = make_comment("5", "Still here.")

ROWS = """
INSERT INTO source (id, key, name, url, platform, created_at) VALUES (1, '{source}', 'S', 'https://blog.example/', 'wordpress', '{t}');
INSERT INTO crawl (id, source_id, started_at, status, trigger) VALUES (7, 1, '{t}', 'ok', 'manual');
INSERT INTO post (id, source_id, external_id, url, first_seen_at, last_seen_at)
  VALUES (1, 1, '100', 'https://blog.example/?p=100', '{t}', '{t}');
INSERT INTO comment (id, post_id, external_id, first_seen_at, last_seen_at) VALUES (1, 1, '5', '{t}', '{t}');
INSERT INTO comment_version (id, comment_id, version, valid_from, crawl_id, content_hash, deleted,
  author_raw, author_url, published_at, threaded_parent_external_id, parent_external_id,
  body_html, body_text, own_text, position)
  VALUES (1, 1, 1, '{t}', 7, '{hash}', {false}, 'Commenter', NULL, '{published}', NULL, NULL,
          '<p>Still here.</p>', 'Still here.', 'Still here.', 0)
"""


def _stamp(engine: sa.Engine, value: object) -> str:
    text = value.isoformat()  # type: ignore[attr-defined]
    return text.replace("+00:00", ".000000Z") if engine.dialect.name == "sqlite" else text


def _columns(engine: sa.Engine, relation: str) -> set[str]:
    insp = sa.inspect(engine)
    return {c["name"] for c in insp.get_columns(relation)}


def test_0011_adds_the_columns_keeps_the_hashes_and_goes_back(db_url: str) -> None:
    engine = connect(db_url)
    try:
        upgrade(engine, "0010")
        false = "0" if engine.dialect.name == "sqlite" else "false"
        rows = ROWS.format(source=SOURCE_KEY, t=_stamp(engine, BASE_TIME), hash=comment_hash(COMMENT),
                           false=false, published=_stamp(engine, COMMENT.published_at))
        with engine.begin() as conn:
            for statement in rows.split(";\n"):
                conn.exec_driver_sql(statement)
        upgrade(engine)
        new = {"removed_as", "edited", "edited_at"}
        assert new <= _columns(engine, "comment_version")
        assert new <= _columns(engine, "comment_history")
        assert {"edited", "edited_at"} <= _columns(engine, "current_comments")
        with engine.connect() as conn:
            stated = conn.execute(sa.text("SELECT removed_as, edited, edited_at FROM comment_version")).one()
        assert tuple(stated) == (None, None, None)

        # The next crawl, which the service now tells of no edit: the hash is the same.
        archive = Archive(engine)
        crawl = archive.start_crawl(SOURCE_KEY, "test")
        thread = make_thread([replace(COMMENT, edited=False)], fetched_at=at(1),
                             removals=(RemovalRecord(external_id="6", removed_as="deleted"),))
        result = archive.record(thread, crawl, make_check(thread))
        assert (result.new_comment_versions, result.tombstones, result.unchanged_comments) == (0, 0, 1)

        assert "downgraded to 0010" in downgrade_database(str(engine.url.render_as_string(False)), "0010")
        assert not new & _columns(engine, "comment_version")
        assert not new & _columns(engine, "comment_history")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM comment_version")).scalar() == 1
        upgrade(engine)
        assert new <= _columns(engine, "comment_history")
    finally:
        engine.dispose()
