"""Pytest fixtures for the test WordPress; tests/conftest.py loads this as a plugin.

Fixtures (they skip, or fail under PALIMPSEST_REQUIRE_SERVICES=1, when the site cannot
run here; a test using one is marked `wordpress` automatically):

- `wordpress_site` (session): one seeded site shared by every test that only reads.
  A test that changes a switch (REST block, permalinks, theme, any option) must put it
  back; `wordpress_site_defaults` does that for you after the test (reset_switches()).
- `fresh_wordpress_site` (module): a site of the module's own, for tests that mutate
  content (edit, trash, add...). Started on first use in a module, stopped after it.
- `new_wordpress_site()` (plain function): start one yourself, in a `with` block.

See tests/wordpress/harness.py for the `WordPressSite` API and seed.py for the data.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.wordpress.harness import WordPressSite, unavailable_reason

__all__ = [
    "fresh_wordpress_site",
    "new_wordpress_site",
    "require_wordpress",
    "wordpress_site",
    "wordpress_site_defaults",
]


def require_wordpress() -> None:
    """Skip the calling test when WordPress cannot run here (fail when CI requires it)."""
    reason = unavailable_reason()
    if reason is None:
        return
    from tests.conftest import service_unavailable  # the one skip-or-fail rule of the suite

    service_unavailable(f"test WordPress unavailable: {reason}")


def new_wordpress_site(**kwargs: object) -> WordPressSite:
    """A freshly installed and seeded site (skips if impossible); use it as a context."""
    require_wordpress()
    return WordPressSite.start(**kwargs)  # type: ignore[arg-type]


_SITE_FIXTURES = frozenset({"wordpress_site", "wordpress_site_defaults", "fresh_wordpress_site"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses a site `wordpress`, so `-m "not wordpress"` leaves it out."""
    for item in items:
        if _SITE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.wordpress)


@pytest.fixture(scope="session")
def wordpress_site() -> Iterator[WordPressSite]:
    with new_wordpress_site() as site:
        yield site


@pytest.fixture
def wordpress_site_defaults(wordpress_site: WordPressSite) -> Iterator[WordPressSite]:
    """The shared site, its switches reset after the test (content must not change)."""
    yield wordpress_site
    wordpress_site.reset_switches()


@pytest.fixture(scope="module")
def fresh_wordpress_site() -> Iterator[WordPressSite]:
    with new_wordpress_site() as site:
        yield site
