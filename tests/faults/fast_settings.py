"""Scrapy settings for crawls in the fault suite: the project's, with tiny waits.

Selected with SCRAPY_SETTINGS_MODULE=tests.faults.fast_settings (the runner keeps an
existing value). The policies are the same as in production; only the clocks are short,
so the whole suite runs in seconds.
"""

from crawler.settings import *

AUTOTHROTTLE_ENABLED = False
PALIMPSEST_BACKOFF_BASE = 0.05
PALIMPSEST_BACKOFF_MAX = 0.2
PALIMPSEST_RETRY_AFTER_MAX = 5.0
PALIMPSEST_HOST_MAX_FAILURES = 12
PALIMPSEST_MAX_COMMENT_PAGES = 12
DOWNLOAD_TIMEOUT = 1  # seconds; an int, like the project setting
DOWNLOAD_MAXSIZE = 2 * 1024 * 1024
RETRY_TIMES = 2
