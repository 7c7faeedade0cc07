"""Scrapy settings for palimpsest's crawls (`scrapy.cfg` points here).

Polite by default: robots.txt obeyed, at most two requests at a time per host with a
one-second delay (per source in the config), AutoThrottle on top. The config and the
archive database come from the environment when Scrapy is started directly
(`scrapy crawl archive -a source=KEY`); `crawler.runner` sets them explicitly.
"""

from __future__ import annotations

import os

BOT_NAME = "palimpsest"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# -- palimpsest's own settings ----------------------------------------------------------
# The archive database; the same default as the `palimpsest` command.
PALIMPSEST_DB_URL = os.environ.get("PALIMPSEST_DB", "sqlite:///palimpsest.db")
# Sources and topic TOML; None: PALIMPSEST_CONFIG, ./palimpsest.toml, the bundled default.
PALIMPSEST_CONFIG = os.environ.get("PALIMPSEST_CONFIG") or None
# What started the crawl, stored on the crawl row: 'manual' or 'schedule'.
PALIMPSEST_TRIGGER = "manual"
# Fetch rows are written in batches of this many, so provenance costs few transactions.
PALIMPSEST_FETCH_BATCH = 200
# A comment-page trap (endless "older comments" links) stops here and marks the thread partial.
PALIMPSEST_MAX_COMMENT_PAGES = 500
# Listing pages followed per discovery route (home, archives, feeds, sitemaps).
PALIMPSEST_MAX_LISTING_PAGES = 2000
# Raw capture (crawler.warc): unset means off; the runner sets it from --warc / the config.
PALIMPSEST_WARC_DIR = None
# WARC file names start with this; None: the spider's source key (crawler.politeness sets it).
PALIMPSEST_WARC_PREFIX = None
# A WARC file is closed and a new one started past this size (easy to copy, still few files).
PALIMPSEST_WARC_MAX_BYTES = 100 * 1024 * 1024
# The operator's contact URL, written into each WARC file's warcinfo (from `[crawl] contact_url`).
PALIMPSEST_CONTACT_URL = ""
# Which crawls apply the revisit policy (skip posts not due): 'schedule' (scheduled crawls
# only; manual ones look at every post), 'always', or 'never' (docs/schema.md).
PALIMPSEST_REVISIT = "schedule"
# Seconds between heartbeats of the source's crawl lock (storage.locks, whose own default
# this matches; a lock is taken over after 120 s without one).
PALIMPSEST_LOCK_HEARTBEAT = 15.0
# Reparse (crawler.reparse): the WARC files answering every request instead of the network.
PALIMPSEST_REPLAY_WARCS: list[str] = []

# -- politeness -------------------------------------------------------------------------
USER_AGENT = "palimpsest/0.1 (research archive of public blog comment threads)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy starts this many asyncio tasks for EVERY callback's output (100 by default), to
# run item pipelines in parallel; a callback here yields one request or one item, and the
# archive pipeline is synchronous, so 100 tasks per page were pure overhead (~0.7 ms CPU
# of a 240 KB page's ~3 ms in the fetch-only benchmark).
CONCURRENT_ITEMS = 4
# Scrapy's check that a generator callback returns no value re-reads and parses the
# callback's source whenever its weak cache misses (bound methods die with their
# requests): ~0.25 ms CPU per page. tests/crawler/test_callbacks.py makes the same check
# once, over every callback of the spider.
WARN_ON_GENERATOR_RETURN_VALUE = False
DOWNLOAD_DELAY = 1.0
# The delay is a minimum (a source's delay_seconds, robots.txt Crawl-delay, a Retry-After
# pause all set it), so no jitter: Scrapy's default ±50% would start some requests after
# half of it.
DOWNLOAD_DELAY_JITTER = 0.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# -- faults -----------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024  # a 32 MB "page" is a trap, not a blog post
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
# The spider decides what a 404/401/403 means (REST blocked, post gone), so let them through.
HTTPERROR_ALLOW_ALL = True

# -- components -------------------------------------------------------------------------
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
# After a killed crawl: threads it finished are not fetched again (crawler.resume).
SPIDER_MIDDLEWARES = {"crawler.resume.ResumeSpiderMiddleware": 900}
PALIMPSEST_RESUME = True
PALIMPSEST_RESUME_WINDOW_HOURS = 12.0
DOWNLOADER_MIDDLEWARES = {
    # crawler.warc.WarcCaptureMiddleware (950, next to the download handler) is added by
    # the spider only when PALIMPSEST_WARC_DIR is set, so uncaptured crawls log no warning.
    # Crawl-delay, Retry-After, backoff, pausing a failing host, on Scrapy's download
    # slots (replaces RetryMiddleware: RETRY_TIMES, RETRY_HTTP_CODES are read by it).
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.hosts.HostPolitenessMiddleware": 550,
    # Above RedirectMiddleware (600): logs and stops redirect loops and off-site redirects.
    "crawler.middlewares.guards.RedirectGuardMiddleware": 650,
    # Next to the download handler: the hash and size of each body as sent (fetch rows).
    "crawler.middlewares.received.ReceivedBodyMiddleware": 960,
}
# crawler.middlewares.hosts: backoff base × 2^attempt (capped), the longest Retry-After
# honoured (longer pauses the host), failures in a row before a host is paused, whether
# robots.txt Crawl-delay is applied (off only for a reparse, which has no server), and the
# longest Crawl-delay applied.
PALIMPSEST_BACKOFF_BASE = 2.0
PALIMPSEST_BACKOFF_MAX = 60.0
PALIMPSEST_RETRY_AFTER_MAX = 120.0
PALIMPSEST_HOST_MAX_FAILURES = 8
PALIMPSEST_OBEY_CRAWL_DELAY = True
PALIMPSEST_CRAWL_DELAY_MAX = 30.0
EXTENSIONS = {"scrapy.extensions.telnet.TelnetConsole": None}
# Scrapy's HTTP/1.1 handler, which with the shared host pace on (crawler.shared_pace: env
# PALIMPSEST_SHARED_PACE=1, set by `palimpsest worker`, on a PostgreSQL archive) first
# reserves each request's start on its host in the archive, so that crawls of one host
# in different processes and machines keep its delay between them; the margin covers
# the jitter between the end of the wait and the request leaving (one reactor turn:
# the archive's writes run on the reactor's thread too; on a loaded machine, a process
# waiting for a core): 0.1 s let one gap of 185 ms through at a 200 ms delay, load 9
# on 2 cores.
DOWNLOAD_HANDLERS = {
    "http": "crawler.paced_download.PacedDownloadHandler",
    "https": "crawler.paced_download.PacedDownloadHandler",
}
PALIMPSEST_SHARED_PACE = os.environ.get("PALIMPSEST_SHARED_PACE") == "1"
PALIMPSEST_SHARED_PACE_MARGIN = 0.2

# Every thread is fetched once per crawl; no HTTP cache, so the archive never sees stale pages.
HTTPCACHE_ENABLED = False
COOKIES_ENABLED = False
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
