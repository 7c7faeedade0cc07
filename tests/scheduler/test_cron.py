"""Cron parsing: crontab meaning (weekdays from Sunday), seconds, time zones, clear errors."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.config import parse_config
from scheduler import parse_cron, source_schedules
from storage.errors import ConfigError

# A Wednesday.
WED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def next_fire(expr: str, tz: str = "UTC", after: datetime = WED) -> datetime:
    fire = parse_cron(expr, tz).get_next_fire_time(None, after)
    assert fire is not None
    return fire


def test_five_fields_fire_at_second_zero() -> None:
    assert next_fire("30 3 * * *") == datetime(2026, 11, 26, 3, 30, tzinfo=UTC)


def test_six_fields_put_seconds_first() -> None:
    after = WED.replace(second=1)
    assert next_fire("*/5 * * * * *", after=after) == WED.replace(second=5)


@pytest.mark.parametrize(
    ("weekday", "expected_day"),
    [
        ("0", 29),
        ("7", 29),
        ("1", 30),
        ("1-5", 26),
        ("6", 28),
        ("sat", 28),
        ("5-7", 27),
        ("*/2", 26),  # Sun, Tue, Thu, Sat: the step counts from Sunday too
        ("0,3", 29),
    ],
)
def test_weekdays_count_from_sunday_as_in_crontab(weekday: str, expected_day: int) -> None:
    # APScheduler 3 alone would read 0 as Monday; crontab (and our users) mean Sunday.
    assert next_fire(f"0 3 * * {weekday}").day == expected_day


def test_time_zone_is_applied() -> None:
    fire = next_fire("0 3 * * *", "America/New_York")
    assert fire.astimezone(ZoneInfo("America/New_York")).hour == 3
    assert fire.astimezone(UTC).hour == 8


def test_jitter_is_kept_on_the_trigger() -> None:
    assert parse_cron("0 3 * * *", "UTC", 300).jitter == 300
    assert parse_cron("0 3 * * *", "UTC", 0).jitter is None


@pytest.mark.parametrize(
    ("expr", "tz", "message"),
    [
        ("0 25 * * *", "UTC", "not a valid cron expression"),
        ("0 3 * *", "UTC", "not a cron expression"),
        ("0 3 * * 9", "UTC", "weekday '9' is not 0-7"),
        ("0 3 * * 5-1", "UTC", "runs backwards"),
        ("0 3 * * *", "Mars/Olympus", "not a known time zone"),
    ],
)
def test_bad_values_are_config_errors_naming_where(expr: str, tz: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        parse_cron(expr, tz, where="sources.toml: source 'a': schedule")
    assert str(info.value).startswith("sources.toml: source 'a': schedule: ")


CONFIG = """
[topic]
name = "t"
keywords = ["cecot"]

[schedule]
cron = "0 4 * * *"
timezone = "Europe/Berlin"
jitter_seconds = 60
misfire_grace_seconds = 600

[[sources]]
key = "own"
name = "Own"
url = "https://own.example/"
schedule = "15 2 * * 1"
timezone = "America/Chicago"

[[sources]]
key = "default"
name = "Default"
url = "https://default.example/"

[[sources]]
key = "off"
name = "Off"
url = "https://off.example/"
enabled = false
"""


def test_sources_get_their_own_schedule_or_the_default() -> None:
    schedules = {s.key: s for s in source_schedules(parse_config(CONFIG, path="p.toml"))}
    assert set(schedules) == {"own", "default"}  # disabled sources are not scheduled
    assert (schedules["own"].cron, schedules["own"].timezone) == ("15 2 * * 1", "America/Chicago")
    assert (schedules["default"].cron, schedules["default"].timezone) == (
        "0 4 * * *",
        "Europe/Berlin",
    )
    assert schedules["default"].jitter_seconds == 60
    assert schedules["default"].misfire_grace_seconds == 600


def test_a_bad_source_schedule_fails_at_load_naming_file_and_source() -> None:
    bad = CONFIG.replace('schedule = "15 2 * * 1"', 'schedule = "15 2 * * 8"')
    with pytest.raises(ConfigError, match=r"p.toml: source 'own': schedule: .*weekday '8'"):
        source_schedules(parse_config(bad, path="p.toml"))
