"""The recorded WordPress fixtures: complete, described, and reproducible from the seed."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.wordpress.capture_fixtures import FIXTURE_DIR, TARGETS, _previous_port, main
from tests.wordpress.fixtures import require_wordpress

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


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        # As nginx binds: a port in TIME_WAIT (a capture just ran) is free to listen on.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.wordpress
@pytest.mark.slow
def test_a_recapture_gives_the_same_pages(tmp_path: Path) -> None:
    """Fails when the seed or the harness changed but the fixtures were not re-recorded."""
    require_wordpress()
    port = _previous_port()
    if port is None or not _port_free(port):
        pytest.skip(f"the fixtures' port {port} is taken; cannot reproduce their URLs")
    main(["--out", str(tmp_path), "--port", str(port)])
    for theme in THEMES:
        for name, ext, _, _ in TARGETS:
            saved = (FIXTURE_DIR / theme / f"{name}.{ext}").read_bytes()
            again = (tmp_path / theme / f"{name}.{ext}").read_bytes()
            assert again == saved, f"{theme}/{name}.{ext} differs: run capture_fixtures"
    seed = json.loads((tmp_path / "seed.json").read_text(encoding="utf-8"))
    assert seed == json.loads((FIXTURE_DIR / "seed.json").read_text(encoding="utf-8"))
