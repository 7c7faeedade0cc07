"""The sample archive of the export tests, for the takedown tests."""

from tests.export.conftest import sample  # noqa: F401  (a fixture, used by name)
