"""A takedown on a crawl of the real test WordPress, on SQLite and PostgreSQL.

Ana Beltrán wrote two comments of the deep CECOT thread; Hannah K. quotes the second
and Zoë @-replies to her. After `palimpsest redact --author`, neither her name nor the
text of her comments is in the database (its files' bytes on SQLite, any row of any
table or view on PostgreSQL), in any export format, or in the WARC captures; the thread
keeps its comments, places and reply chains; a recrawl of the unchanged site (captured
again) and a reparse of the capture write no new version and bring nothing back.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.crawler.crawling import REPO, run_crawl, stats_of, write_config
from tests.export.helpers import cli
from tests.redaction.checks import in_database, in_exports, in_warcs, structure

pytestmark = [pytest.mark.wordpress, pytest.mark.slow]

NAME = "Ana Beltrán"


def _her_comments(url: str) -> dict[str, Any]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        texts = conn.execute(sa.text(
            "SELECT DISTINCT body_text FROM comment_history WHERE author_name = :n"), {"n": NAME}
        ).scalars().all()
        ids = conn.execute(sa.text(
            "SELECT external_id FROM current_comments WHERE author_name = :n"), {"n": NAME}
        ).scalars().all()
        quoted = conn.execute(sa.text(
            "SELECT count(*) FROM comment_quotes WHERE source_kind = 'comment' "
            "AND source_external_id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": list(ids)}).scalar_one()
        answered = conn.execute(sa.text(
            "SELECT count(*) FROM comment_replies WHERE kind = 'at_reply' "
            "AND target_external_id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": list(ids)}).scalar_one()
        versions = conn.execute(sa.text("SELECT count(*) FROM comment_version")).scalar_one()
    engine.dispose()
    return {"texts": list(texts), "ids": ids, "quoted": quoted, "answered": answered,
            "versions": versions}


def test_takedown_of_a_commenter(wordpress_site_defaults: Any, db_url: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, wordpress_site_defaults.base_url)
    warc = tmp_path / "warc"
    first = run_crawl(config, db_url, "--warc", str(warc))
    assert first.returncode == 0, first.stderr[-3000:]
    her = _her_comments(db_url)
    assert len(her["ids"]) == 2 and her["quoted"] == 1 and her["answered"] == 1
    needles = [NAME, *her["texts"]]
    assert len(needles) == 3
    # the checks can fail: before the takedown, everything is everywhere
    assert in_database(db_url, needles) == sorted(needles)
    assert len(in_warcs(warc, needles)) >= len(needles)
    before = structure(db_url)

    result = cli("redact", "--db", db_url, "--config", str(config), "--warc", str(warc),
                 "--author", NAME, "--reason", "request 2026-12-04", "--yes")
    assert result.exit_code == 0, result.output
    assert "testblog: the author: 2 comments redacted" in result.output
    assert "WARC " in result.output

    assert in_database(db_url, needles) == []
    assert in_exports(db_url, tmp_path / "export", needles) == []
    assert in_warcs(warc, needles) == []
    assert structure(db_url) == before

    # a recrawl of the unchanged site, captured again: nothing new, nothing back
    again = tmp_path / "warc-again"
    rerun = run_crawl(config, db_url, "--warc", str(again))
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert in_warcs(again, needles) == []
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        last = conn.execute(sa.text("SELECT status, stats FROM crawl ORDER BY id DESC LIMIT 1")).one()
        versions = conn.execute(sa.text("SELECT count(*) FROM comment_version")).scalar_one()
    engine.dispose()
    assert last.status == "ok" and stats_of(last)["new_versions"] == 0
    assert versions == her["versions"]
    assert in_database(db_url, needles) == []
    assert structure(db_url) == before

    # a reparse of the rewritten capture: the files check, the redacted pages are gone
    done = subprocess.run(
        [sys.executable, "-m", "cli", "reparse", "--config", str(config), "--db", db_url,
         "--crawl", "1", "--warc", str(warc)],
        cwd=REPO, check=False, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT count(*) FROM comment_version")).scalar_one()
    engine.dispose()
    assert versions == her["versions"]
    assert in_database(db_url, needles) == []
    assert structure(db_url) == before
