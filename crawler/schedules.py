"""Source schedules: when each configured source is crawled, as APScheduler cron triggers.

Crontab syntax (5 fields, or 6 with seconds first) is translated into a `CronTrigger`
with crontab's meaning of the weekday field; the `[schedule]` defaults of the config
fill in what a source leaves out. The scheduler (`scheduler.py`) turns these into jobs,
and `palimpsest schedule list` shows them (`listed_sources`).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from crawler.config import Config
from storage.errors import ConfigError
from storage.schedule_status import JOB_PREFIX, ListedSource

__all__ = ["SourceSchedule", "listed_sources", "parse_cron", "source_schedules"]

# Crontab numbers weekdays 0-7 from Sunday; APScheduler 3.x numbers them from Monday, and
# steps ("*/2") count from Monday too. So the weekday field is expanded the crontab way
# into a list of day names, which both read alike.
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _weekday_number(token: str) -> int:
    if token.isdigit() and int(token) <= 7:
        return int(token)  # 7 is Sunday again; kept as 7 so that "5-7" is a range
    if token.lower() in _WEEKDAYS:
        return _WEEKDAYS.index(token.lower())
    raise ValueError(f"weekday {token!r} is not 0-7 or sun..sat")


def _crontab_weekdays(spec: str) -> str:
    """A crontab weekday field as APScheduler day names: '1-5' -> 'mon,tue,wed,thu,fri'."""
    if spec in ("*", "?"):
        return "*"
    days: set[int] = set()
    for item in spec.split(","):
        span, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(f"weekday step {step_text!r} is not a positive number")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            start, _, end = span.partition("-")
            first, last = _weekday_number(start), _weekday_number(end)
        else:
            first = _weekday_number(span)
            last = 6 if step else first
        if first > last:
            raise ValueError(f"weekday range {span!r} runs backwards")
        days.update(day % 7 for day in range(first, last + 1, step or 1))
    return ",".join(_WEEKDAYS[day] for day in sorted(days))


def parse_cron(
    expr: str, timezone: str, jitter_seconds: int = 0, *, where: str = ""
) -> CronTrigger:
    """A CronTrigger from crontab syntax: 5 fields, or 6 with seconds first.

    `where` names the config key in the ConfigError raised for a bad value.
    """
    prefix = f"{where}: " if where else ""
    fields = expr.split()
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) != 6:
        raise ConfigError(f"{prefix}{expr!r} is not a cron expression like '0 3 * * *'")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{prefix}{timezone!r} is not a known time zone") from None
    second, minute, hour, day, month, weekday = fields
    try:
        return CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_crontab_weekdays(weekday),
            timezone=zone,
            jitter=jitter_seconds or None,
        )
    except ValueError as exc:
        raise ConfigError(f"{prefix}{expr!r} is not a valid cron expression: {exc}") from None


@dataclass(frozen=True, kw_only=True)
class SourceSchedule:
    """When one source is crawled: its cron, time zone, jitter and misfire grace."""

    key: str
    cron: str
    timezone: str
    jitter_seconds: int
    misfire_grace_seconds: int
    where: str = ""  # the config key, for error messages

    @property
    def job_id(self) -> str:
        return JOB_PREFIX + self.key

    def trigger(self) -> CronTrigger:
        return parse_cron(self.cron, self.timezone, self.jitter_seconds, where=self.where)


def source_schedules(config: Config) -> list[SourceSchedule]:
    """The schedule of every enabled source, defaults filled in from `[schedule]`."""
    defaults = config.schedule
    schedules = []
    for source in config.enabled_sources:
        item = SourceSchedule(
            key=source.key,
            cron=source.schedule or defaults.cron,
            timezone=source.timezone or defaults.timezone,
            jitter_seconds=defaults.jitter_seconds,
            misfire_grace_seconds=defaults.misfire_grace_seconds,
            where=f"{config.path}: source {source.key!r}: schedule",
        )
        item.trigger()  # a bad cron is a ConfigError now, not when the job first fires
        schedules.append(item)
    return schedules


def listed_sources(config: Config) -> list[ListedSource]:
    """Every configured source, enabled or not, as `schedule list` shows it."""
    defaults = config.schedule
    return [
        ListedSource(
            key=source.key,
            cron=source.schedule or defaults.cron,
            timezone=source.timezone or defaults.timezone,
            enabled=source.enabled,
        )
        for source in config.sources
    ]
