"""A crawl of a page whose comment items lack an author: counted, named, never archived.

The site is two pages on a loopback server: a home page linking one post, and the post
with one readable comment and one whose author the page does not show.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.crawler.crawling import read_archive, run_crawl, stats_of, write_config
from tests.faults.server import FaultServer
from tests.parsers.pages import SITE, classic_comment, classic_post
from tests.parsers.test_unread_comments import NO_AUTHOR

HTML = {"Content-Type": "text/html; charset=UTF-8"}


def test_unreadable_comments_are_counted_and_the_thread_is_partial(tmp_path: Path) -> None:
    with FaultServer(pages={}) as server:
        base = server.base_url
        post_url = f"{base}/2025/01/deportation-flights/"
        post = classic_post(
            classic_comment(50, "Ann", "2025-01-03T10:00:00+00:00", "<p>Deportation, again.</p>")
            + NO_AUTHOR,
            pagination="", count_title="2 comments",
        ).replace(SITE, base).replace(f"{base}/2025/01/deportation-flights/comment-page-2/", post_url)
        post = post.replace("<head>", '<head><meta name="generator" content="WordPress 6.1.9" />', 1)
        home = f'<html><body><article class="post type-post"><h2 class="entry-title"><a href="{post_url}">x</a></h2></article></body></html>'
        server.pages.update({
            "/": (200, HTML, home.encode()),
            "/2025/01/deportation-flights/": (200, HTML, post.encode()),
        })
        db = f"sqlite:///{tmp_path / 'a.db'}"
        run = run_crawl(write_config(tmp_path, base, extra="use_rest = false\n"), db)
    assert "1 comments could not be read (no author or text found)" in run.stdout, run.stdout + run.stderr
    assert "palimpsest inspect URL" in run.stdout
    assert "  site: WordPress 6.1.9, comments: native\n" in run.stdout
    archive = read_archive(db)
    assert [(c.external_id, c.author) for c in archive["comments"]] == [("50", "Ann")]
    stats = stats_of(archive["crawls"][-1])
    assert stats["unreadable_comments"] == 1
    assert stats["threads_partial"] == 1
    assert stats["problems"] == [
        f"unreadable_comments: {post_url}: 1 comments not read (no author or text found): 51"
    ]
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        problems = conn.execute(sa.text("SELECT problem FROM thread_problem")).scalars().all()
    engine.dispose()
    assert problems == [f"{post_url}: comment 51: no author found; not archived",
                        f"{post_url}: captured 1 comments, the site says 2"]
