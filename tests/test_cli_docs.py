"""Every command, subcommand and option of the `palimpsest` CLI is documented.

As sqlite-utils does for its commands: walk the click tree of `cli.main` (hidden groups
too) and look each name up in README.md, or in the docs/ file the README points to for
that command. A new command or option without docs fails here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from cli import main

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
# Taken by many commands and documented once in the README ("Configuration", and "Every
# command takes `--db URL`"): looked up in the whole README.
SHARED = {"--config", "PALIMPSEST_CONFIG", "--db", "PALIMPSEST_DB"}
# Commands documented in one section of the README, looked up there only.
SECTIONS = {"schedule": "## Scheduling", "sql": "## The archive database and SQL"}
# Commands whose reference lives in a docs/ file the README links to: looked up there only.
DOC_FILES = {
    "export": "docs/exports.md",
    "serve": "docs/exports.md",
    "report": "docs/exports.md",
    "redact": "docs/exports.md",
    "inspect": "docs/inspect.md",
}


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    """("palimpsest db upgrade", command) for every command below `group`, groups included."""
    for name, command in sorted(group.commands.items()):
        yield " ".join(("palimpsest", *path, name)), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


COMMANDS = dict(commands())


def doc_for(name: str) -> str:
    top = name.split()[1]
    if top in SECTIONS:
        return README.split(SECTIONS[top], 1)[1].split("\n## ", 1)[0]
    if top in DOC_FILES:
        assert f"]({DOC_FILES[top]})" in README, f"README.md does not link to {DOC_FILES[top]}"
        return (REPO / DOC_FILES[top]).read_text(encoding="utf-8")
    return README


def documented(name: str, word: str) -> bool:
    return mentioned(word, README if word in SHARED else doc_for(name))


def mentioned(word: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def test_the_walk_sees_every_command() -> None:
    """The hidden groups and their subcommands are in the walk, so a test below can fail."""
    assert {"palimpsest db upgrade", "palimpsest schedule run", "palimpsest crawl",
            "palimpsest export"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_and_options_are_documented(name: str) -> None:
    assert documented(name, name), f"`{name}` is not in the docs"
    options = [
        opt
        for param in COMMANDS[name].params
        if isinstance(param, click.Option)
        for opt in param.opts + param.secondary_opts
    ]
    missing = [opt for opt in options if not documented(name, opt)]
    assert missing == [], f"{name}: options not in the docs: {missing}"
    envvars = [
        str(param.envvar) for param in COMMANDS[name].params
        if isinstance(param, click.Option) and param.envvar
    ]
    assert [e for e in envvars if not documented(name, e)] == [], f"{name}: undocumented env"


def test_version_option_is_documented() -> None:
    assert mentioned("--version", README)
