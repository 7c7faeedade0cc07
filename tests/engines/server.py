"""A site object (`respond(path, query)`) served on 127.0.0.x by the shared loopback stub
(tests/services/stub.py), so a test can change the site (edit, delete, reply) between two
crawls, and make chosen URLs fail (`failing`: regexes of path+query answered 500)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from tests.services.stub import serve as serve_stub

__all__ = ["Site", "serve"]


class Site(Protocol):
    base: str
    failing: list[str]

    def respond(self, path: str, query: dict[str, str]) -> tuple[int, str, bytes]: ...


@contextmanager
def serve(site: Site, host: str = "127.0.0.1") -> Iterator[list[str]]:
    """Serve `site` on `host`; sets `site.base`; yields the list of requests asked."""

    def answer(target: str) -> tuple[int, Any, str | None]:
        if any(re.search(p, target) for p in site.failing):
            return 500, b"<html><body>Server error</body></html>", "text/html"
        parts = urlsplit(target)
        status, ctype, body = site.respond(parts.path, dict(parse_qsl(parts.query)))
        return status, body, ctype

    with serve_stub(answer, host) as stub:
        site.base = stub.base_url
        yield stub.log
