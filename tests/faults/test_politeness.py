"""Per-source politeness settings, the User-Agent, the WARC directory rule, Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from crawler.config import Config, parse_config
from crawler.middlewares.guards import same_site
from crawler.politeness import WARC_MIDDLEWARE, politeness_settings, user_agent, warc_dir_for
from crawler.retry_after import parse_retry_after

CONFIG = """
[topic]
name = "t"
keywords = ["deport*"]

[crawl]
contact_url = "https://example.edu/palimpsest"
{warc_dir}
concurrency_per_host = 2
delay_seconds = 1.5

[[sources]]
key = "plain"
name = "Plain"
url = "https://blog.example.org/"

[[sources]]
key = "tuned"
name = "Tuned"
url = "https://other.example.org/"
concurrency = 1
delay_seconds = 5
warc = true

[[sources]]
key = "never"
name = "Never captured"
url = "https://third.example.org/"
warc = false
"""


def config(tmp_path: Path, warc_dir: str | None = None) -> Config:
    line = f'warc_dir = "{warc_dir}"' if warc_dir else ""
    return parse_config(CONFIG.format(warc_dir=line), path=str(tmp_path / "sources.toml"))


def test_user_agent_names_palimpsest_and_the_contact_once() -> None:
    base = "palimpsest/0.1 (research archive of public blog comment threads)"
    ua = user_agent(base, "https://example.edu/p")
    assert (
        ua
        == "palimpsest/0.1 (research archive of public blog comment threads; +https://example.edu/p)"
    )
    assert user_agent(ua, "https://example.edu/p") == ua
    assert user_agent("palimpsest", None) == "palimpsest"
    assert user_agent("palimpsest", "https://x.org") == "palimpsest (+https://x.org)"


def test_defaults_and_per_source_overrides(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    plain = politeness_settings(cfg, cfg.source("plain"))
    assert plain["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2
    assert plain["DOWNLOAD_DELAY"] == 1.5
    assert "https://example.edu/palimpsest" in plain["USER_AGENT"]
    assert plain["USER_AGENT"].startswith("palimpsest")
    assert "PALIMPSEST_WARC_DIR" not in plain
    tuned = politeness_settings(cfg, cfg.source("tuned"))
    assert tuned["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert tuned["DOWNLOAD_DELAY"] == 5
    assert tuned["PALIMPSEST_WARC_DIR"] == "warc"  # warc = true, no warc_dir: the default
    assert tuned["DOWNLOADER_MIDDLEWARES"][WARC_MIDDLEWARE] == 950
    assert (
        tuned["DOWNLOADER_MIDDLEWARES"]["crawler.middlewares.hosts.HostPolitenessMiddleware"] == 550
    )


@pytest.mark.parametrize(
    ("key", "cli", "scheduled", "warc_dir", "expected"),
    [
        ("plain", None, False, None, None),  # manual crawl, nothing asked
        ("plain", None, True, None, "warc"),  # scheduled: on by default
        ("plain", None, False, "/data/warc", "/data/warc"),  # warc_dir set: on
        ("plain", "/tmp/w", False, None, "/tmp/w"),  # --warc wins
        ("never", None, True, "/data/warc", None),  # the source said no
        ("never", "/tmp/w", True, None, "/tmp/w"),  # ...unless --warc is given
        ("tuned", None, False, "/data/warc", "/data/warc"),
    ],
)
def test_warc_directory_rule(
    tmp_path: Path,
    key: str,
    cli: str | None,
    scheduled: bool,
    warc_dir: str | None,
    expected: str | None,
) -> None:
    cfg = config(tmp_path, warc_dir)
    assert warc_dir_for(cfg, cfg.source(key), warc_dir=cli, scheduled=scheduled) == expected


def test_retry_after_forms() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 7 ") == 7.0
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now=now.timestamp()) == pytest.approx(90.0)
    earlier = format_datetime(now - timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(earlier, now=now.timestamp()) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None and parse_retry_after(None) is None


def test_same_site_for_redirects() -> None:
    assert same_site("example.org", "www.example.org")
    assert same_site("www.example.org", "example.org")
    assert not same_site("example.org", "evil.example.com")
    assert not same_site("127.0.0.1", "localhost")
    assert same_site("blog.example.org", "cdn.example.net", ("example.net",))
    assert not same_site("blog.example.org", "notexample.net", ("example.net",))
