"""End to end: the generic `html` platform on a site nothing recognises, read by the
source's selectors, its comment pages followed by `next_page`; the post's id is its
canonical URL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.crawler.crawling import read_archive, run_crawl, stats_of, write_config
from tests.engines.archive_rows import history
from tests.engines.generic_site import SELECTORS, GComment, GenericSite
from tests.engines.server import serve


def _site() -> GenericSite:
    day = datetime(2025, 1, 3, tzinfo=UTC)
    return GenericSite(
        title="Deportation flights to CECOT", body="<p>The Alien Enemies Act.</p>",
        comments=[GComment("1", "Ann", day.replace(hour=10), "Deportation without a hearing?"),
                  GComment("2", "Bob", day.replace(hour=11), "There was one.", parent="1"),
                  GComment("3", "Cy", day.replace(hour=12), "Bukele agreed."),
                  GComment("4", "Dee", day.replace(hour=13), "He did.", parent="3")])


def _crawl(tmp_path: Path, site: GenericSite, db: str) -> None:
    run = run_crawl(write_config(tmp_path, site.base, extra='platform = "html"\n' + SELECTORS), db)
    assert run.returncode == 0, run.stdout + run.stderr


def test_html_platform_with_selectors_and_next_page(tmp_path: Path) -> None:
    site = _site()
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with serve(site) as asked:
        _crawl(tmp_path, site, db)
        archive = read_archive(db)
        post_id = f"{site.base}posts/cecot"
        assert set(archive["posts"]) == {post_id}
        assert archive["posts"][post_id].title == "Deportation flights to CECOT"
        got = sorted((c.external_id, c.author, c.parent, c.published_at, c.text) for c in archive["comments"])
        assert got == [
            ("1", "Ann", None, datetime(2025, 1, 3, 10, tzinfo=UTC), "Deportation without a hearing?"),
            ("2", "Bob", "1", datetime(2025, 1, 3, 11, tzinfo=UTC), "There was one."),
            ("3", "Cy", None, datetime(2025, 1, 3, 12, tzinfo=UTC), "Bukele agreed."),
            ("4", "Dee", "3", datetime(2025, 1, 3, 13, tzinfo=UTC), "He did."),
        ]
        assert "/posts/cecot?cpage=2" in asked
        assert stats_of(archive["crawls"][-1]).get("threads_partial", 0) == 0

        del site.comments[3]
        site.failing.append(r"cpage=2")
        before = history(db)
        _crawl(tmp_path, site, db)
        assert [h for h in history(db) if h not in before] == []  # partial: nothing inferred
        site.failing.clear()
        _crawl(tmp_path, site, db)
    assert [h for h in history(db) if h not in before] == [("4", True, "He did.")]
