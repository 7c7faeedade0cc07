"""The README's Scheduling section and the systemd unit match the commands they describe."""

from __future__ import annotations

import configparser
from pathlib import Path

import click

from cli import main
from storage.errors import ConfigError, CrawlLocked

REPO = Path(__file__).resolve().parents[2]


def scheduling_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return readme.split("## Scheduling", 1)[1].split("\n## ", 1)[0]


def test_readme_documents_every_schedule_command_and_option() -> None:
    section = scheduling_section()
    group = main.commands["schedule"]
    assert isinstance(group, click.Group)
    for name, command in group.commands.items():
        assert f"palimpsest schedule {name}" in section, name
        for param in command.params:
            if isinstance(param, click.Option) and param.name not in ("config_path", "db_url"):
                assert param.opts[0] in section, (name, param.opts[0])
                if param.envvar:
                    assert str(param.envvar) in section, (name, param.envvar)
    assert "PALIMPSEST_CRAWL_COMMAND" in section


def test_the_systemd_unit_runs_the_scheduler_and_stops_it_cleanly() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(REPO / "docs" / "palimpsest-scheduler.service")
    service = unit["Service"]
    assert service["ExecStart"].endswith("/palimpsest schedule run")
    # Only the scheduler gets systemd's SIGTERM; it passes one on to each crawl.
    assert service["KillMode"] == "mixed"
    no_restart = {int(code) for code in service["RestartPreventExitStatus"].split()}
    assert no_restart == {ConfigError.exit_code, CrawlLocked.exit_code}
    assert "docs/palimpsest-scheduler.service" in scheduling_section()
