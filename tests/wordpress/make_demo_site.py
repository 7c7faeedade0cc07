"""Build crawler/demo_site/: a static snapshot of the demo blog, for `make demo`.

Run `.venv/bin/python -m tests.wordpress.make_demo_site` (needs what the harness
needs). It starts a test WordPress seeded with `tests.wordpress.demo_seed`, walks every
same-site link from the home page, the feed and the sitemaps (never the REST API, the
admin, or theme assets), and saves each response gzipped, with the site's origin
replaced by `PLACEHOLDER_ORIGIN`; crawler/demo_server.py serves it back.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import shutil
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.etree
import lxml.html

from crawler.demo_server import DEMO_SITE_DIR, MANIFEST, PLACEHOLDER_ORIGIN, origin_forms
from tests.wordpress.capture_fixtures import fetch
from tests.wordpress.demo_seed import DEMO_POSTS
from tests.wordpress.harness import WordPressSite

__all__ = ["build", "main"]

# Paths the snapshot leaves out: the REST API (the demo shows the HTML path), admin
# and login, XML-RPC, reply links (the same page again), theme/core assets (size), and
# the per-comment-feed of every post is kept but not the global comments feed's pages.
_SKIP = re.compile(
    r"^/(wp-json|wp-admin|wp-login\.php|xmlrpc\.php|wp-content|wp-includes|wp-signup\.php"
    r"|wp-comments-post\.php)|[?&](replytocom|rest_route|s)="
)
_EXTENSIONS = {"text/html": "html", "application/rss+xml": "xml", "application/xml": "xml",
               "text/xml": "xml", "application/atom+xml": "xml", "text/plain": "txt"}


def _local(url: str, base: str) -> str | None:
    """The path?query of a same-site URL worth saving, else None."""
    url = urldefrag(url)[0]
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != base:
        return None
    key = parts.path or "/"
    if parts.query:
        key += "?" + parts.query
    return None if _SKIP.search(key) else key


def _links(body: bytes, content_type: str, page_url: str) -> list[str]:
    if "html" in content_type:
        doc = lxml.html.fromstring(body)
        return [urljoin(page_url, href) for href in doc.xpath("//a/@href")]
    if "xml" in content_type:
        root = lxml.etree.fromstring(body)
        # Sitemap <loc>s; the <link>s of RSS items and their comment feeds (wfw:commentRss).
        return [el.text.strip() for el in root.iter()
                if isinstance(el.tag, str)
                and el.tag.rsplit("}", 1)[-1] in ("loc", "link", "commentRss")
                and el.text and el.text.strip()]
    return []


def _file_name(key: str, ext: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-") or "home"
    return f"{readable[:60]}-{hashlib.sha1(key.encode()).hexdigest()[:8]}.{ext}.gz"


def build(site: WordPressSite, out: Path) -> dict[str, dict[str, object]]:
    """Walk `site` from its entry points and write the snapshot to `out`."""
    base = site.base_url
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "__init__.py").write_text(
        '"""The demo blog snapshot (data only; see crawler/demo_server.py)."""\n')
    pages: dict[str, dict[str, object]] = {}
    queue = deque(["/", "/feed/", "/wp-sitemap.xml", "/robots.txt", "/comments/feed/"])
    seen = set(queue)
    while queue:
        key = queue.popleft()
        got = fetch(base + key)
        content_type = got.headers.get("content-type", "")
        entry: dict[str, object] = {"status": got.status, "content_type": content_type,
                                    "last_modified": got.headers.get("last-modified")}
        if 300 <= got.status < 400:
            location = urljoin(base + key, got.headers.get("location", ""))
            entry["location"] = location.replace(base, PLACEHOLDER_ORIGIN)
            target = _local(location, base)
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
        elif got.status == 200:
            # WordPress's feed self-links (self_link()) drop the port: give it back, or
            # the snapshot would point at port 80.
            body = got.body.replace(f"http://{urlsplit(base).hostname}/".encode(),
                                    f"{base}/".encode())
            for form, placeholder in zip(origin_forms(base), origin_forms(PLACEHOLDER_ORIGIN),
                                         strict=True):
                body = body.replace(form.encode(), placeholder.encode())
            ext = _EXTENSIONS.get(content_type.split(";")[0].strip(), "bin")
            name = _file_name(key, ext)
            (out / name).write_bytes(gzip.compress(body, mtime=0))
            entry["file"] = name
            for link in _links(got.body, content_type, base + key):
                target = _local(link, base)
                if target and target not in seen:
                    seen.add(target)
                    queue.append(target)
        else:
            raise RuntimeError(f"{base + key} answered {got.status} while building the demo")
        pages[key] = entry
    manifest = {"origin": PLACEHOLDER_ORIGIN, "pages": dict(sorted(pages.items()))}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                encoding="utf-8")
    return pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEMO_SITE_DIR)
    args = parser.parse_args(argv)
    with WordPressSite.start(seed=DEMO_POSTS) as site:
        # No avatars: the snapshot should not point a browser at gravatar.com.
        site.set_options(show_avatars=0)
        site.block_rest(True)
        pages = build(site, args.out)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"{len(pages)} pages, {size // 1024} KiB -> {args.out}")


if __name__ == "__main__":
    main()
