"""Platform adapters, one module per comment system, chosen by the source's `platform`.

    platform_for(source, tags) -> Platform   (crawler.platforms.base says what that is)

Adding a platform is a module here and an entry in `_FACTORIES`, not a branch in the
spider. Adapters are pure: no Scrapy, no SQLAlchemy, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from crawler.platforms.base import Platform
from crawler.platforms.ghost import Ghost
from crawler.platforms.wordpress import WordPress
from storage.errors import ConfigError

if TYPE_CHECKING:
    from crawler.config import Source

__all__ = ["PLATFORMS", "UnknownPlatform", "platform_for"]


class UnknownPlatform(ConfigError, ValueError):
    """A source names a platform no adapter exists for (a config mistake, exit 2)."""


def _wordpress(source: Source, tags: Sequence[str]) -> Platform:
    base = source.url if source.url.endswith("/") else source.url + "/"
    # Selectors describe HTML: a source that has them is read from its pages, not its API.
    return WordPress(base, use_rest=source.use_rest and source.selectors is None, since=source.since,
                     tags=tags, selectors=source.selectors)


def _ghost(source: Source, tags: Sequence[str]) -> Platform:
    return Ghost(source.url if source.url.endswith("/") else source.url + "/", tags=tags)


# Keyed by the `platform` value of a source in the TOML config.
_FACTORIES: dict[str, Callable[[Source, Sequence[str]], Platform]] = {
    "wordpress": _wordpress,
    "ghost": _ghost,
}
PLATFORMS: tuple[str, ...] = tuple(sorted(_FACTORIES))


def platform_for(source: Source, tags: Sequence[str] = ()) -> Platform:
    """The adapter of `source`'s platform; UnknownPlatform names it otherwise."""
    factory = _FACTORIES.get(source.platform)
    if factory is None:
        raise UnknownPlatform(f"unknown platform {source.platform!r} (known: {', '.join(PLATFORMS)})")
    return factory(source, tags)
