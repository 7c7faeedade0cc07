"""Platform adapters, one module per comment system, chosen by the source's `platform`.

    platform_for(source, tags) -> Platform   (crawler.platforms.base says what that is)

Adding a platform is a module here and an entry in `_FACTORIES`, not a branch in the
spider. Adapters are pure: no Scrapy, no SQLAlchemy, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from crawler.platforms.base import Platform
from crawler.platforms.blogger import Blogger
from crawler.platforms.discourse import Discourse
from crawler.platforms.discourse_embed import DiscourseEmbedRoute
from crawler.platforms.disqus import DEFAULT_BASE, DisqusService, with_disqus
from crawler.platforms.drupal import Drupal
from crawler.platforms.ghost import Ghost
from crawler.platforms.html import GenericHtml
from crawler.platforms.substack import Substack
from crawler.platforms.wordpress import WordPress
from storage.errors import ConfigError

if TYPE_CHECKING:
    from crawler.config import Source

__all__ = ["PLATFORMS", "UnknownPlatform", "platform_for"]


class UnknownPlatform(ConfigError, ValueError):
    """A source names a platform no adapter exists for (a config mistake, exit 2)."""


def _base(source: Source) -> str:
    return source.url if source.url.endswith("/") else source.url + "/"


def _wordpress(source: Source, tags: Sequence[str]) -> Platform:
    base = _base(source)
    # Selectors describe HTML, and a Discourse embed is named in the HTML: a source with
    # either is read from its pages, not its API.
    html_only = source.selectors is not None or source.discourse_url is not None
    wp = WordPress(base, use_rest=source.use_rest and not html_only, since=source.since,
                   tags=tags, selectors=source.selectors)
    if source.discourse_url is not None:  # each thread's topic read from the forum
        wp.routes["html"] = wp.post_pages = DiscourseEmbedRoute(wp.html, source.discourse_url)
    return wp


def _substack(source: Source, tags: Sequence[str]) -> Platform:
    return Substack(source.url)


def _blogger(source: Source, tags: Sequence[str]) -> Platform:
    return Blogger(_base(source), selectors=source.selectors)


def _drupal(source: Source, tags: Sequence[str]) -> Platform:
    return Drupal(_base(source), selectors=source.selectors)


def _html(source: Source, tags: Sequence[str]) -> Platform:
    return GenericHtml(_base(source), selectors=source.selectors)


def _comment_service(platform: Platform, source: Source) -> Platform:
    """`platform` with its threads' comments read from the source's comment service."""
    if source.comments != "disqus":
        return platform
    service = DisqusService(forum=source.disqus_forum, api_key=source.disqus_api_key,
                            base=source.disqus_base or DEFAULT_BASE)
    return with_disqus(platform, service)


def _ghost(source: Source, tags: Sequence[str]) -> Platform:
    return Ghost(_base(source), tags=tags)


# Keyed by the `platform` value of a source in the TOML config.
_FACTORIES: dict[str, Callable[[Source, Sequence[str]], Platform]] = {
    "wordpress": _wordpress, "blogger": _blogger, "drupal": _drupal, "html": _html,
    "substack": _substack, "discourse": lambda source, tags: Discourse(source.url),
    "ghost": _ghost,
}
PLATFORMS: tuple[str, ...] = tuple(sorted(_FACTORIES))


def platform_for(source: Source, tags: Sequence[str] = ()) -> Platform:
    """The adapter of `source`'s platform; UnknownPlatform names it otherwise."""
    factory = _FACTORIES.get(source.platform)
    if factory is None:
        raise UnknownPlatform(f"unknown platform {source.platform!r} (known: {', '.join(PLATFORMS)})")
    return _comment_service(factory(source, tags), source)
