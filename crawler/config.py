"""The sources-and-topic configuration: a TOML file loaded into frozen value objects.

Where the file comes from, first match wins: `--config PATH`, env `PALIMPSEST_CONFIG`,
`./palimpsest.toml`, the bundled `crawler/default_sources.toml`. Every mistake in the
file is one `ConfigError` naming the file, the key and what is wrong; nothing is
silently ignored, because a misspelt key would otherwise quietly change what is archived.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crawler.comment_service import BadCommentService, comment_service_settings
from crawler.parsers.source_selectors import BadSelectors, SourceSelectors, compile_selectors
from crawler.platforms import PLATFORMS
from crawler.revisit import RevisitPolicy
from storage.errors import ConfigError

__all__ = [
    "Config",
    "CrawlSettings",
    "ScheduleDefaults",
    "Source",
    "Topic",
    "bundled_config_path",
    "load_config",
    "parse_config",
    "resolve_config_path",
]

DEFAULT_USER_AGENT = "palimpsest/0.1 (research archive of public blog comment threads)"

# Source keys name crawl rows, lock names and log files, so keep them shell- and file-safe.
_SOURCE_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True, kw_only=True)
class Topic:
    """What makes a post on topic: keywords (trailing `*` = prefix) or carrying one of `tags`."""

    name: str
    keywords: tuple[str, ...]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CrawlSettings:
    """The global `[crawl]` table: identity and politeness defaults for every source."""

    user_agent: str = DEFAULT_USER_AGENT
    contact_url: str | None = None
    warc_dir: str | None = None
    concurrency_per_host: int = 2
    delay_seconds: float = 1.0


@dataclass(frozen=True, kw_only=True)
class ScheduleDefaults:
    """The global `[schedule]` table: when sources without their own schedule are crawled."""

    cron: str = "0 3 * * *"
    timezone: str = "UTC"
    jitter_seconds: int = 300
    misfire_grace_seconds: int = 3600
    queue: bool = False  # enqueue each run for the workers instead of crawling (PostgreSQL)


@dataclass(frozen=True, kw_only=True)
class Source:
    """One blog to crawl (`[[sources]]`); None means "use the global default"."""

    key: str
    name: str
    url: str
    platform: str = "wordpress"
    since: date | None = None
    aliases: tuple[tuple[str, ...], ...] = ()
    schedule: str | None = None
    timezone: str | None = None
    concurrency: int | None = None
    delay_seconds: float | None = None
    warc: bool | None = None
    use_rest: bool = True
    enabled: bool = True
    revisit: RevisitPolicy | None = None  # this source's policy; None: the global [revisit]
    # CSS selectors for a theme nothing recognises (crawler.parsers.source_selectors).
    selectors: SourceSelectors | None = None
    # The forum of a blog whose comments are Discourse topics (its DiscourseEmbed).
    discourse_url: str | None = None
    # The service the source's comments live in ("disqus"), read instead of the page's
    # own comments; its settings (crawler.platforms.disqus). None: the blog's own.
    comments: str | None = None
    disqus_forum: str | None = None  # when the post pages do not name the forum
    disqus_api_key: str | None = None  # the source's own registered public API key
    disqus_base: str | None = None  # another Disqus address: for tests and mirrors


@dataclass(frozen=True, kw_only=True)
class Config:
    """A loaded configuration file."""

    path: str
    topic: Topic
    sources: tuple[Source, ...]
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    schedule: ScheduleDefaults = field(default_factory=ScheduleDefaults)
    revisit: RevisitPolicy = field(default_factory=RevisitPolicy)

    def revisit_policy(self, source: Source) -> RevisitPolicy:
        """The revisit policy of `source`: its own `revisit` table, else `[revisit]`."""
        return source.revisit or self.revisit

    def source(self, key: str) -> Source:
        """The source with this key, or a ConfigError listing the known keys."""
        for source in self.sources:
            if source.key == key:
                return source
        known = ", ".join(s.key for s in self.sources) or "none"
        raise ConfigError(f"{self.path}: no source with key {key!r} (known: {known})")

    @property
    def enabled_sources(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.enabled)


def bundled_config_path() -> Path:
    """The default config shipped with the package: real on-topic WordPress blogs."""
    return Path(str(resources.files("crawler").joinpath("default_sources.toml")))


def resolve_config_path(path: str | os.PathLike[str] | None = None) -> Path:
    """`path`, else env PALIMPSEST_CONFIG, else ./palimpsest.toml, else the bundled default."""
    if path:
        return Path(path)
    env = os.environ.get("PALIMPSEST_CONFIG")
    if env:
        return Path(env)
    local = Path("palimpsest.toml")
    if local.is_file():
        return local
    return bundled_config_path()


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the config file chosen by `resolve_config_path`."""
    chosen = resolve_config_path(path)
    try:
        text = chosen.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{chosen}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{chosen}: cannot read config file: {exc}") from None
    return parse_config(text, path=str(chosen))


