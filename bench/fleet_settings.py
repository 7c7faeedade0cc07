"""Scrapy settings for the fleet benchmark's crawls: the project's, politeness off.

Selected with SCRAPY_SETTINGS_MODULE=bench.fleet_settings (bench/fleet.py sets it for
the workers, whose crawl processes inherit it). As bench.run's BENCH_OVERRIDES: no
AutoThrottle, 16 requests at a time, so a crawl is bound by the CPU, not by waiting.
"""

from crawler.settings import *

AUTOTHROTTLE_ENABLED = False
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 16
