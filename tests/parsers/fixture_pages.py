"""The saved WordPress pages under tests/fixtures/wordpress, as Pages, and their parses as JSON.

Shared by `test_fixtures.py` and `regen_expected.py`. URLs in the expected JSON are
written relative to the capture's `base_url` ("{base}/…"): every capture runs on a new
port, and the parse must not depend on it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.page import Page
from crawler.parsers import wordpress_html, wordpress_listing, wordpress_rest

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "wordpress"
THEMES = ("twentytwentyone", "twentytwentythree")
BODY_SUFFIXES = (".html", ".xml", ".json")


def saved_pages() -> Iterator[Path]:
    """Every saved body (not its meta or expected file), theme by theme."""
    for theme in THEMES:
        for path in sorted((ROOT / theme).glob("*")):
            if path.suffix in BODY_SUFFIXES and not path.name.endswith(
                (".meta.json", ".expected.json")
            ):
                yield path


def meta(path: Path) -> dict[str, Any]:
    return json.loads(path.with_name(path.stem + ".meta.json").read_text(encoding="utf-8"))


def load(path: Path) -> Page:
    """The saved page as the spider would hand it to a parser."""
    info = meta(path)
    return Page(
        url=info["url"],
        body=path.read_bytes(),
        fetched_at=datetime.fromisoformat(info["fetched_at"]),
        status=info["status"],
        headers=info["headers"],
    )


def expected_path(path: Path) -> Path:
    return path.with_name(path.stem + ".expected.json")


def parse(path: Path) -> object:
    """The parser a spider would choose for this page, by what the page is."""
    page = load(path)
    name = path.stem
    if name.startswith("rest-posts"):
        return wordpress_rest.parse_rest_posts(page)
    if name.startswith("rest-comments"):
        return wordpress_rest.parse_rest_comments(page)
    if name.startswith("post") and path.suffix == ".html":
        return wordpress_html.parse_post_page(page)
    return wordpress_listing.parse_listing(page)


def to_json(value: object, base_url: str) -> Any:
    """Records as plain JSON: datetimes ISO, tuples lists, the capture's base URL as {base}."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_json(getattr(value, f.name), base_url) for f in dataclasses.fields(value)
        }
    if isinstance(value, tuple | list):
        return [to_json(v, base_url) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace(base_url, "{base}")
    return value


def parsed_json(path: Path) -> Any:
    return to_json(parse(path), meta(path)["base_url"])
