"""The network export of a crawl of the real test WordPress equals what the views say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.crawler.crawling import crawl_ok, write_config
from tests.export.helpers import cli
from tests.export.networks import expected_network, read_every_way

pytestmark = [pytest.mark.wordpress, pytest.mark.slow]


def test_network_of_a_crawled_wordpress(
    wordpress_site_defaults: Any, sqlite_url: str, tmp_path: Path
) -> None:
    crawl_ok(write_config(tmp_path, wordpress_site_defaults.base_url), sqlite_url)
    out = tmp_path / "net"
    result = cli("export", "--db", sqlite_url, "--out", str(out), "--format", "graphml",
                 "--format", "gexf", "--format", "edges")
    assert result.exit_code == 0, result.output
    expected = expected_network(sqlite_url, None)
    # the seed nests replies, @-replies by name and by link, and quotes the post and
    # other comments: each kind is in the network
    assert {kind for _, _, kind in expected.edges} == {"threaded", "at_reply", "quote"}
    assert sum(expected.nodes.values()) == sum(
        len(p.visible_comments) for p in wordpress_site_defaults.seed.on_topic_posts
    )
    for way, got in read_every_way(out).items():
        assert got == expected, way
