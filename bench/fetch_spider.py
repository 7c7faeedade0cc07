"""The fetch-only limit: a Scrapy spider that downloads a list of URLs and parses nothing.

It runs with the same project settings and overrides as the benchmark crawl (robots.txt,
downloader middlewares, concurrency, no delay), minus the item pipeline and spider
middlewares, so the gap between it and `palimpsest crawl` is what parsing, normalizing
and writing cost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response

__all__ = ["FetchOnlySpider"]


class FetchOnlySpider(Spider):
    """Fetches every URL of `urls` once; the response body is dropped unread."""

    name = "bench_fetch_only"

    def __init__(self, urls: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = list(urls or [])
        self.pages = 0
        self.bytes = 0

    async def start(self) -> AsyncIterator[Request]:
        for url in self.urls:
            yield Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response: Response) -> None:
        # len() of the body is what any crawler must at least touch; nothing more.
        self.pages += 1
        self.bytes += len(response.body)
