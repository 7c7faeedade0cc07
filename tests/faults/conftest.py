"""The fault suite's report: each injected fault and what the crawl made of it.

Tests append lines to FAULT_REPORT; they are printed in pytest's terminal summary, so
the list shows in every run, without -s.
"""

from __future__ import annotations

from typing import Any

FAULT_REPORT: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FAULT_REPORT:
        terminalreporter.write_sep("=", "injected faults and outcomes")
        for line in FAULT_REPORT:
            terminalreporter.write_line(line)
