"""A minimal Scrapy crawl for middleware tests, run in a subprocess (one reactor each).

    python -m tests.faults.probe SETTINGS_JSON URL... > result.json

Fetches each URL once with the project's downloader middlewares and prints, as JSON,
what each callback or errback saw (status, time, text, WARC place) and the final stats.
`run_probe` runs it from a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.utils.project import get_project_settings
from twisted.python.failure import Failure

ROOT = Path(__file__).resolve().parents[2]
RESULTS: list[dict[str, Any]] = []
STATS: dict[str, Any] = {}


class ProbeSpider(Spider):
    name = "probe"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.t0 = time.monotonic()

    async def start(self) -> Any:
        for url in self.urls:
            yield Request(url, callback=self.ok, errback=self.failed, dont_filter=True)

    def ok(self, response: Response) -> Iterator[Any]:
        from crawler.fetches import decode_response

        decoded = decode_response(response)
        RESULTS.append(
            {
                "url": response.url,
                "request_url": response.request.url if response.request else None,
                "status": response.status,
                "at": round(time.monotonic() - self.t0, 3),
                "text": response.text[:2000] if hasattr(response, "text") else None,
                "content_type": (response.headers.get(b"Content-Type") or b"").decode(),
                "warc_file": response.meta.get("warc_file"),
                "warc_offset": response.meta.get("warc_offset"),
                "retry_times": response.meta.get("retry_times", 0),
                "body_hex": response.body[:64].hex(),
                "decoded": decoded.text[:2000] if decoded else None,
                "encoding": decoded.encoding if decoded else None,
                "encoding_problem": decoded.problem if decoded else None,
            }
        )
        return iter(())

    def failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        RESULTS.append(
            {
                "url": request.url,
                "error": f"{type(failure.value).__name__}: {failure.value}",
                "at": round(time.monotonic() - self.t0, 3),
            }
        )

    def closed(self, reason: str) -> None:
        STATS.update(self.crawler.stats.get_stats())


def run_probe(urls: list[str], settings: dict[str, Any]) -> dict[str, Any]:
    """Crawl `urls` in a child process with `settings` over the project's; its results."""
    out = subprocess.run(
        [sys.executable, "-m", "tests.faults.probe", json.dumps(settings), *urls],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=90,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    overrides = json.loads(sys.argv[1])
    urls = sys.argv[2:]
    settings = get_project_settings()
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(ProbeSpider, urls=urls)
    process.start()
    print(json.dumps({"results": RESULTS, "stats": STATS}, default=str))


if __name__ == "__main__":
    main()
