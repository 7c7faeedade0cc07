"""A fault-injecting HTTP server on 127.0.0.1 that wraps a test site.

It proxies an upstream site that also runs on 127.0.0.1 (the demo snapshot server, the
test WordPress) or serves a dict of pages, and, per URL pattern, replaces or damages the
response: 500s, 429/503 with Retry-After, slow answers, truncated bodies, wrong or
missing charsets, a BOM, garbage bytes, an endless comment pagination trap, huge pages,
redirect loops and off-site redirects. Every injection is logged with its URL so a test
can check that the crawl counted each one.

    faults = [Fault("status", r"/comment-page-2/", status=500, times=2)]
    with FaultServer(upstream=base_url, faults=faults) as fs:
        crawl(fs.base_url)
        fs.injections  # [Injection(kind='status', url=..., detail='500')...]

Absolute links in upstream bodies and Location headers are rewritten to point at the
fault server, so a crawler never leaves it.
"""

from __future__ import annotations

import gzip
import http.client
import random
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal, Self
from urllib.parse import unquote, urlsplit

__all__ = ["Fault", "FaultKind", "FaultServer", "Injection", "serve_faults"]

FaultKind = Literal[
    "status",  # answer `status` (500, 502, 404 …) with a small error page
    "retry_after",  # answer `status` (429 or 503) with Retry-After: `retry_after`, after `delay`
    "slow",  # wait `delay` seconds, then answer normally
    "truncate",  # send `fraction` of the body; `lie_length`: keep the full Content-Length
    "wrong_charset",  # body re-encoded to cp1252, header still says UTF-8
    "no_charset",  # body re-encoded to cp1252, no charset in header nor <meta>
    "bom",  # UTF-8 BOM prepended, header says ISO-8859-1
    "garbage",  # 200 text/html of random bytes
    "comment_trap",  # every comment page links to one more: comment-page-N+1, forever
    "huge",  # a valid page padded to `size` bytes
    "redirect",  # 301 to `location` on the same site (a moved page: followed)
    "redirect_loop",  # 302 to the same URL with a counter that cycles
    "offsite_redirect",  # 302 to http://localhost:<port>/offsite/… (another host)
    "drop",  # close the connection without an answer
    "gzip",  # the page sent with Content-Encoding: gzip
]

