"""Parsers: pure functions from a fetched Page to typed records, one module per platform.

    get_parser("wordpress").parse_post_page(page)      -> wordpress_html.PostPage
    get_parser("wordpress").parse_post_only(page)      -> the same, comments not read
    get_parser("wordpress").fingerprint_only(page)     -> str (cheap, no parse)
    get_parser("wordpress").parse_listing(page)        -> wordpress_listing.Listing
    get_parser("wordpress").parse_rest_posts(page)     -> wordpress_rest.RestPosts
    get_parser("wordpress").parse_rest_comments(page)  -> wordpress_rest.RestComments
    get_parser("wordpress").parse_rest_activity(page)  -> wordpress_activity.Activity
    get_parser("wordpress").newest_feed_comment(page)  -> datetime | None (a post's comment feed)

No Scrapy, no SQLAlchemy, no I/O, no clock: `fetched_at` arrives with the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from crawler.page import Page
from crawler.parsers import wordpress_activity, wordpress_html, wordpress_listing, wordpress_rest
from storage.errors import ConfigError

__all__ = ["PLATFORMS", "PlatformParser", "UnknownPlatform", "get_parser"]


class UnknownPlatform(ConfigError, ValueError):
    """A source names a platform no parser exists for (a config mistake, exit 2)."""


@dataclass(frozen=True, kw_only=True)
class PlatformParser:
    """The parsing entry points of one platform; the spider calls these and nothing else."""

    platform: str
    parse_post_page: Callable[[Page], wordpress_html.PostPage]
    parse_post_only: Callable[[Page], wordpress_html.PostPage]
    fingerprint_only: Callable[[Page], str]
    parse_listing: Callable[[Page], wordpress_listing.Listing]
    parse_rest_posts: Callable[[Page], wordpress_rest.RestPosts]
    parse_rest_comments: Callable[[Page], wordpress_rest.RestComments]
    parse_rest_activity: Callable[[Page], wordpress_activity.Activity]
    newest_feed_comment: Callable[[Page], datetime | None]


def _wordpress() -> PlatformParser:
    return PlatformParser(
        platform="wordpress",
        parse_post_page=wordpress_html.parse_post_page,
        parse_post_only=wordpress_html.parse_post_only,
        fingerprint_only=wordpress_html.fingerprint_only,
        parse_listing=wordpress_listing.parse_listing,
        parse_rest_posts=wordpress_rest.parse_rest_posts,
        parse_rest_comments=wordpress_rest.parse_rest_comments,
        parse_rest_activity=wordpress_activity.parse_rest_activity,
        newest_feed_comment=wordpress_activity.newest_feed_comment,
    )


# Keyed by the `platform` value of a source in the TOML config.
_FACTORIES: dict[str, Callable[[], PlatformParser]] = {"wordpress": _wordpress}
PLATFORMS: tuple[str, ...] = tuple(sorted(_FACTORIES))
_CACHE: dict[str, PlatformParser] = {}


def get_parser(platform: str) -> PlatformParser:
    """The parser of `platform`; UnknownPlatform (a ConfigError and ValueError) names it otherwise."""
    parser = _CACHE.get(platform)
    if parser is None:
        factory = _FACTORIES.get(platform)
        if factory is None:
            known = ", ".join(PLATFORMS)
            raise UnknownPlatform(f"unknown platform {platform!r} (known: {known})")
        parser = _CACHE[platform] = factory()
    return parser
