"""`palimpsest sql` is read-only in fact: each attack of docs/security.md is refused with
one line and leaves nothing behind, on both engines; researchers' queries still run."""

from __future__ import annotations

import json
import shlex
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from cli import main
from storage.engine import open_engine
from storage.models import tables_on
from tests.conftest import READER_ROLE, service_unavailable
from tests.export.conftest import record_sample

REPO = Path(__file__).resolve().parents[2]
SECURITY_DOC = REPO / "docs" / "security.md"
HOSTNAME = Path("/etc/hostname").read_text(encoding="utf-8").strip() if Path(
    "/etc/hostname").exists() else "\0no hostname\0"


def sql(*args: str) -> Result:
    return CliRunner().invoke(main, ["sql", *args], env={"PALIMPSEST_DB": None})


def assert_one_line_error(result: Result, needle: str | None) -> None:
    assert result.exit_code != 0, result.output
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("palimpsest: error: ") and "Traceback" not in err, err
    if needle:
        assert needle in err, err


def _sample(url: str) -> str:
    """The sample archive at `url`, its reader set up; on PostgreSQL with dblink if there."""
    record_sample(url)
    if url.startswith("postgresql"):
        engine = open_engine(url)
        with engine.begin() as conn:
            if conn.exec_driver_sql(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'dblink'"
            ).scalar():
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS dblink")
        engine.dispose()
    return url


@pytest.fixture
def archive_url(db_url: str) -> str:
    return _sample(db_url)


@pytest.fixture
def pg_archive_url(pg_url: str) -> str:
    return _sample(pg_url)


def _archive_state(url: str) -> dict[str, object]:
    """Every row of every archive table, the large objects, and SQLite's journal mode."""
    engine = open_engine(url, read_only=True)
    state: dict[str, object] = {}
    try:
        with engine.connect() as conn:
            for table in tables_on(conn.dialect.name):
                state[table.name] = sorted(map(repr, conn.execute(sa.select(table))))
            if conn.dialect.name == "postgresql":
                state["large objects"] = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_largeobject_metadata").scalar_one()
                state["relations"] = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                ).scalar_one()
                state["roles"] = sorted(r[0] for r in conn.exec_driver_sql(
                    "SELECT rolname FROM pg_roles"))
            else:
                state["journal_mode"] = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
                state["schema"] = sorted(map(repr, conn.exec_driver_sql(
                    "SELECT type, name, sql FROM sqlite_master")))
    finally:
        engine.dispose()
    return state


@dataclass(frozen=True)
class Attack:
    sql: str
    pg: str | None = "read-only"  # a word the one-line error must hold on PostgreSQL
    sqlite: str | None = "read-only"  # and on SQLite (None: any one-line error)
    sqlite_sql: str | None = None  # the same attack in SQLite's words
    args: tuple[str, ...] = field(default=())


