"""The README's Scheduling section and the systemd unit match the commands they describe.

That it names every schedule command and option: tests/test_cli_docs.py.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from storage.errors import ConfigError, CrawlLocked

REPO = Path(__file__).resolve().parents[2]


def scheduling_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return readme.split("## Scheduling", 1)[1].split("\n## ", 1)[0]


def test_readme_documents_the_crawl_command_override() -> None:
    """Every schedule command and option: tests/test_cli_docs.py. This one is no option."""
    assert "PALIMPSEST_CRAWL_COMMAND" in scheduling_section()


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
