"""Every option of the research commands is documented in docs/exports.md."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from cli import main

DOC = (Path(__file__).resolve().parents[2] / "docs" / "exports.md").read_text(encoding="utf-8")
SHARED = {"--db", "--help"}  # documented once, at the top


@pytest.mark.parametrize("command", ["export", "serve", "report"])
def test_every_option_is_documented(command: str) -> None:
    cmd = main.commands[command]
    assert f"palimpsest {command}" in DOC
    for param in cmd.params:
        if isinstance(param, click.Option):
            for opt in param.opts:
                if opt.startswith("--") and opt not in SHARED:
                    assert f"`{opt}" in DOC, f"palimpsest {command} {opt} is not in docs/exports.md"


def test_sql_as_of_and_params_are_documented() -> None:
    opts = {o for p in main.commands["sql"].params for o in getattr(p, "opts", [])}
    assert {"--as-of", "--params", "--param"} <= opts
    for opt in ("--as-of", "--params", "--param"):
        assert f"`{opt}" in DOC
