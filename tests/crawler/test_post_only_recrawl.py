"""A recrawl reads only the post of a post page whose comments hash as before, and reads
its comments after all when another page of the thread changed (every page a 200).

A post page byte for byte as the last complete crawl fetched it (the hash kept in
post_state.pages, carried forward by a 304) is not read at all, like a 304; changed by
one byte, its post is read and versioned."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bench.run import _CONFIG
from bench.sitegen import SiteSpec, generate_site
from bench.static_server import free_port, serve_static
from tests.crawler.crawling import read_archive, run_crawl, stats_of


def _rows(db_url: str, table: str) -> int:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def _comment_versions(db_url: str) -> int:
    return _rows(db_url, "comment_version")


def _post_versions(db_url: str) -> int:
    return _rows(db_url, "post_version")


def _bench_site(tmp_path: Path, posts: int) -> tuple[int, str, Path, Path, str]:
    """A generated site of `posts` posts x 60 comments (not yet served), its config and
    an archive: (port, base URL, site directory, config path, database URL)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    site = tmp_path / "site"
    generate_site(site, SiteSpec(posts=posts, comments=60, page_kb=20), base)
    config = tmp_path / "bench.toml"
    config.write_text(_CONFIG.format(key="bench", base=base), encoding="utf-8")
    return port, base, site, config, f"sqlite:///{tmp_path / 'a.db'}"


def test_identical_post_page_is_not_read_and_an_edited_one_is(tmp_path: Path) -> None:
    port, _, site, config, db = _bench_site(tmp_path, posts=3)
    with serve_static(site, port=port, prefer_nginx=False, validators=False):
        assert run_crawl(config, db).returncode == 0
        posts, comments = _post_versions(db), _comment_versions(db)
        assert (posts, comments) == (3, 180)
        assert run_crawl(config, db).returncode == 0
        stats = stats_of(read_archive(db)["crawls"][-1])
        assert stats["posts_body_unchanged"] == 3 and stats["threads_unchanged"] == 3
        assert stats["unchanged_comments"] == 180
        assert (_post_versions(db), _comment_versions(db)) == (posts, comments)
        # The post's title edited: its page's comment region is as before, its body not.
        page = next(p for p in site.rglob("index.html") if 'class="entry-title">' in p.read_text("utf-8")
                    and "comment-page-" not in str(p))
        html = page.read_text(encoding="utf-8")
        page.write_text(html.replace('class="entry-title">', 'class="entry-title">Edited: ', 1), encoding="utf-8")
        assert run_crawl(config, db).returncode == 0
        stats = stats_of(read_archive(db)["crawls"][-1])
        assert stats["posts_body_unchanged"] == 2 and stats["threads_unchanged"] == 3
        assert (_post_versions(db), _comment_versions(db)) == (posts + 1, comments)


def test_older_comment_page_edited_under_an_unchanged_post_page(tmp_path: Path) -> None:
    # 60 comments, 50 threads a page: a thread whose post URL shows its newest page (2).
    port, base, site, config, db = _bench_site(tmp_path, posts=2)
    # A thread with two comment pages: its page 1 is crawled by URL (bench-urls.txt lists
    # exactly the pages a crawl fetches).
    listed = (site / "bench-urls.txt").read_text(encoding="utf-8").split()
    older_url = next(u for u in listed if u.endswith("/comment-page-1/"))
    older = site / older_url.removeprefix(f"{base}/") / "index.html"
    with serve_static(site, port=port, prefer_nginx=False, validators=False):
        assert run_crawl(config, db).returncode == 0
        first = _comment_versions(db)
        assert first == 120
        assert run_crawl(config, db).returncode == 0
        assert _comment_versions(db) == first  # unchanged: nothing written
        html = older.read_text(encoding="utf-8")
        edited = html.replace('<div class="comment-content"><p>', '<div class="comment-content"><p>Edited. ', 1)
        assert edited != html
        older.write_text(edited, encoding="utf-8")
        assert run_crawl(config, db).returncode == 0
        assert _comment_versions(db) == first + 1  # the edit, and no comment of page 2 lost


def test_identical_post_page_after_a_crawl_of_304s_is_not_read(tmp_path: Path) -> None:
    """The crawl before answered 304 (no body): the hash of the body its fingerprint was
    taken from is carried forward, so a 200 with the same bytes still counts as a 304."""
    port, _, site, config, db = _bench_site(tmp_path, posts=3)
    with serve_static(site, port=port, prefer_nginx=False):
        assert run_crawl(config, db).returncode == 0
        assert run_crawl(config, db).returncode == 0
        assert stats_of(read_archive(db)["crawls"][-1])["posts_not_modified"] == 3
    with serve_static(site, port=port, prefer_nginx=False, validators=False):
        assert run_crawl(config, db).returncode == 0
    stats = stats_of(read_archive(db)["crawls"][-1])
    assert stats["posts_body_unchanged"] == 3 and stats["threads_unchanged"] == 3
    assert stats["unchanged_comments"] == 180 and stats["new_versions"] == 0