ATTACKS = {
    "copy-to-program": Attack("COPY (SELECT 1) TO PROGRAM 'touch {path}'"),
    "copy-to-file": Attack("COPY (SELECT 1) TO '{path}'"),
    "pg_read_file": Attack("SELECT pg_read_file('/etc/hostname')", sqlite=None),
    "pg_ls_dir": Attack("SELECT pg_ls_dir('/')", sqlite=None),
    "lo_import": Attack("SELECT lo_import('/etc/hostname')", sqlite=None),
    "lo_export": Attack("SELECT lo_export(lo_from_bytea(0, 'x'), '{path}')", sqlite=None),
    "dblink": Attack(
        "SELECT * FROM dblink('host=127.0.0.1 dbname=postgres user=postgres',"
        " 'COPY (SELECT 1) TO PROGRAM ''touch {path}''') AS t(x text)",
        sqlite=None,
    ),
    "set-role": Attack("SET ROLE postgres"),
    "reset-role": Attack("RESET ROLE"),
    "set_config-role": Attack(
        "SELECT set_config('role', 'postgres', true), pg_read_file('/etc/hostname')", sqlite=None
    ),
    # the role is switched before query_to_xml plans its query: where SET ROLE alone fails
    "set_config-role-query_to_xml": Attack(
        "SELECT set_config('role', 'postgres', false),"
        " query_to_xml('SELECT pg_read_file(''/etc/hostname'')', false, false, '')",
        sqlite=None,
    ),
    "set-session-authorization": Attack("SET SESSION AUTHORIZATION postgres"),
    "read-only-off-then-write": Attack(
        "WITH s AS (SELECT set_config('default_transaction_read_only', 'off', false)),"
        " d AS (DELETE FROM comment_version RETURNING 1)"
        " SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM d)",
        sqlite=None,
    ),
    "transaction-read-only-off": Attack(
        "SELECT set_config('transaction_read_only', 'off', false)", pg=None, sqlite=None
    ),
    "writable-cte": Attack(
        "WITH d AS (DELETE FROM comment_version RETURNING id) SELECT count(*) FROM d",
        sqlite_sql="WITH d AS (SELECT 1) DELETE FROM comment_version",
    ),
    "create-temp-table": Attack("CREATE TEMP TABLE sneaky AS SELECT * FROM comment_version"),
    "select-into-temp": Attack("SELECT * INTO TEMP sneaky FROM comment_version", sqlite=None),
    "sleep": Attack(
        "SELECT pg_sleep(120) /* {token} */",
        sqlite_sql="WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"
        " SELECT count(*) /* {token} */ FROM r",
        pg="time limit", sqlite="time limit", args=("--timeout", "1"),
    ),
    "sleep-lifting-its-timeout": Attack(
        "SELECT set_config('statement_timeout', '0', false), pg_sleep(120) /* {token} */",
        sqlite=None, pg="time limit", args=("--timeout", "1"),
    ),
    "attach-new-path": Attack("ATTACH DATABASE '{path}' AS x"),
    "vacuum-into": Attack("VACUUM INTO '{path}'"),
    "pragma-journal_mode": Attack("PRAGMA journal_mode=DELETE"),
    "pragma-writable_schema": Attack("PRAGMA writable_schema=1"),
    "pragma-query_only": Attack("PRAGMA query_only=0"),
    "load_extension": Attack("SELECT load_extension('{path}')", pg=None),
    "two-statements": Attack(
        "SELECT 1; DELETE FROM comment_version", pg="one statement", sqlite="one statement"
    ),
    "commit-then-write": Attack("COMMIT; BEGIN; DELETE FROM comment_version"),
}


def _running(url: str, token: str) -> int:
    engine = open_engine(url, read_only=True)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE :t AND pid <> pg_backend_pid()"
            ), {"t": f"%{token}%"}).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_is_refused_and_leaves_nothing(archive_url: str, name: str) -> None:
    attack = ATTACKS[name]
    postgres = archive_url.startswith("postgresql")
    if name == "dblink" and postgres and not _has_extension(archive_url, "dblink"):
        # A missing extension is a missing service: CI (PALIMPSEST_REQUIRE_SERVICES) fails.
        service_unavailable("PostgreSQL: the dblink extension (postgresql-contrib) is not available")
    token = uuid.uuid4().hex
    path = Path(f"/tmp/palimpsest-attack-{token}")  # the server's /tmp is this machine's
    text = attack.sql if postgres or attack.sqlite_sql is None else attack.sqlite_sql
    text = text.format(path=path, token=token)
    before = _archive_state(archive_url)
    started = time.monotonic()
    result = sql(text, "--db", archive_url, *attack.args)
    elapsed = time.monotonic() - started
    assert_one_line_error(result, attack.pg if postgres else attack.sqlite)
    assert result.stdout == "", "nothing read"
    assert HOSTNAME not in result.output
    assert not path.exists(), f"{path} was created"
    assert _archive_state(archive_url) == before
    assert elapsed < 30
    if postgres:
        assert _running(archive_url, token) == 0, "the query still runs on the server"


def _has_extension(url: str, name: str) -> bool:
    engine = open_engine(url, read_only=True)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(
                sa.text("SELECT 1 FROM pg_extension WHERE extname = :n"), {"n": name}).scalar())
    finally:
        engine.dispose()


# -- each layer on its own ---------------------------------------------------------------


@pytest.mark.postgres
def test_set_role_in_a_superuser_session_is_not_enough(pg_archive_url: str) -> None:
    """Why the query logs in as the reader: after SET ROLE, one statement switches back."""
    engine = open_engine(pg_archive_url, read_only=True)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'SET ROLE "{READER_ROLE}"')
            assert conn.exec_driver_sql("SELECT current_user").scalar_one() == READER_ROLE
            escaped = conn.exec_driver_sql(ATTACKS["set_config-role-query_to_xml"].sql).one()
            assert HOSTNAME in str(escaped[1])  # read the server's file despite SET ROLE
            conn.exec_driver_sql(f'SET ROLE "{READER_ROLE}"')
            conn.exec_driver_sql("RESET ROLE")
            assert conn.exec_driver_sql("SELECT current_user").scalar_one() == "postgres"
    finally:
        engine.dispose()
    # the same statement through `palimpsest sql`, logged in as the reader
    assert_one_line_error(
        sql(ATTACKS["set_config-role-query_to_xml"].sql, "--db", pg_archive_url), "read-only")


