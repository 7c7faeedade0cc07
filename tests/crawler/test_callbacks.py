"""The spider's generator callbacks return no value (Scrapy's runtime check is off)."""

from __future__ import annotations

import inspect
from collections.abc import Generator

from scrapy.utils.misc import is_generator_with_return_value

from crawler.spiders.archive import ArchiveSpider


def test_no_generator_method_of_the_spider_returns_a_value() -> None:
    generators = [
        name
        for name, member in inspect.getmembers(ArchiveSpider, inspect.isfunction)
        if inspect.isgeneratorfunction(member)
    ]
    assert {"parse_post_page", "parse_listing", "parse_thread_page", "parse_comment_feed", "parse_activity"} <= set(generators)
    returning = [
        name for name in generators if is_generator_with_return_value(getattr(ArchiveSpider, name))
    ]
    assert returning == []


def test_the_check_sees_a_generator_that_returns_a_value() -> None:
    def bad() -> Generator[int, None, int]:
        yield 1
        return 2

    assert is_generator_with_return_value(bad)