def parse_config(text: str, *, path: str = "<config>") -> Config:
    """Validate TOML text into a Config; `path` only names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return _Reader(path).config(data)


class _Reader:
    """Validates one file's tables; every error names `path` and the dotted key."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: {key}: {problem}")

    def table(self, value: Any, key: str, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, not {type(value).__name__}")
        for name in value:
            if name not in allowed:
                full = f"{key}.{name}" if key else name
                raise self.fail(full, f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return value

    def config(self, data: Mapping[str, Any]) -> Config:
        self.table(data, "", {"topic", "sources", "crawl", "schedule", "revisit"})
        if "topic" not in data:
            raise self.fail("topic", "missing: a [topic] table with name and keywords is required")
        raw_sources = data.get("sources", [])
        if not isinstance(raw_sources, list):
            raise self.fail("sources", "must be an array of tables ([[sources]])")
        revisit = self.revisit(data.get("revisit", {}))
        sources = tuple(
            self.source(s, f"sources[{i}]", revisit) for i, s in enumerate(raw_sources)
        )
        seen: set[str] = set()
        for i, source in enumerate(sources):
            if source.key in seen:
                raise self.fail(f"sources[{i}].key", f"duplicate source key {source.key!r}")
            seen.add(source.key)
        return Config(
            path=self.path,
            topic=self.topic(data["topic"]),
            sources=sources,
            crawl=self.crawl(data.get("crawl", {})),
            schedule=self.schedule(data.get("schedule", {})),
            revisit=revisit,
        )

    def topic(self, value: Any) -> Topic:
        t = self.table(value, "topic", {"name", "keywords", "tags"})
        name = self.text(t, "topic", "name", required=True)
        keywords = self.strings(t.get("keywords", []), "topic.keywords")
        tags = self.strings(t.get("tags", []), "topic.tags")
        if not keywords and not tags:
            raise self.fail("topic.keywords", "empty: give at least one keyword (or topic.tags)")
        for i, word in enumerate(keywords):
            if word.strip("*").strip() == "" or "*" in word.rstrip("*"):
                raise self.fail(
                    f"topic.keywords[{i}]", f"{word!r}: only a single trailing '*' is allowed"
                )
        return Topic(name=name or "", keywords=keywords, tags=tags)

    def source(self, value: Any, key: str, revisit: RevisitPolicy) -> Source:
        allowed = {f for f in Source.__dataclass_fields__}
        s = self.table(value, key, allowed)
        source_key = self.text(s, key, "key", required=True) or ""
        if not _SOURCE_KEY.match(source_key):
            raise self.fail(
                f"{key}.key",
                f"{source_key!r}: use 1-64 lower-case letters, digits, '-' or '_'",
            )
        url = self.url(s.get("url"), f"{key}.url")
        platform = self.text(s, key, "platform") or "wordpress"
        if platform not in PLATFORMS:
            raise self.fail(
                f"{key}.platform", f"{platform!r} is not supported (known: {', '.join(sorted(PLATFORMS))})"
            )
        aliases_raw = s.get("aliases", [])
        if not isinstance(aliases_raw, list):
            raise self.fail(f"{key}.aliases", "must be an array of arrays of names")
        aliases = tuple(
            self.strings(group, f"{key}.aliases[{i}]") for i, group in enumerate(aliases_raw)
        )
        return Source(
            key=source_key,
            name=self.text(s, key, "name", required=True) or "",
            url=url,
            platform=platform,
            since=self.date(s.get("since"), f"{key}.since"),
            aliases=aliases,
            schedule=self.cron(s.get("schedule"), f"{key}.schedule"),
            timezone=self.zone(s.get("timezone"), f"{key}.timezone"),
            concurrency=self.number(s.get("concurrency"), f"{key}.concurrency", int, minimum=1),
            delay_seconds=self.number(s.get("delay_seconds"), f"{key}.delay_seconds", float),
            warc=self.flag(s.get("warc"), f"{key}.warc"),
            use_rest=self.flag(s.get("use_rest", True), f"{key}.use_rest") is not False,
            discourse_url=None if s.get("discourse_url") is None
            else self.url(s["discourse_url"], f"{key}.discourse_url"),
            enabled=self.flag(s.get("enabled", True), f"{key}.enabled") is not False,
            # Keys it leaves out come from the global [revisit] table.
            revisit=None if s.get("revisit") is None
            else self.revisit(s["revisit"], f"{key}.revisit", revisit),
            selectors=self.selectors(s.get("selectors"), f"{key}.selectors"),
            **self.comment_service(s, key),
        )

    def comment_service(self, s: Mapping[str, Any], key: str) -> dict[str, Any]:
        """`comments` and the `disqus_*` keys of a source (crawler.comment_service)."""
        try:
            return comment_service_settings(s, key, self.url)
        except BadCommentService as exc:
            where, _, problem = str(exc).partition(": ")
            raise self.fail(where, problem) from None

    def selectors(self, value: Any, key: str) -> SourceSelectors | None:
        if value is None:
            return None
        try:
            return compile_selectors(value, key)
        except BadSelectors as exc:
            where, _, problem = str(exc).partition(": ")
            raise self.fail(where, problem) from None

    def crawl(self, value: Any) -> CrawlSettings:
        c = self.table(value, "crawl", set(CrawlSettings.__dataclass_fields__))
        contact = c.get("contact_url")
        default = CrawlSettings()
        return CrawlSettings(
            user_agent=self.text(c, "crawl", "user_agent") or default.user_agent,
            contact_url=None if contact is None else self.url(contact, "crawl.contact_url"),
            warc_dir=self.text(c, "crawl", "warc_dir"),
            concurrency_per_host=self.number(
                c.get("concurrency_per_host", default.concurrency_per_host),
                "crawl.concurrency_per_host", int, minimum=1,
            ) or default.concurrency_per_host,
            delay_seconds=self.number(
                c.get("delay_seconds", default.delay_seconds), "crawl.delay_seconds", float
            ) or 0.0,
        )

    def schedule(self, value: Any) -> ScheduleDefaults:
        s = self.table(value, "schedule", set(ScheduleDefaults.__dataclass_fields__))
        d = ScheduleDefaults()
        return ScheduleDefaults(
            cron=self.cron(s.get("cron", d.cron), "schedule.cron") or d.cron,
            timezone=self.zone(s.get("timezone", d.timezone), "schedule.timezone") or d.timezone,
            jitter_seconds=self.number(
                s.get("jitter_seconds", d.jitter_seconds), "schedule.jitter_seconds", int
            ) or 0,
            misfire_grace_seconds=self.number(
                s.get("misfire_grace_seconds", d.misfire_grace_seconds),
                "schedule.misfire_grace_seconds", int,
            ) or 0,
            queue=bool(self.flag(s.get("queue", d.queue), "schedule.queue")),
        )

    def revisit(
        self, value: Any, key: str = "revisit", base: RevisitPolicy | None = None
    ) -> RevisitPolicy:
        r = self.table(value, key, set(RevisitPolicy.__dataclass_fields__))
        d = base or RevisitPolicy()
        numbers = {
            name: self.number(r.get(name, getattr(d, name)), f"{key}.{name}", int) or 0
            for name in RevisitPolicy.__dataclass_fields__
        }
        if numbers["weekly_days"] < numbers["daily_days"]:
            raise self.fail(f"{key}.weekly_days", f"must not be less than {key}.daily_days")
        return RevisitPolicy(**numbers)

    # -- scalar checks -------------------------------------------------------------

    def text(self, table: Mapping[str, Any], key: str, name: str, *, required: bool = False) -> str | None:
        value = table.get(name)
        full = f"{key}.{name}"
        if value is None:
            if required:
                raise self.fail(full, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(full, "must be a non-empty string")
        return value

    def strings(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, "must be an array of non-empty strings")
        return tuple(v.strip() for v in value)

    def url(self, value: Any, key: str) -> str:
        if value is None:
            raise self.fail(key, "missing")
        if not isinstance(value, str):
            raise self.fail(key, "must be a string")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.fail(key, f"{value!r} is not an http(s) URL with a host")
        return value

    def date(self, value: Any, key: str) -> date | None:
        if value is None:
            return None
        if isinstance(value, date) and not hasattr(value, "hour"):
            return value  # a bare TOML date: since = 2025-01-01
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(key, f"{value!r} is not a date (YYYY-MM-DD)")

    def zone(self, value: Any, key: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(key, "must be a time zone name such as 'UTC' or 'America/New_York'")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(key, f"{value!r} is not a known time zone") from None
        return value

    def cron(self, value: Any, key: str) -> str | None:
        if value is None:
            return None
        # Five fields (minute hour day month weekday) or six with seconds first, as
        # APScheduler's CronTrigger accepts; the scheduler validates the field values.
        if not isinstance(value, str) or len(value.split()) not in (5, 6):
            raise self.fail(key, f"{value!r} is not a cron expression like '0 3 * * *'")
        return value

    def flag(self, value: Any, key: str) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        raise self.fail(key, "must be true or false")

    def number(self, value: Any, key: str, kind: type, *, minimum: float = 0) -> Any:
        if value is None:
            return None
        ok = isinstance(value, int) if kind is int else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok or value < minimum:
            what = "an integer" if kind is int else "a number"
            raise self.fail(key, f"{value!r}: must be {what} >= {minimum:g}")
        return kind(value)
