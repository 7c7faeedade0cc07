"""What a user-written query may do: its kind of statement, SQLite's authorizer, time.

`palimpsest sql` runs SQL written by whoever is given the command. The guards here
apply on both engines, around that one statement only (the archive's own statements,
such as `--as-of`'s temporary views, run before them):

- `check_statement_kind`: a statement that is not a query (SELECT, WITH, VALUES,
  TABLE, EXPLAIN, SHOW or, on SQLite, PRAGMA) is refused before it reaches the
  database. It gives a clear line for commands that are harmless or refused anyway
  (`RESET ROLE`, `SET ...`, `COPY`); it is not what makes the command safe:
  PostgreSQL's read-only role (`storage.reader`) and SQLite's authorizer are.
- `sqlite_guard`: on SQLite, an authorizer that allows reading and the documented
  built-in functions only, and a progress handler that stops the statement at its
  time limit. PostgreSQL enforces its limit itself (`statement_timeout`).

docs/security.md explains which attack each guard stops.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from storage.errors import ReadOnlyViolation

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "SQLITE_FUNCTIONS",
    "check_statement_kind",
    "describe_denial",
    "sqlite_authorizer",
    "sqlite_guard",
]

DEFAULT_TIMEOUT_S = 60.0

# Statements that are not queries, on either engine. A word not listed here and not a
# query either is left to the database, which answers with its syntax error.
_COMMAND_NAMES = """
    ABORT ALTER ANALYZE ATTACH BEGIN CALL CHECKPOINT CLOSE CLUSTER COMMENT COMMIT COPY
    CREATE DEALLOCATE DECLARE DELETE DETACH DISCARD DO DROP END EXECUTE FETCH GRANT IMPORT
    INSERT LISTEN LOAD LOCK MERGE MOVE NOTIFY PREPARE REASSIGN REFRESH REINDEX RELEASE
    REPLACE RESET REVOKE ROLLBACK SAVEPOINT SECURITY SET START TRUNCATE UNLISTEN UPDATE
    UPSERT VACUUM
"""
_COMMANDS = frozenset(_COMMAND_NAMES.split())
_QUERY_KEYWORDS = {
    "postgresql": frozenset({"SELECT", "WITH", "VALUES", "TABLE", "EXPLAIN", "SHOW"}),
    "sqlite": frozenset({"SELECT", "WITH", "VALUES", "EXPLAIN", "PRAGMA"}),
}
_ALL_QUERY_KEYWORDS = frozenset().union(*_QUERY_KEYWORDS.values())
# Leading blanks, `-- line` and `/* block */` comments, and opening parentheses.
_LEAD = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()*", re.DOTALL)
_WORD = re.compile(r"[A-Za-z_]+")

# SQLite's built-in functions that only compute a value (sqlite.org: lang_corefunc,
# lang_aggfunc, windowfunctions, lang_datefunc, lang_mathfunc, json1). Not here, so
# refused: load_extension, fts3_tokenizer, and any function an extension could add.
_SQLITE_FUNCTION_NAMES = """
    abs changes char coalesce concat concat_ws format glob hex ifnull iif instr
    last_insert_rowid length like likelihood likely lower ltrim max min nullif octet_length
    printf quote random randomblob replace round rtrim sign soundex sqlite_compileoption_get
    sqlite_compileoption_used sqlite_offset sqlite_source_id sqlite_version substr substring
    total_changes trim typeof unhex unicode unlikely upper zeroblob
    avg count group_concat string_agg sum total
    row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value
    last_value nth_value
    date time datetime julianday unixepoch strftime timediff current_date current_time
    current_timestamp
    acos acosh asin asinh atan atan2 atanh ceil ceiling cos cosh degrees exp floor ln log
    log10 log2 mod pi pow power radians sin sinh sqrt tan tanh trunc
    json json_array json_array_length json_error_position json_extract json_insert
    json_object json_patch json_remove json_replace json_set json_type json_valid
    json_quote json_group_array json_group_object json_each json_tree
    jsonb jsonb_array jsonb_extract jsonb_insert jsonb_object jsonb_patch jsonb_remove
    jsonb_replace jsonb_set jsonb_group_array jsonb_group_object
