"""Re-deriving a crawl's threads from its WARC files, with the current parsers, offline.

Better parsers should be able to re-read old captures. `reparse_crawl` runs the same
spider, pipeline and archive writer as a live crawl, but a downloader middleware answers
every request from the crawl's WARC files, so nothing leaves the machine: a request for
a URL the crawl never fetched fails (IgnoreRequest) and makes its thread partial, as a
failed fetch would. The result is a new crawl row with trigger ``reparse``; unchanged
parsers reproduce the archive exactly, so such a crawl writes zero new versions.

Which files: the distinct ``fetch.warc_file`` names of the crawl, looked up in the WARC
directory (``--warc DIR``, else ``[crawl] warc_dir``, else ``./warc``); each is checked
against the SHA-256 recorded on the crawl row before it is trusted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from storage.errors import InputError

if TYPE_CHECKING:
    from storage.archive import Archive

__all__ = [
    "CapturedResponse",
    "WarcReplayMiddleware",
    "crawl_warcs",
    "load_captures",
    "reparse_crawl",
]


@dataclass(frozen=True)
class CapturedResponse:
    """One response record: what the server sent, as the WARC holds it."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # the HTTP payload as sent (still content-encoded, if it was)


def load_captures(paths: list[Path]) -> dict[str, CapturedResponse]:
    """URL -> the response to replay: the last successful one, else the last one.

    A URL fetched more than once in a crawl was retried; the retry that succeeded is
    what the live crawl went on with.
    """
    from warcio.archiveiterator import ArchiveIterator

    chosen: dict[str, CapturedResponse] = {}
    for path in paths:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                status = int(record.http_headers.get_statuscode())
                captured = CapturedResponse(
                    url=url,
                    status=status,
                    headers=list(record.http_headers.headers),
                    body=record.raw_stream.read(),
                )
                previous = chosen.get(url)
                if previous is None or status < 300 or previous.status >= 300:
                    chosen[url] = captured
    return chosen


def crawl_warcs(archive: Archive, crawl_id: int, warc_dir: str | Path) -> tuple[str, list[Path]]:
    """The crawl's source key and its WARC files, each checked against its digest."""
    captures = archive.crawl_captures(crawl_id)
    names, digests = captures.warc_files, captures.digests
    if not names:
        raise InputError(f"crawl {crawl_id} kept no WARC files (it ran without --warc)")
    paths = []
    for name in names:
        path = Path(warc_dir) / name
        if not path.is_file():
            raise InputError(f"crawl {crawl_id}: WARC file {path} is missing (give --warc DIR)")
        expected = digests.get(name)
        if expected and _sha256(path) != expected:
            raise InputError(f"crawl {crawl_id}: {path} does not match its recorded SHA-256")
        paths.append(path)
    return captures.source_key, paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class WarcReplayMiddleware:
    """Downloader middleware answering every request from WARC captures (no network).

    Settings: ``PALIMPSEST_REPLAY_WARCS`` (list of paths). Register last in the request
    path (990) so robots.txt, the host policy and default headers run as in a live crawl.
    """

    def __init__(self, crawler: Any, captures: dict[str, CapturedResponse]) -> None:
        self.crawler = crawler
        self.captures = captures

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        from scrapy.exceptions import NotConfigured

        paths = crawler.settings.getlist("PALIMPSEST_REPLAY_WARCS")
        if not paths:
            raise NotConfigured("PALIMPSEST_REPLAY_WARCS not set")
        return cls(crawler, load_captures([Path(p) for p in paths]))

    def process_request(self, request: Any, spider: Any = None) -> Any:
        from scrapy.exceptions import IgnoreRequest
        from scrapy.http import Headers
        from scrapy.responsetypes import responsetypes

        captured = self.captures.get(request.url)
        if captured is None:
            self.crawler.stats.inc_value("palimpsest/reparse/not_captured")
            raise IgnoreRequest(f"not in the crawl's WARC files: {request.url}")
        headers = Headers()
        for name, value in captured.headers:
            headers.appendlist(name, value)
        cls = responsetypes.from_args(headers=headers, url=captured.url, body=captured.body)
        self.crawler.stats.inc_value("palimpsest/reparse/replayed")
        return cls(
            url=captured.url,
            status=captured.status,
            headers=headers,
            body=captured.body,
            request=request,
        )


def reparse_crawl(
    crawl_id: int,
    *,
    db_url: str,
    config_path: str | None = None,
    warc_dir: str | None = None,
    progress: Any = None,
) -> Any:
    """Re-derive crawl `crawl_id` from its WARC files as a new 'reparse' crawl (once per
    process: it runs a Scrapy crawl). Returns the runner's CrawlSummary."""
    from crawler import settings as project
    from crawler.config import load_config
    from crawler.runner import run_crawl
    from storage.archive import Archive
    from storage.engine import open_engine

    config = load_config(config_path)
    directory = warc_dir or config.crawl.warc_dir or "warc"
    archive = Archive(open_engine(db_url))  # the process's one engine, run_crawl's too
    try:
        source_key, paths = crawl_warcs(archive, crawl_id, directory)
    except BaseException:
        archive.engine.dispose()
        raise
    middlewares = {
        **project.DOWNLOADER_MIDDLEWARES,
        "crawler.warc.WarcCaptureMiddleware": None,  # the capture exists already
        "crawler.reparse.WarcReplayMiddleware": 990,
    }
    overrides = {
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "PALIMPSEST_REPLAY_WARCS": [str(p) for p in paths],
        "PALIMPSEST_WARC_DIR": None,
        # Nothing to be polite to: the "server" is a file.
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "PALIMPSEST_BACKOFF_BASE": 0.0,
        "PALIMPSEST_OBEY_CRAWL_DELAY": False,
    }
    return run_crawl(
        source_key,
        config_path=config.path,
        db_url=db_url,
        trigger="reparse",
        progress=progress,
        overrides=overrides,
        config_obj=config,
        archive=archive,
    )
