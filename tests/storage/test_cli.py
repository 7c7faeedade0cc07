"""`palimpsest db` and `palimpsest sql`: output formats, and one-line errors for bad input."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main
from storage.archive import Archive
from storage.engine import connect, open_engine
from tests.conftest import grant_reader
from tests.factories import SOURCE_KEY, make_comment, make_thread, record
from tests.storage.test_engine import closed_port

REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"PALIMPSEST_DB": None})


def assert_one_line_error(result: Result, *needles: str) -> None:
    assert result.exit_code != 0, result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("palimpsest: error: ")
    assert "Traceback" not in result.output + result.stderr
    for needle in needles:
        assert needle in err


@pytest.fixture
def filled(db_url: str) -> str:
    """An archive with one thread of two comments."""
    archive = Archive(open_engine(db_url))
    archive.ensure_source(SOURCE_KEY, "Test blog", "https://blog.example/", "wordpress")
    crawl_id = archive.start_crawl(SOURCE_KEY, "test")
    record(
        archive,
        make_thread(
            [
                make_comment("1", 'first, with "quotes"\nand a newline'),
                make_comment("2", parent="1"),
            ]
        ),
        crawl_id,
    )
    grant_reader(archive.engine)
    archive.engine.dispose()
    return db_url


QUERY = "SELECT external_id, parent_external_id, body_text FROM current_comments ORDER BY 1"


def test_sql_formats(filled: str) -> None:
    table = run("sql", QUERY, "--db", filled)
    assert table.exit_code == 0, table.output
    assert "external_id" in table.stdout and "(2 rows)" in table.stdout

    rows = list(
        csv.reader(io.StringIO(run("sql", QUERY, "--db", filled, "--format", "csv").stdout))
    )
    assert rows[0] == ["external_id", "parent_external_id", "body_text"]
    assert rows[1] == ["1", "", 'first, with "quotes"\nand a newline']
    assert rows[2][:2] == ["2", "1"]

    as_json = json.loads(run("sql", QUERY, "--db", filled, "--format", "json").stdout)
    assert as_json[1] == {
        "external_id": "2",
        "parent_external_id": "1",
        "body_text": "Comment 2 text.",
    }
    lines = run("sql", QUERY, "--db", filled, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x) for x in lines] == as_json


def test_sql_timestamps_are_utc_text_on_both_databases(filled: str) -> None:
    out = run(
        "sql",
        "SELECT valid_from FROM comment_history WHERE external_id = '1'",
        "--db",
        filled,
        "--format",
        "json",
    )
    assert json.loads(out.stdout) == [{"valid_from": "2024-03-01T22:00:00.000000Z"}]


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM post",
        "UPDATE comment_version SET body_text = 'x'",
        "CREATE TABLE evil (i integer)",
        "INSERT INTO source (key, name, url, platform, created_at) VALUES ('k','n','u','p',CURRENT_TIMESTAMP)",
    ],
)
def test_sql_refuses_to_write(filled: str, statement: str) -> None:
    assert_one_line_error(run("sql", statement, "--db", filled), "read-only")
    count = run(
        "sql", "SELECT count(*) AS n FROM comment_version", "--db", filled, "--format", "json"
    )
    assert json.loads(count.stdout) == [{"n": 2}]


def test_sql_refuses_several_statements(filled: str) -> None:
    # Several statements could COMMIT the read-only transaction and begin a writable one.
    sneaky = "COMMIT; BEGIN READ WRITE; DELETE FROM comment_version; COMMIT"
    result = run("sql", sneaky, "--db", filled)
    assert_one_line_error(result)
    count = run(
        "sql", "SELECT count(*) AS n FROM comment_version", "--db", filled, "--format", "json"
    )
    assert json.loads(count.stdout) == [{"n": 2}]


def test_sql_bad_query_is_one_line(filled: str) -> None:
    assert_one_line_error(run("sql", "SELEC nonsense", "--db", filled), "query failed")
    assert_one_line_error(run("sql", "SELECT * FROM no_such_table", "--db", filled))


@pytest.mark.parametrize("url", ["sqlite//x.db", "nope://x", "postgresql://h:notaport/db"])
def test_malformed_url_is_one_line(url: str) -> None:
    for args in (["sql", "SELECT 1"], ["db", "upgrade"], ["db", "current"], ["db", "check"]):
        assert_one_line_error(run(*args, "--db", url), url)


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/test"
    assert_one_line_error(run("sql", "SELECT 1", "--db", url), "cannot connect")
    assert_one_line_error(run("db", "upgrade", "--db", url), "cannot connect")
    missing = f"sqlite:///{tmp_path}/missing.db"
    assert_one_line_error(run("sql", "SELECT 1", "--db", missing), "missing.db")


def test_db_commands(db_url: str) -> None:
    connect(db_url).dispose()  # an empty database (SQLite: an empty file)
    current = run("db", "current", "--db", db_url)
    assert current.exit_code == 0 and "run `palimpsest db upgrade`" in current.stdout
    assert_one_line_error(run("db", "check", "--db", db_url), "palimpsest db upgrade")
    assert_one_line_error(run("sql", "SELECT 1", "--db", db_url), "palimpsest db upgrade")
    up = run("db", "upgrade", "--db", db_url)
    assert up.exit_code == 0 and "upgraded" in up.stdout
    assert "up to date" in run("db", "current", "--db", db_url).stdout
    check = run("db", "check", "--db", db_url)
    assert check.exit_code == 0 and "no drift" in check.stdout
    assert_one_line_error(run("db", "upgrade", "--revision", "nosuch", "--db", db_url), "nosuch")


def test_real_process_prints_no_traceback(tmp_path: Path) -> None:
    """The installed entry point, not CliRunner: what a user's shell sees."""
    env = {**os.environ, "PALIMPSEST_DB": "mysql://nobody@127.0.0.1/x"}
    proc = subprocess.run(
        [sys.executable, "-c", "import sys, cli; sys.exit(cli.main())", "sql", "SELECT 1"],
        check=False,
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    expected = (
        "palimpsest: error: unsupported database 'mysql' in 'mysql://nobody@127.0.0.1/x': "
        "use sqlite:///PATH or postgresql://USER@HOST:PORT/DB"
    )
    assert proc.stderr.strip().splitlines() == [expected]