"""
SQLITE_FUNCTIONS = frozenset(_SQLITE_FUNCTION_NAMES.split())

# PRAGMAs that only describe the schema. Any other (journal_mode, writable_schema,
# query_only, schema_version, ...) can change the connection or the file: refused.
_SQLITE_PRAGMAS = frozenset(
    {
        "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
        "foreign_key_list", "collation_list", "function_list", "pragma_list",
    }
)

_SQLITE_READ_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE})
# How many SQLite virtual-machine instructions run between two looks at the clock.
_PROGRESS_STEPS = 10_000


def check_statement_kind(sql: str, dialect: str) -> None:
    """Raise ReadOnlyViolation unless `sql` starts like a query on this engine."""
    lead = _LEAD.match(sql)
    word = _WORD.match(sql, lead.end() if lead else 0)
    keyword = word.group(0).upper() if word else ""
    allowed = _QUERY_KEYWORDS.get(dialect, _QUERY_KEYWORDS["postgresql"])
    if keyword in _COMMANDS or (keyword in _ALL_QUERY_KEYWORDS and keyword not in allowed):
        shown = keyword
        raise ReadOnlyViolation(
            f"`palimpsest sql` is read-only and runs queries only ({', '.join(sorted(allowed))}); refused: {shown}"
        )


def sqlite_authorizer(
    action: int, arg1: str | None, arg2: str | None, _db: str | None, _source: str | None
) -> int:
    """SQLite's authorizer callback: reading and safe functions only (see module doc)."""
    if action in _SQLITE_READ_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:
        return sqlite3.SQLITE_OK if (arg2 or "").lower() in SQLITE_FUNCTIONS else sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA:
        return sqlite3.SQLITE_OK if (arg1 or "").lower() in _SQLITE_PRAGMAS else sqlite3.SQLITE_DENY
    # ATTACH (and VACUUM INTO, which attaches), DETACH, every CREATE/DROP/ALTER,
    # INSERT/UPDATE/DELETE, transactions and savepoints, ANALYZE, REINDEX: refused.
    return sqlite3.SQLITE_DENY


_ACTION_NAMES = {
    getattr(sqlite3, name): name.removeprefix("SQLITE_").replace("_", " ")
    for name in dir(sqlite3)
    if name.startswith("SQLITE_") and name not in ("SQLITE_OK", "SQLITE_DENY", "SQLITE_IGNORE")
    and any(name.startswith(f"SQLITE_{verb}") for verb in (
        "ALTER", "ANALYZE", "ATTACH", "CREATE", "DELETE", "DETACH", "DROP", "FUNCTION",
        "INSERT", "PRAGMA", "REINDEX", "SAVEPOINT", "TRANSACTION", "UPDATE"))
}


def describe_denial(action: int, arg1: str | None, arg2: str | None) -> str:
    """What the authorizer refused, for the error line: `ATTACH '/tmp/x.db'`."""
    name = _ACTION_NAMES.get(action, f"action {action}")
    if action == sqlite3.SQLITE_FUNCTION:
        return f"function {arg2}()"
    if action == sqlite3.SQLITE_PRAGMA:
        return f"PRAGMA {arg1}" + (f" = {arg2}" if arg2 is not None else "")
    if action == sqlite3.SQLITE_ATTACH:
        return f"ATTACH {arg1!r}"
    return " ".join([name, *(a for a in (arg1,) if a)])


def _deadline_handler(timeout_s: float) -> Callable[[], int]:
    deadline = time.monotonic() + timeout_s

    def handler() -> int:
        return 1 if time.monotonic() > deadline else 0  # non-zero interrupts the statement

    return handler


@contextmanager
def sqlite_guard(dbapi: Any, timeout_s: float | None) -> Iterator[list[str]]:
    """Install the authorizer and the time limit on a sqlite3 connection for the block.

    Yields a list that collects a description of each refused action.
    """
    denied: list[str] = []

    def authorizer(action: int, arg1: str | None, arg2: str | None, db: str | None,
                   source: str | None) -> int:
        verdict = sqlite_authorizer(action, arg1, arg2, db, source)
        if verdict != sqlite3.SQLITE_OK:
            denied.append(describe_denial(action, arg1, arg2))
        return verdict

    dbapi.set_authorizer(authorizer)
    if timeout_s is not None:
        dbapi.set_progress_handler(_deadline_handler(timeout_s), _PROGRESS_STEPS)
    try:
        yield denied
    finally:
        dbapi.set_authorizer(None)
        dbapi.set_progress_handler(None, 0)
