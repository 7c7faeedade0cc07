"""The bundled demo blog: served from the snapshot with the live origin, complete, small."""

from __future__ import annotations

import gzip
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from crawler.demo_server import DEMO_SITE_DIR, MANIFEST, PLACEHOLDER_ORIGIN, serve_demo_site
from tests.wordpress.demo_seed import DEMO_POSTS
from tests.wordpress.fixtures import require_wordpress


def get(url: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read(), {k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()}


def test_snapshot_is_small() -> None:
    size = sum(p.stat().st_size for p in DEMO_SITE_DIR.iterdir() if p.is_file())
    assert size < 1_000_000


def test_pages_come_back_with_the_live_origin() -> None:
    with serve_demo_site() as base:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        status, body, headers = get(base + "/")
        assert status == 200
        assert headers["content-type"].startswith("text/html")
        assert PLACEHOLDER_ORIGIN.encode() not in body
        assert f'href="{base}/2025/04/cecot-flight-manifests/"'.encode() in body
        status, body, headers = get(base + "/feed/")
        assert status == 200 and "rss" in headers["content-type"]
        assert f"<link>{base}/2025/04/cecot-flight-manifests/</link>".encode() in body
        status, body, headers = get(base + "/wp-sitemap.xml")
        assert status == 200 and headers["content-type"].startswith("application/xml")
        assert f"{base}/wp-sitemap-posts-post-1.xml".encode() in body


def test_unknown_paths_and_the_rest_api_are_404() -> None:
    with serve_demo_site() as base:
        assert get(base + "/no/such/page/")[0] == 404
        assert get(base + "/wp-json/wp/v2/posts")[0] == 404
        assert get(base + "/?rest_route=/wp/v2/posts")[0] == 404


def test_conditional_requests() -> None:
    with serve_demo_site() as base:
        _, _, headers = get(base + "/2025/03/guantanamo-again/")
        status, body, _ = get(base + "/2025/03/guantanamo-again/", **{
            "If-None-Match": headers["etag"]})
        assert status == 304 and body == b""


def test_every_thread_is_complete_in_the_snapshot() -> None:
    """Both long threads span two comment pages, and every same-site post link resolves."""
    with serve_demo_site() as base:
        seeded = {p.slug: len(p.comments) for p in DEMO_POSTS}
        for slug in ("2025/04/cecot-flight-manifests", "2025/03/guantanamo-again"):
            ids: set[str] = set()
            for page in ("", "comment-page-1/", "comment-page-2/"):
                status, body, _ = get(f"{base}/{slug}/{page}")
                assert status == 200
                ids |= set(re.findall(rb'<li id="comment-(\d+)"', body))
            # Every comment of the seed, each once (the snapshot hides none).
            assert len(ids) == seeded[slug.rsplit("/", 1)[1]], slug
        _, body, _ = get(base + "/2025/04/cecot-flight-manifests/")
        doc = lxml.html.fromstring(body)
        for href in doc.xpath("//a/@href"):
            url = urljoin(base + "/", href.split("#")[0])
            parts = urlsplit(url)
            if url.startswith(base) and "replytocom" not in url and not parts.path.startswith(
                    ("/wp-", "/xmlrpc")):
                assert get(url)[0] == 200, url


@pytest.mark.wordpress
@pytest.mark.slow
def test_the_snapshot_is_rebuilt_identically_from_the_demo_seed(tmp_path: Path) -> None:
    """Fails when demo_seed.py (or the harness) changed but the snapshot was not rebuilt."""
    require_wordpress()
    from tests.wordpress.make_demo_site import main

    main(["--out", str(tmp_path)])
    saved = json.loads((DEMO_SITE_DIR / MANIFEST).read_text(encoding="utf-8"))
    again = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert again == saved, "run python -m tests.wordpress.make_demo_site"
    for entry in saved["pages"].values():
        if "file" in entry:
            name = entry["file"]
            assert gzip.decompress((tmp_path / name).read_bytes()) == gzip.decompress(
                (DEMO_SITE_DIR / name).read_bytes()), name
