"""Per-source Scrapy settings for politeness and raw capture, from the config.

`crawler/settings.py` holds the project-wide defaults (robots.txt, AutoThrottle,
timeouts, retries, the fault-handling middlewares). What varies by source comes from the
config and is computed here, so `crawler.runner` and the scheduler apply the same rules:

- User-Agent naming palimpsest and the operator's contact URL (`[crawl] contact_url`);
- requests at a time per host and the minimum delay (`[crawl]` defaults, overridden by a
  source's `concurrency` / `delay_seconds`);
- WARC capture: `--warc DIR` wins; else the source's `warc = true`, or a scheduled crawl
  (on by default) when the source does not say `warc = false`, writes to
  `[crawl] warc_dir` (default ``./warc``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crawler.config import Config, Source

__all__ = ["DEFAULT_WARC_DIR", "politeness_settings", "user_agent", "warc_dir_for"]

DEFAULT_WARC_DIR = "warc"
WARC_MIDDLEWARE = "crawler.warc.WarcCaptureMiddleware"


def user_agent(base: str, contact_url: str | None) -> str:
    """The User-Agent: the configured one with the contact URL added, once."""
    if not contact_url or contact_url in base:
        return base
    if base.endswith(")"):
        return f"{base[:-1]}; +{contact_url})"
    return f"{base} (+{contact_url})"


def warc_dir_for(
    config: Config, source: Source, *, warc_dir: str | None = None, scheduled: bool = False
) -> str | None:
    """Where this crawl writes WARC files, or None for no capture."""
    if warc_dir:
        return warc_dir
    if source.warc is False:
        return None
    if source.warc is True or scheduled or config.crawl.warc_dir:
        return config.crawl.warc_dir or DEFAULT_WARC_DIR
    return None


def politeness_settings(
    config: Config,
    source: Source,
    *,
    warc_dir: str | None = None,
    scheduled: bool = False,
    middlewares: Mapping[str, int | None] | None = None,
) -> dict[str, Any]:
    """Scrapy settings for crawling `source`, to lay over `crawler.settings`.

    When capturing, DOWNLOADER_MIDDLEWARES is `middlewares` (default: the project's)
    plus the WARC capture next to the download handler; only then, so crawls without
    capture do not carry a disabled middleware.
    """
    crawl = config.crawl
    delay = crawl.delay_seconds if source.delay_seconds is None else source.delay_seconds
    concurrency = crawl.concurrency_per_host if source.concurrency is None else source.concurrency
    settings: dict[str, Any] = {
        "USER_AGENT": user_agent(crawl.user_agent, crawl.contact_url),
        "PALIMPSEST_CONTACT_URL": crawl.contact_url or "",
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": delay,
        # AutoThrottle never goes below DOWNLOAD_DELAY; start it there, not at its 5 s.
        "AUTOTHROTTLE_START_DELAY": max(delay, 0.1),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(min(concurrency, 2)),
        "PALIMPSEST_WARC_PREFIX": source.key,
    }
    directory = warc_dir_for(config, source, warc_dir=warc_dir, scheduled=scheduled)
    if directory:
        settings["PALIMPSEST_WARC_DIR"] = directory
        if middlewares is None:
            from crawler import settings as project

            middlewares = project.DOWNLOADER_MIDDLEWARES
        settings["DOWNLOADER_MIDDLEWARES"] = {**middlewares, WARC_MIDDLEWARE: 950}
    return settings
