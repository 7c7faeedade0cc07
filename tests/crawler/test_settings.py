"""Every palimpsest setting the code reads is declared once, in crawler/settings.py.

A setting read with its own default (`settings.getint("X", 500)`) has two defaults that
drift apart; one read but never declared is documented nowhere; one declared but never
read is inert. The code is read as Python (ast), so a new read is checked as it lands.
"""

from __future__ import annotations

import ast
from pathlib import Path

from crawler import settings as project

REPO = Path(__file__).resolve().parents[2]
READERS = {"get", "getint", "getfloat", "getbool", "getlist", "getdict"}


def _code() -> dict[Path, ast.Module]:
    files = [*(REPO / "crawler").rglob("*.py"), REPO / "cli.py", REPO / "scheduler.py"]
    return {f: ast.parse(f.read_text(), str(f)) for f in files if f.name != "settings.py"}


def setting_reads() -> list[tuple[str, str, int]]:
    """(setting, file:line, number of arguments) of each `<settings>.get*("NAME", ...)`."""
    reads = []
    for path, tree in _code().items():
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in READERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and node.args[0].value.isupper()
            ):
                continue
            owner = ast.unparse(node.func.value)
            if "environ" in owner:  # environment variables are not settings
                continue
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            reads.append((node.args[0].value, where, len(node.args) + len(node.keywords)))
    return reads


def test_the_reader_finds_the_settings_reads() -> None:
    names = {name for name, _, _ in setting_reads()}
    assert {"PALIMPSEST_BACKOFF_BASE", "PALIMPSEST_MAX_COMMENT_PAGES", "REDIRECT_MAX_TIMES"} <= names


def test_settings_are_read_without_a_second_default() -> None:
    assert [(n, w) for n, w, args in setting_reads() if args > 1] == []


def test_every_palimpsest_setting_read_is_declared() -> None:
    declared = {name for name in dir(project) if name.isupper()}
    missing = [(n, w) for n, w, _ in setting_reads() if n.startswith("PALIMPSEST_")]
    assert [(n, w) for n, w in missing if n not in declared] == []


def test_every_palimpsest_setting_declared_is_read() -> None:
    declared = {name for name in dir(project) if name.startswith("PALIMPSEST_")}
    read = {name for name, _, _ in setting_reads()}
    assert sorted(declared - read) == []