_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
_TYPES = {
    ".html": "text/html; charset=UTF-8",
    ".xml": "application/xml",
    ".json": "application/json",
    ".txt": "text/plain",
}
# Comment navigation as themes print it (classic nav.comments-pagination / older
# .comment-navigation / block .wp-block-comments-pagination), removed by the trap.
_PAGINATION = re.compile(
    rb"<(nav|div)[^>]*(comments-pagination|comment-navigation)[^>]*>.*?</\1>",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT_PAGE = re.compile(r"/comment-page-(\d+)/?")


@dataclass
class Fault:
    """One fault: `kind` applied to requests whose path+query matches `pattern`.

    `times`: inject on the first N matching requests only (then answer normally, which
    is how a retry is seen to succeed); None: on every one.
    """

    kind: FaultKind
    pattern: str
    times: int | None = None
    status: int = 500
    retry_after: int = 1
    delay: float = 0.0
    fraction: float = 0.5
    lie_length: bool = False
    size: int = 12 * 1024 * 1024
    location: str = "/"
    seen: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._regex = re.compile(self.pattern)

    def matches(self, target: str) -> bool:
        return self._regex.search(target) is not None


@dataclass(frozen=True)
class Injection:
    """One fault actually injected: which, on which URL, and any detail (status…)."""

    kind: str
    url: str
    detail: str = ""


class FaultServer:
    """Run the fault server in a thread; `base_url` is valid between start() and stop()."""

    def __init__(
        self,
        *,
        upstream: str | None = None,
        pages: dict[str, tuple[int, dict[str, str], bytes]] | None = None,
        directory: str | Path | None = None,
        faults: list[Fault] | None = None,
        seed: int = 8,
        host: str = "127.0.0.1",
    ) -> None:
        if upstream is not None:
            host = urlsplit(upstream).hostname
            if host not in _LOCAL_HOSTS:
                raise ValueError(f"upstream must be on 127.0.0.1, not {upstream!r}")
        self.upstream = upstream.rstrip("/") if upstream else None
        self.pages = pages or {}
        self.directory = Path(directory).resolve() if directory is not None else None
        self.faults = list(faults or [])
        self.injections: list[Injection] = []
        self.requests: list[str] = []  # every path+query asked, in order
        # (time.monotonic(), path+query) of each request as it arrived: the server's own
        # clock, for tests of the crawler's pacing.
        self.arrivals: list[tuple[float, str]] = []
        self.offsite_hits: list[str] = []  # requests that arrived for the "other" host
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.host = host  # another loopback address (127.0.0.2) is another host to Scrapy
        self.base_url = ""

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> str:
        handler = type("Handler", (_Handler,), {"fault_server": self})
        self._httpd = ThreadingHTTPServer((self.host, 0), handler)
        self._httpd.daemon_threads = True
        port = self._httpd.server_address[1]
        self.base_url = f"http://{self.host}:{port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- bookkeeping --------------------------------------------------------------------

    def pick(self, target: str) -> Fault | None:
        """The first fault that matches and still has injections left (counts it)."""
        with self._lock:
            self.requests.append(target)
            self.arrivals.append((time.monotonic(), target))
            for fault in self.faults:
                if fault.matches(target) and (fault.times is None or fault.seen < fault.times):
                    fault.seen += 1
                    return fault
        return None

    def log(self, kind: str, target: str, detail: str = "") -> None:
        with self._lock:
            self.injections.append(Injection(kind, self.base_url + target, detail))

    def garbage(self, n: int) -> bytes:
        with self._lock:
            return bytes(self._random.getrandbits(8) for _ in range(n))

    # -- the wrapped site ----------------------------------------------------------------

    def fetch_upstream(
        self, target: str, headers: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """GET target from the upstream (or the pages dict), links rewritten to us."""
        if self.upstream is None and self.directory is not None and target not in self.pages:
            return self._from_directory(target)
        if self.upstream is None:
            status, page_headers, body = self.pages.get(
                target, (404, {"Content-Type": "text/html"}, b"<html><body>Not found</body></html>")
            )
            return status, list(page_headers.items()), body
        parts = urlsplit(self.upstream)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        try:
            forward = {k: v for k, v in headers.items() if k.lower() in ("accept", "user-agent")}
            conn.request("GET", (parts.path or "") + target, headers=forward)
            resp = conn.getresponse()
            body = resp.read()
            out_headers = [
                (k, self._rewrite(v.encode("latin-1")).decode("latin-1"))
                for k, v in resp.getheaders()
                if k.lower() not in ("transfer-encoding", "connection", "content-length")
            ]
            return resp.status, out_headers, self._rewrite(body)
        finally:
            conn.close()

    def _from_directory(self, target: str) -> tuple[int, list[tuple[str, str]], bytes]:
        """A static site: /a/b/ is a/b/index.html; nothing outside the directory."""
        assert self.directory is not None
        path = unquote(target.split("?")[0].split("#")[0])
        file = (self.directory / path.lstrip("/")).resolve()
        if file.is_dir():
            file = file / "index.html"
        if not file.is_relative_to(self.directory) or not file.is_file():
            return 404, [("Content-Type", "text/html")], b"<html><body>Not found</body></html>"
        ctype = _TYPES.get(file.suffix, "application/octet-stream")
        return 200, [("Content-Type", ctype)], file.read_bytes()

    def _rewrite(self, data: bytes) -> bytes:
        assert self.upstream is not None
        ours = self.base_url.encode()
        theirs = self.upstream.encode()
        data = data.replace(theirs, ours)
        # REST JSON escapes slashes: http:\/\/127.0.0.1:1234
        return data.replace(theirs.replace(b"/", rb"\/"), ours.replace(b"/", rb"\/"))


class _Handler(BaseHTTPRequestHandler):
    fault_server: FaultServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output for the fault report

    def do_GET(self) -> None:
        fs = self.fault_server
        target = self.path
        host = self.headers.get("Host", "")
        if host.startswith("localhost"):
            with fs._lock:
                fs.offsite_hits.append(target)
            self._send(404, [("Content-Type", "text/plain")], b"off-site")
            return
        fault = fs.pick(target)
        if fault is None:
            self._send(*fs.fetch_upstream(target, dict(self.headers)))
            return
        getattr(self, f"_fault_{fault.kind}")(fault, target)

    # -- one method per fault kind -----------------------------------------------------

    def _fault_status(self, fault: Fault, target: str) -> None:
        self.fault_server.log("status", target, str(fault.status))
        body = f"<html><body><h1>Error {fault.status}</h1></body></html>".encode()
        self._send(fault.status, [("Content-Type", "text/html; charset=utf-8")], body)

    def _fault_retry_after(self, fault: Fault, target: str) -> None:
        self.fault_server.log(
            "retry_after", target, f"{fault.status} Retry-After: {fault.retry_after}"
        )
        headers = [("Content-Type", "text/html"), ("Retry-After", str(fault.retry_after))]
        time.sleep(fault.delay)
        self._send(fault.status, headers, b"<html><body>Slow down</body></html>")

    def _fault_slow(self, fault: Fault, target: str) -> None:
        self.fault_server.log("slow", target, f"{fault.delay}s")
        time.sleep(fault.delay)
        try:
            self._send(*self.fault_server.fetch_upstream(target, dict(self.headers)))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out first, as intended

    def _fault_truncate(self, fault: Fault, target: str) -> None:
        status, headers, body = self.fault_server.fetch_upstream(target, dict(self.headers))
        cut = body[: int(len(body) * fault.fraction)]
        mode = "content-length lie" if fault.lie_length else "clean close"
        self.fault_server.log("truncate", target, f"{len(cut)}/{len(body)} bytes, {mode}")
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if fault.lie_length:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(cut)
        self.wfile.flush()
        self.close_connection = True

    def _recode(
        self, target: str, header_charset: str | None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        status, headers, body = self.fault_server.fetch_upstream(target, dict(self.headers))
        text = body.decode("utf-8", errors="replace")
        # Characters cp1252 lacks become character references: same text once parsed.
        new_body = text.encode("cp1252", errors="xmlcharrefreplace")
        new_headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
        ctype = "text/html" + (f"; charset={header_charset}" if header_charset else "")
        new_headers.append(("Content-Type", ctype))
        return status, new_headers, new_body

    def _fault_wrong_charset(self, fault: Fault, target: str) -> None:
        self.fault_server.log("wrong_charset", target, "cp1252 bytes, charset=UTF-8")
        self._send(*self._recode(target, "UTF-8"))

    def _fault_no_charset(self, fault: Fault, target: str) -> None:
        self.fault_server.log("no_charset", target, "cp1252 bytes, no charset")
        status, headers, body = self._recode(target, None)
        body = re.sub(rb"<meta[^>]*charset[^>]*>", b"", body, flags=re.IGNORECASE)
        self._send(status, headers, body)

    def _fault_bom(self, fault: Fault, target: str) -> None:
        self.fault_server.log("bom", target, "UTF-8 BOM, charset=ISO-8859-1")
        status, headers, body = self.fault_server.fetch_upstream(target, dict(self.headers))
        headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
        headers.append(("Content-Type", "text/html; charset=ISO-8859-1"))
        self._send(status, headers, b"\xef\xbb\xbf" + body)

    def _fault_garbage(self, fault: Fault, target: str) -> None:
        self.fault_server.log("garbage", target, "4096 random bytes")
        self._send(200, [("Content-Type", "text/html")], self.fault_server.garbage(4096))

    def _fault_comment_trap(self, fault: Fault, target: str) -> None:
        path = target.split("#")[0].split("?")[0]
        match = _COMMENT_PAGE.search(path)
        number = int(match.group(1)) if match else 1
        base = path[: match.start()] + "/" if match else path
        base_no_slash = base.rstrip("/")
        # The trap serves the thread's first page under every number, so the crawler sees
        # the same comments again and again, each time with one more "next" link.
        status, headers, body = self.fault_server.fetch_upstream(base, dict(self.headers))
        next_url = (
            f"{self.fault_server.base_url}{base_no_slash}/comment-page-{number + 1}/#comments"
        )
        nav = (
            f'<nav class="navigation comments-pagination" aria-label="Comments"><div class="nav-links">'
            f'<span aria-current="page" class="page-numbers current">{number}</span>'
            f'<a class="next page-numbers" href="{next_url}">Newer comments</a></div></nav>'
        ).encode()
        # The site's own comment navigation goes: the trap's is the only way on.
        body = _PAGINATION.sub(b"", body)
        body = (
            re.sub(rb"(?i)</body>", nav + b"</body>", body, count=1)
            if b"</body>" in body.lower()
            else body + nav
        )
        self.fault_server.log("comment_trap", target, f"page {number} links to {number + 1}")
        self._send(200 if status >= 400 else status, headers, body)

    def _fault_huge(self, fault: Fault, target: str) -> None:
        self.fault_server.log("huge", target, f"{fault.size} bytes")
        head = b"<html><head><title>huge</title></head><body><p>"
        tail = b"</p></body></html>"
        filler = b"x" * max(0, fault.size - len(head) - len(tail))
        self._send(200, [("Content-Type", "text/html; charset=utf-8")], head + filler + tail)

    def _fault_redirect(self, fault: Fault, target: str) -> None:
        location = self.fault_server.base_url + fault.location
        self.fault_server.log("redirect", target, f"301 to {location}")
        self._send(301, [("Location", location)], b"")

    def _fault_redirect_loop(self, fault: Fault, target: str) -> None:
        self.fault_server.log("redirect_loop", target, "302 to itself")
        self._send(302, [("Location", self.fault_server.base_url + target)], b"")

    def _fault_offsite_redirect(self, fault: Fault, target: str) -> None:
        port = self.fault_server.base_url.rsplit(":", 1)[1]
        location = f"http://localhost:{port}/offsite{target}"
        self.fault_server.log("offsite_redirect", target, f"302 to {location}")
        self._send(302, [("Location", location)], b"")

    def _fault_gzip(self, fault: Fault, target: str) -> None:
        self.fault_server.log("gzip", target, "Content-Encoding: gzip")
        status, headers, body = self.fault_server.fetch_upstream(target, dict(self.headers))
        headers = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
        self._send(status, [*headers, ("Content-Encoding", "gzip")], gzip.compress(body, mtime=0))

    def _fault_drop(self, fault: Fault, target: str) -> None:
        self.fault_server.log("drop", target, "connection closed, no answer")
        self.close_connection = True

    # -- plumbing -------------------------------------------------------------------------

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (max size, timeout): that is its right


@contextmanager
def serve_faults(
    upstream: str | None = None,
    faults: list[Fault] | None = None,
    pages: dict[str, tuple[int, dict[str, str], bytes]] | None = None,
    directory: str | Path | None = None,
    host: str = "127.0.0.1",
) -> Iterator[FaultServer]:
    """Context manager: a started FaultServer, stopped on exit."""
    server = FaultServer(
        upstream=upstream, faults=faults, pages=pages, directory=directory, host=host
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
