"""The recorded WordPress fixtures: complete, described, and reproducible from the seed."""

from __future__ import annotations

import json

import pytest

from tests.wordpress.capture_fixtures import FIXTURE_DIR, TARGETS

THEMES = ("twentytwentyone", "twentytwentythree")


@pytest.mark.parametrize("theme", THEMES)
def test_every_target_is_saved_with_its_meta(theme: str) -> None:
    seed = json.loads((FIXTURE_DIR / "seed.json").read_text(encoding="utf-8"))
    for name, ext, _, _ in TARGETS:
        body = (FIXTURE_DIR / theme / f"{name}.{ext}").read_bytes()
        meta = json.loads((FIXTURE_DIR / theme / f"{name}.meta.json").read_text("utf-8"))
        assert meta["status"] == 200 and meta["theme"] == theme
        assert meta["base_url"] == seed["base_url"]
        assert meta["url"].startswith(meta["base_url"])
        assert meta["base_url"].encode() in body.replace(b"\\/", b"/"), name
