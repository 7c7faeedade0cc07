"""The package code stays ruff- and mypy-clean (STYLE.md: type hints everywhere, mypy clean)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_CODE = ["cli.py", "scheduler.py", "crawler", "storage", "migrations", "bench"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    out = _run("ruff", "check", ".")
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_finds_nothing_in_package_code() -> None:
    out = _run("mypy", *PACKAGE_CODE)
    assert out.returncode == 0, out.stdout + out.stderr


def test_import_contracts_hold() -> None:
    """ARCHITECTURE.md's layering (pyproject's [tool.importlinter] contracts): storage
    imports neither Scrapy nor the crawler nor an HTML parser; the adapters, parsers,
    normalizers and the thread state import neither Scrapy nor SQLAlchemy; only the
    Scrapy components import Scrapy."""
    out = subprocess.run([str(Path(sys.executable).with_name("lint-imports"))], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr
