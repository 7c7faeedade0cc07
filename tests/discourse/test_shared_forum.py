"""One forum that several sources read is paced as one host, across their crawl processes.

Two sources (two categories of one forum) crawled at once, with the shared host pace on
(PostgreSQL, as `palimpsest worker` runs them): the forum's own log shows the delay kept
between all their requests together. Run one after another (`palimpsest crawl`), two
crawls never overlap, so nothing more is needed there.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from tests.crawler.crawling import TOPIC
from tests.discourse.fixtures import demo_forum
from tests.discourse.server import serve_forum
from tests.fleet.test_shared_pace import crawl_together

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_two_sources_on_one_forum_keep_its_delay_between_all_their_requests(pg_url: str, tmp_path: Path) -> None:
    delay = 0.3
    forum = demo_forum()
    with serve_forum(forum, host="127.0.0.9") as server:
        config = tmp_path / "forum.toml"
        config.write_text(
            TOPIC + f"\n[crawl]\ndelay_seconds = {delay}\n"
            + "".join(f'\n[[sources]]\nkey = "{key}"\nname = "{key}"\nplatform = "discourse"\n'
                      f'url = "{server.base_url}c/{key}/{category}"\n'
                      for key, category in (("news", 5), ("blog", 9))),
            encoding="utf-8")
        crawl_together(pg_url, config, ["news", "blog"])
    asked = [p for p in server.log if p != "/robots.txt"]
    assert any(p.startswith("/c/news/5.json") for p in asked) and any(p.startswith("/c/blog/9.json") for p in asked)
    assert len(asked) >= 6, asked
    gaps = [b - a for a, b in pairwise(sorted(server.arrivals))]
    assert min(gaps) >= delay * 0.95, sorted(gaps)[:5]