ROLE_ATTACKS = {
    "copy-to-program": "COPY (SELECT 1) TO PROGRAM 'touch {path}'",
    "copy-to-file": "COPY (SELECT 1) TO '{path}'",
    "pg_read_file": "SELECT pg_read_file('/etc/hostname')",
    "pg_ls_dir": "SELECT pg_ls_dir('/')",
    "lo_import": "SELECT lo_import('/etc/hostname')",
    "lo_export": "SELECT lo_export(lo_from_bytea(0, 'x'), '{path}')",
    "set-role": "SET ROLE postgres",
    "set-session-authorization": "SET SESSION AUTHORIZATION postgres",
    "delete": "DELETE FROM comment_version",
    "create-table": "CREATE TABLE public.sneaky (i int)",
}


@pytest.mark.postgres
@pytest.mark.parametrize("name", list(ROLE_ATTACKS))
def test_the_reader_role_alone_refuses(pg_archive_url: str, name: str) -> None:
    """Logged in as the reader, in a read-write transaction: the role's grants refuse."""
    import psycopg

    from storage.reader import reader_url

    path = Path(f"/tmp/palimpsest-attack-{uuid.uuid4().hex}")
    url = reader_url(pg_archive_url, READER_ROLE)
    before = _archive_state(pg_archive_url)
    with psycopg.connect(host=url.host, port=url.port, user=url.username,
                         dbname=url.database) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(ROLE_ATTACKS[name].format(path=path))
        conn.commit()  # commits nothing: the statement failed
    assert not path.exists()
    assert _archive_state(pg_archive_url) == before


SQLITE_ATTACKS = {
    "attach-new-path": "ATTACH DATABASE '{path}' AS x",
    "vacuum-into": "VACUUM INTO '{path}'",
    "pragma-journal_mode": "PRAGMA journal_mode=DELETE",
    "pragma-writable_schema": "PRAGMA writable_schema=1",
    "load_extension": "SELECT load_extension('{path}')",
    "create-temp-table": "CREATE TEMP TABLE sneaky (i INTEGER)",
    "create-temp-view": "CREATE TEMP VIEW sneaky AS SELECT 1",
    "delete": "DELETE FROM comment_version",
    "writable-cte": "WITH d AS (SELECT 1) DELETE FROM comment_version",
    "begin": "BEGIN IMMEDIATE",
    "detach": "DETACH DATABASE temp",
}


@pytest.mark.parametrize("name", list(SQLITE_ATTACKS))
def test_the_sqlite_authorizer_alone_refuses(sqlite_url: str, tmp_path: Path, name: str) -> None:
    """On a writable connection with no other guard, the authorizer refuses."""
    from storage.query_guard import sqlite_guard

    record_sample(sqlite_url)
    path = tmp_path / "elsewhere.db"
    before = _archive_state(sqlite_url)
    conn = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        with sqlite_guard(conn, 5) as denied, pytest.raises(sqlite3.DatabaseError,
                                                            match="not authorized|authorization denied"):
            conn.execute(SQLITE_ATTACKS[name].format(path=path)).fetchall()
        assert denied, "the authorizer said why"
    finally:
        conn.close()
    assert not path.exists()
    assert _archive_state(sqlite_url) == before


# -- where no reader can be used ---------------------------------------------------------


@pytest.mark.postgres
def test_sql_refuses_a_superuser_without_a_reader(pg_archive_url: str) -> None:
    path = Path(f"/tmp/palimpsest-attack-{uuid.uuid4().hex}")
    result = sql(f"SELECT 1 AS x, '{path}' AS p", "--db", pg_archive_url,
                 "--reader-role", "palimpsest_no_such_reader")
    assert_one_line_error(result, "postgres is a superuser")
    assert "palimpsest db upgrade" in result.stderr and "--reader-db" in result.stderr
    # an explicit reader URL that is the superuser's is refused too
    result = sql("SELECT 1", "--db", pg_archive_url, "--reader-db", pg_archive_url)
    assert_one_line_error(result, "postgres is a superuser")


@pytest.mark.postgres
def test_sql_logs_in_as_the_reader(pg_archive_url: str) -> None:
    from storage.reader import reader_url

    q = "SELECT session_user AS s, current_setting('statement_timeout') AS t"
    derived = sql(q, "--db", pg_archive_url, "--format", "json", "--timeout", "7")
    assert json.loads(derived.stdout) == [{"s": READER_ROLE, "t": "7s"}]
    explicit = reader_url(pg_archive_url, READER_ROLE).render_as_string(hide_password=False)
    given = sql(q, "--db", "postgresql://nobody@127.0.0.1:1/x", "--reader-db", explicit,
                "--format", "json")
    assert json.loads(given.stdout) == [{"s": READER_ROLE, "t": "1min"}]


@pytest.mark.postgres
def test_db_upgrade_sets_up_the_reader_and_covers_new_views(pg_url: str) -> None:
    run = CliRunner().invoke(main, ["db", "upgrade", "--db", pg_url])
    assert run.exit_code == 0, run.output
    assert f"read-only role {READER_ROLE} may read the archive" in run.output
    assert f"ALTER ROLE {READER_ROLE} PASSWORD" in run.output
    again = CliRunner().invoke(main, ["db", "upgrade", "--db", pg_url])
    assert again.exit_code == 0 and "already at revision" in again.output, again.output
    # a view a later migration adds (as the same owner) is readable without a new grant
    engine = open_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE VIEW later_view AS SELECT 42 AS answer")
    engine.dispose()
    out = sql("SELECT answer FROM later_view", "--db", pg_url, "--format", "json")
    assert json.loads(out.stdout) == [{"answer": 42}], out.output


# -- what researchers do still works -----------------------------------------------------


RESEARCH = [
    # a join over the views
    (("SELECT c.external_id, p.title FROM current_comments c JOIN current_posts p"
     " ON p.post_id = c.post_id WHERE p.external_id = '100' ORDER BY c.position"), [], 4),
    # a window function
    (("SELECT author_name, count(*) OVER (PARTITION BY author_name) AS n,"
     " row_number() OVER (ORDER BY external_id) AS r FROM current_comments"), [], 6),
    ("SELECT external_id FROM current_comments WHERE post_external_id = :p",
     ["--param", "p=100", "--as-of", "2024-03-01T23:00:00Z"], 4),
    (("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5)"
     " SELECT i FROM n"), [], 5),
]


@pytest.mark.parametrize(("query", "args", "rows"), RESEARCH)
def test_research_queries_still_run(archive_url: str, query: str, args: list[str],
                                    rows: int) -> None:
    out = sql(query, "--db", archive_url, "--format", "json", *args)
    assert out.exit_code == 0, out.output
    assert len(json.loads(out.stdout)) == rows


def test_table_output_stops_at_max_rows(archive_url: str) -> None:
    q = "SELECT external_id FROM current_comments ORDER BY external_id"
    out = sql(q, "--db", archive_url, "--max-rows", "2")
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[-1] == "(first 2 rows; more were left out: raise --max-rows)"
    assert len(out.stdout.splitlines()) == 2 + 2 + 1
    whole = sql(q, "--db", archive_url)
    assert whole.stdout.splitlines()[-1] == "(6 rows)"


def test_security_doc_examples_run(archive_url: str) -> None:
    text = SECURITY_DOC.read_text(encoding="utf-8")
    commands = [
        shlex.split(line)
        for block in text.split("```sh\n")[1:]
        for line in block.split("```", 1)[0].splitlines()
        if line.startswith("palimpsest sql ")
    ]
    assert len(commands) >= 3
    for argv in commands:
        out = CliRunner().invoke(main, [*argv[1:], "--db", archive_url],
                                 env={"PALIMPSEST_DB": None})
        assert out.exit_code == 0, (argv, out.output)


def test_the_sql_section_points_to_the_threat_model() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The archive database and SQL", 1)[1].split("\n## ", 1)[0]
    assert "docs/security.md" in section


def test_sql_help_prints_the_limits() -> None:
    from cli import SQL_TABLE_MAX_ROWS

    text = " ".join(CliRunner().invoke(main, ["sql", "--help"]).output.split())
    assert f"default {SQL_TABLE_MAX_ROWS} for --format table" in text
    assert "--timeout SECONDS" in text and "[default: 60.0" in text
