"""Record parser fixtures: real pages saved from the test WordPress, for two themes.

Run `.venv/bin/python -m tests.wordpress.capture_fixtures` (needs what the harness
needs). It starts one seeded site and writes, for twentytwentyone (classic) and
twentytwentythree (block), under tests/fixtures/wordpress/<theme>/:

    <name>.<html|xml|json>   the body exactly as served
    <name>.meta.json         {url, base_url, theme, fetched_at, status, headers, note}

and tests/fixtures/wordpress/seed.json: what was seeded, with the WordPress ids (the
same in both themes, it is one site). URLs in the bodies are the real
http://127.0.0.1:PORT of that run; `base_url` in each meta file says which. Expected
parser output (`<name>.expected.json`) is written by hand beside them and is never
touched by this script.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.wordpress.harness import WordPressSite
from tests.wordpress.seed import Seed

__all__ = ["FIXTURE_DIR", "Fetched", "capture_theme", "fetch", "main", "seed_as_json"]

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "wordpress"
USER_AGENT = "palimpsest-fixture-capture/1"


@dataclasses.dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime


def fetch(url: str) -> Fetched:
    """GET `url` without following redirects (a fixture is one response)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(_NoRedirect)
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    at = datetime.now(UTC).replace(microsecond=0)
    try:
        with opener.open(req, timeout=30) as resp:
            return Fetched(url, resp.status, _headers(resp.headers), resp.read(), at)
    except urllib.error.HTTPError as exc:
        return Fetched(url, exc.code, _headers(exc.headers), exc.read(), at)


def _headers(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


# name, extension, URL from the site, and a note for whoever writes the expected file.
Target = tuple[str, str, Callable[[WordPressSite], str], str]


def _post(key: str, suffix: str = "") -> Callable[[WordPressSite], str]:
    return lambda site: site.seed.post(key).url + suffix


TARGETS: list[Target] = [
    ("post", "html", _post("flights"),
     "long thread, default comment page ('newest' first: the last of 3 pages)"),
    ("post-comment-page-1", "html", _post("flights", "comment-page-1/"),
     "long thread, first comment page (threaded replies, blockquotes, @-replies)"),
    ("post-comment-page-2", "html", _post("flights", "comment-page-2/"),
     "long thread, a middle comment page"),
    ("post-deep-thread", "html", _post("cecot"),
     "one comment page; replies 4 levels deep; linked @-reply; quote of a comment"),
    ("post-plain-permalinks-cpage-2", "html",
     lambda site: f"{site.base_url}/?p={site.seed.post('flights').id}&cpage=2",
     "the plain-permalink form of comment page 2; WordPress serves it as is (no redirect)"),
    ("post-off-topic", "html", _post("baseball"),
     "off-topic post whose comments mention deportation"),
    ("home", "html", lambda site: site.base_url + "/", "home page, 5 posts a page"),
    ("home-page-2", "html", lambda site: site.base_url + "/page/2/", "home, page 2"),
    ("tag", "html", lambda site: site.base_url + "/tag/deportation/", "tag archive"),
    ("category", "html", lambda site: site.base_url + "/category/immigration/",
     "category archive"),
    ("feed", "xml", lambda site: site.base_url + "/feed/", "RSS 2.0 feed of posts"),
    ("post-comments-feed", "xml", _post("flights", "feed/"), "RSS feed of one post's comments"),
    ("wp-sitemap", "xml", lambda site: site.base_url + "/wp-sitemap.xml", "sitemap index"),
    ("wp-sitemap-posts-post-1", "xml",
     lambda site: site.base_url + "/wp-sitemap-posts-post-1.xml", "posts sub-sitemap"),
    ("rest-posts-embed", "json", lambda site: site.base_url + "/wp-json/wp/v2/posts?_embed",
     "REST posts with _embedded author and terms; X-WP-Total in meta headers"),
    ("rest-comments", "json",
     lambda site: f"{site.base_url}/wp-json/wp/v2/comments?post={site.seed.post('flights').id}",
     "REST comments of the long thread, first page of 10 (X-WP-TotalPages in headers)"),
    ("rest-comments-page-5", "json",
     lambda site: (f"{site.base_url}/wp-json/wp/v2/comments"
                   f"?post={site.seed.post('flights').id}&page=5"),
     "REST comments, last page"),
]


def capture_theme(site: WordPressSite, theme: str, out: Path) -> list[Path]:
    """Switch `site` to `theme` and save every target under `out`; return the files."""
    site.set_theme(theme)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, ext, url_of, note in TARGETS:
        got = fetch(url_of(site))
        if got.status >= 400:
            raise RuntimeError(f"{got.url} answered {got.status}")
        body_path = out / f"{name}.{ext}"
        body_path.write_bytes(got.body)
        meta = {"url": got.url, "base_url": site.base_url, "theme": theme,
                "fetched_at": got.fetched_at.isoformat(), "status": got.status,
                "headers": got.headers, "note": note}
        meta_path = out / f"{name}.meta.json"
        meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
        written += [body_path, meta_path]
    return written


def seed_as_json(seed: Seed, base_url: str) -> str:
    """The seed as JSON (times in ISO 8601 UTC), for writing expected files against."""

    def default(value: object) -> str:
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    doc = {"base_url": base_url, **dataclasses.asdict(seed)}
    return json.dumps(doc, indent=1, ensure_ascii=False, default=default) + "\n"


def _previous_port() -> int | None:
    try:
        doc = json.loads((FIXTURE_DIR / "seed.json").read_text(encoding="utf-8"))
        return urlsplit(doc["base_url"]).port
    except (OSError, ValueError, KeyError):
        return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIXTURE_DIR)
    parser.add_argument("--port", type=int, default=_previous_port(),
                        help="serve on this port (default: the last capture's, so that "
                        "a re-capture changes only what really changed)")
    args = parser.parse_args(argv)
    with WordPressSite.start(port=args.port) as site:
        for theme in ("twentytwentyone", "twentytwentythree"):
            files = capture_theme(site, theme, args.out / theme)
            print(f"{theme}: {len(files) // 2} pages -> {args.out / theme}")
        (args.out / "seed.json").write_text(seed_as_json(site.seed, site.base_url),
                                            encoding="utf-8")


if __name__ == "__main__":
    main()
