"""`palimpsest sql --as-of` and `--params`: the views see T; values are bound, not pasted."""

from __future__ import annotations

import json

import pytest

from storage.engine import open_engine
from storage.errors import ReadOnlyViolation
from storage.query import run_query
from tests.export.conftest import SampleArchive
from tests.export.helpers import cli


def _json(*args: str) -> list[dict[str, object]]:
    result = cli("sql", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_as_of_sets_the_snapshot_of_every_view(sample: SampleArchive) -> None:
    q = "SELECT external_id, version FROM current_comments WHERE post_external_id = '100' ORDER BY position"
    now = _json("--db", sample.url, q)
    then = _json("--db", sample.url, "--as-of", "2024-03-01T23:00:00Z", q)
    middle = _json("--db", sample.url, "--as-of", "2024-03-03", q)  # a date: its midnight UTC
    assert [r["external_id"] for r in now] == ["1", "2", "4", "5"]
    assert [(r["external_id"], r["version"]) for r in then] == [("1", 1), ("2", 1), ("3", 1), ("4", 1)]
    assert [(r["external_id"], r["version"]) for r in middle] == [
        ("1", 1), ("2", 2), ("3", 1), ("4", 1), ("5", 1)]
    history = _json("--db", sample.url, "--as-of", "2024-03-01T23:00:00Z",
                    "SELECT version, valid_to FROM comment_history WHERE external_id = '2'")
    assert history == [{"version": 1, "valid_to": None}]  # the later edit is not visible
    # the first crawl fetched at 22:00 UTC: valid_from <= T includes that instant, the
    # second before it sees nothing; an offset is converted to UTC
    count = "SELECT count(*) AS n FROM changes"
    assert _json("--db", sample.url, "--as-of", "2024-03-01T23:00:00+01:00", count) == [{"n": 7}]
    assert _json("--db", sample.url, "--as-of", "2024-03-01T21:59:59Z", count) == [{"n": 0}]
    # a base table is shadowed too; schema-qualified names still reach the live archive
    schema = "main" if sample.url.startswith("sqlite") else "public"
    counts = _json("--db", sample.url, "--as-of", "2024-03-01T23:00:00Z",
                   f"SELECT (SELECT count(*) FROM comment_version) AS t,"
                   f" (SELECT count(*) FROM {schema}.comment_version) AS live")
    assert counts == [{"t": 5, "live": 9}]


def test_as_of_leaves_no_trace_on_the_engine(sample: SampleArchive) -> None:
    engine = open_engine(sample.url, read_only=True)
    try:
        q = "SELECT count(*) FROM current_comments"
        assert run_query(engine, q, as_of=sample.night0).rows == [(5,)]
        for _ in range(3):  # pooled connections must not keep the temporary views
            assert run_query(engine, q).rows == [(6,)]
    finally:
        engine.dispose()


def test_as_of_stays_read_only(sample: SampleArchive) -> None:
    engine = open_engine(sample.url, read_only=True)
    try:
        with pytest.raises(ReadOnlyViolation):
            run_query(engine, "DELETE FROM post_version", as_of=sample.night1)
        with pytest.raises(ReadOnlyViolation):
            run_query(engine, "CREATE TABLE sneaky (x INTEGER)", as_of=sample.night1)
    finally:
        engine.dispose()
    # nothing was written, and the archive still has every version
    assert _json("--db", sample.url, "SELECT count(*) AS n FROM post_version") == [{"n": 4}]


def test_params_are_bound_not_pasted(sample: SampleArchive) -> None:
    q = "SELECT external_id FROM current_comments WHERE author_name = :who ORDER BY external_id"
    rows = _json("--db", sample.url, q, "--params", json.dumps({"who": "Mirabel Fennimore"}))
    assert [r["external_id"] for r in rows] == ["10", "2"]
    rows = _json("--db", sample.url, q, "--param", "who=x' OR '1'='1")
    assert rows == []  # an injection attempt is just a name nobody has
    rows = _json("--db", sample.url, "SELECT :n + 1 AS m, :s AS s", "--params", '{"n": 41, "s": "50%"}')
    assert rows == [{"m": 42, "s": "50%"}]
    rows = _json("--db", sample.url, "--as-of", "2024-03-01T23:00:00Z",
                 "SELECT count(*) AS n FROM current_comments WHERE post_external_id = :p",
                 "--param", "p=100")
    assert rows == [{"n": 4}]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--params", "{not json"], "--params"),
        (["--params", "[1, 2]"], "JSON object"),
        (["--param", "novalue"], "name=value"),
        (["--as-of", "2024-02-30"], "'2024-02-30'"),
    ],
)
def test_bad_sql_options_are_one_line(sqlite_sample: SampleArchive, args: list[str], needle: str) -> None:
    result = cli("sql", "--db", sqlite_sample.url, "SELECT 1", *args)
    assert result.exit_code == 2 and needle in result.output


def test_missing_param_is_named(sqlite_sample: SampleArchive) -> None:
    result = cli("sql", "--db", sqlite_sample.url, "SELECT :a, :b", "--param", "a=1")
    assert result.exit_code == 2 and ":b" in result.output
