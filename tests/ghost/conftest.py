"""The test Ghost as a pytest fixture: one real Ghost 5 per test module that asks for it.

`ghost_site` skips when Ghost cannot run here (no node/npm, a Node that Ghost 5 does
not support), or fails instead under PALIMPSEST_REQUIRE_SERVICES=1. The first use on a
machine installs Ghost from npm into the cache (tests/ghost/install.py: some 4-6
minutes, once); later runs reuse it and start in some 15-40 s.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ghost.harness import GhostSite
from tests.ghost.install import GhostInstallError, ghost_dir, unavailable_reason


@pytest.fixture(scope="module")
def ghost_site() -> Iterator[GhostSite]:
    from tests.conftest import service_unavailable  # the one skip-or-fail rule of the suite

    reason = unavailable_reason()
    if reason is not None:
        service_unavailable(f"test Ghost unavailable: {reason}")
    try:
        ghost_dir()  # slow the first time on a machine: npm installs Ghost (4-6 min)
    except GhostInstallError as exc:
        service_unavailable(f"test Ghost could not be installed from npm: {exc}")
    with GhostSite.start() as site:
        yield site
