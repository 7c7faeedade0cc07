"""The platform registry: a source's `platform` picks its adapter; an unknown one is a config error."""

from __future__ import annotations

import pytest

from crawler.config import Source
from crawler.platforms import PLATFORMS, UnknownPlatform, platform_for
from crawler.platforms.wordpress import WordPress
from storage.errors import ConfigError


def _source(platform: str, **kw: object) -> Source:
    return Source(key="b", name="B", url="http://127.0.0.1:9/blog", platform=platform, **kw)  # type: ignore[arg-type]


def test_wordpress_is_registered_and_gets_its_adapter() -> None:
    assert "wordpress" in PLATFORMS
    platform = platform_for(_source("wordpress"), ["Deportation Policy"])
    assert isinstance(platform, WordPress)
    assert platform.base == "http://127.0.0.1:9/blog/"
    assert sorted(platform.routes) == ["html", "plain", "pretty"]


def test_an_unknown_platform_is_a_config_error_naming_it() -> None:
    with pytest.raises(UnknownPlatform, match="'typepad'") as err:
        platform_for(_source("typepad"))
    assert isinstance(err.value, ConfigError) and isinstance(err.value, ValueError)


@pytest.mark.parametrize(("name", "routes"), [("blogger", ["feed", "html"]), ("drupal", ["html"]),
                                              ("html", ["html"])])
def test_the_other_engines_are_platforms(name: str, routes: list[str]) -> None:
    platform = platform_for(_source(name))
    assert platform.name == name
    assert sorted(platform.routes) == routes
    assert all(r.url.startswith("http://127.0.0.1:9/blog/") for r in platform.discovery())
