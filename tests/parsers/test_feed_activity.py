"""A post's comment feed as the revisit policy's sign of life on sites without REST."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.parsers.wordpress_activity import newest_feed_comment
from tests.parsers.fixture_pages import ROOT
from tests.parsers.pages import SITE, page

FEED = f"{SITE}/2025/03/a/feed/"


@pytest.mark.parametrize("theme", ["twentytwentyone", "twentytwentythree"])
def test_the_real_wordpress_comment_feed_gives_its_newest_comment(theme: str) -> None:
    body = (ROOT / theme / "post-comments-feed.xml").read_bytes()
    assert newest_feed_comment(page(FEED, body)) == datetime(2025, 3, 17, 20, 18, tzinfo=UTC)


def test_items_in_any_order_and_offsets_are_read_as_utc() -> None:
    rss = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><pubDate>Mon, 17 Mar 2025 20:18:00 +0000</pubDate></item>
    <item><pubDate>Tue, 18 Mar 2025 01:00:00 +0200</pubDate></item>
    </channel></rss>"""
    assert newest_feed_comment(page(FEED, rss)) == datetime(2025, 3, 17, 23, 0, tzinfo=UTC)


def test_a_post_without_comments_has_an_empty_feed() -> None:
    empty = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>"""
    assert newest_feed_comment(page(FEED, empty)) is None


def test_atom_comment_feeds() -> None:
    atom = """<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">
    <entry><published>2025-03-17T20:18:00Z</published><updated>2025-03-17T21:00:00Z</updated></entry>
    <entry><published>2025-03-16T08:00:00+01:00</published></entry>
    </feed>"""
    assert newest_feed_comment(page(FEED, atom)) == datetime(2025, 3, 17, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("<!doctype html><html><body><p>Not found</p></body></html>", "not an XML feed"),
        ("""<?xml version="1.0"?><urlset><url/></urlset>""", "not an RSS or Atom feed"),
        (
            """<?xml version="1.0"?><rss version="2.0"><channel><item><pubDate>soon</pubDate>
            </item></channel></rss>""",
            "without a readable date ('soon')",
        ),
    ],
)
def test_what_is_not_a_dated_comment_feed_is_an_error_naming_the_url(body: str, says: str) -> None:
    with pytest.raises(ValueError, match="feed") as info:
        newest_feed_comment(page(FEED, body))
    assert str(info.value).startswith(f"{FEED}: ") and says in str(info.value)
