"""The test WordPress: harness, seed content and pytest fixtures (see harness.py)."""
