"""A fast static file server on 127.0.0.1 for benchmark sites: nginx when installed, else Python's.

nginx keeps the server out of the measurement (it serves ~10k pages/s on one core); the
Python fallback is slower and the benchmark table says which one ran.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["free_port", "serve_static"]

_NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

_CONF = """
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    types {{ text/html html; application/xml xml; text/plain txt; }}
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    sendfile on;
    {validators}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _check_serves(root: Path, port: int, proc: subprocess.Popen[bytes]) -> None:
    """Fail unless our nginx is the one answering: the port was free when chosen, but on a
    shared machine another server may have taken it before nginx bound it (nginx then
    exits, and the other server would answer every benchmark request with a 404)."""
    probe = root / "robots.txt"
    time.sleep(0.1)  # nginx exits at once when bind() fails
    if proc.poll() is not None:
        raise RuntimeError(f"nginx exited ({proc.returncode}): port {port} taken?")
    if probe.exists():
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=5) as response:
            if response.read() != probe.read_bytes():
                raise RuntimeError(f"127.0.0.1:{port} is not serving {root}")


def _wait_listening(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"static server on 127.0.0.1:{port} did not start")


@contextlib.contextmanager
def serve_static(root: Path, port: int | None = None, prefer_nginx: bool = True,
                 validators: bool = True) -> Iterator[tuple[str, str]]:
    """Serve `root`; yield (base_url, server_name).

    validators=False: no ETag, and If-Modified-Since is ignored (always 200), like the many
    blogs behind caches or plugins that send no usable validators; a recrawl then costs a
    full fetch and a fingerprint per page instead of a 304.
    """
    port = port or free_port()
    if prefer_nginx and _NGINX:
        with tempfile.TemporaryDirectory(prefix="palimpsest-nginx-") as tmp:
            conf = Path(tmp) / "nginx.conf"
            conf.write_text(_CONF.format(tmp=tmp, port=port, root=root.resolve(),
                                         validators="" if validators else "etag off; if_modified_since off;"))
            proc = subprocess.Popen([_NGINX, "-c", str(conf), "-p", tmp, "-e", f"{tmp}/error.log"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                _wait_listening(port)
                _check_serves(root, port, proc)
                yield f"http://127.0.0.1:{port}", "nginx"
            finally:
                proc.terminate()
                proc.wait(10)
        return
    handler = functools.partial(_QuietHandler if validators else _NoValidatorsHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", "python http.server"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _NoValidatorsHandler(_QuietHandler):
    def send_head(self) -> io.BytesIO | BinaryIO | None:
        del self.headers["If-Modified-Since"]  # always the full page, never a 304
        return super().send_head()
