"""Comment dates as pages show them: machine-readable stamps first, else the visible text.

    read_date(raw, machine=..., clock=PageClock(...)) -> ReadDate

A stamp with an offset (`time[datetime]`, microdata, hAtom titles) is exact. A date a
theme prints only as text ("19. Juni 2018 um 15:28 Uhr", "26 abril 2022 a las 14:02",
"14/04/2020 at 3:00 pm") is read with dateparser in the page's language, in the site's
time zone where the page says it (the offset of the post's own stamp); where it does
not, the time is unknown rather than guessed as UTC: `at` is None and the raw text is
kept. A relative date ("3 days ago", "vor 2 Stunden") is resolved against the fetch
time and marked approximate. Pure: the clock comes in with the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any

__all__ = ["PageClock", "ReadDate", "read_date", "site_zone"]

# A text that holds digits or a month-like word is worth handing to dateparser; "Reply"
# or "Permalink" is not (each call costs about 0.1 ms, the first one far more).
_HAS_DIGIT = re.compile(r"\d")
_NUMBER_ONLY = re.compile(r"^\W*\d{1,4}\W*$")  # "1", "#12": a comment number, not a date
# Words of relative dates in the languages seen on political blogs: the result depends on
# the fetch time, so it is approximate.
_RELATIVE = re.compile(
    r"\b(ago|yesterday|today|hours?|minutes?|days?|weeks?|months?|years?|vor|gestern|heute|"
    r"hace|ayer|hoy|il y a|hier|aujourd'hui|fa|ieri|oggi|geleden|gisteren)\b",
    re.IGNORECASE,
)
# Words themes print around a date that dateparser would stumble on.
_NOISE = re.compile(
    r"\b(um|at|a las|à|alle|om|às|o|le|el|am|on|posted|wrote|said|publié|veröffentlicht|edit|"
    r"reply|link|to|comment|permalink|antworten|responder|répondre|uhr|h)\b\.?|[|·•]",
    re.IGNORECASE,
)


@dataclass(frozen=True, kw_only=True)
class PageClock:
    """What a page's dates are read against: its language, its site's zone, its fetch time."""

    fetched_at: datetime  # UTC, aware
    language: str | None = None  # "de" from <html lang="de-DE">; None: dateparser guesses
    zone: tzinfo | None = None  # the site's, from the page; None: unknown


@dataclass(frozen=True, kw_only=True)
class ReadDate:
    """A comment's date: the raw value the page shows, and its UTC time when known."""

    raw: str | None
    at: datetime | None = None  # UTC, aware; None: unread, or no zone to place it in
    approximate: bool = False  # resolved from a relative date against the fetch time
    # The text was read as a date (placed in time or not): a box that merely holds digits
    # ("1", a comment number) is not.
    understood: bool = False


def site_zone(stamps: list[str]) -> tzinfo | None:
    """The site's zone, as the first stamp with an offset gives it (the post's
    `article:published_time`, its `time[datetime]`): a fixed offset, which is what the
    page says; None when no stamp carries one."""
    for stamp in stamps:
        value = _iso(stamp)
        if value is not None and value.tzinfo is not None:
            return value.tzinfo
    return None


def read_date(text: str | None, *, machine: str | None = None, clock: PageClock) -> ReadDate:
    """The date of a comment from its machine stamp, else from its visible text."""
    if machine:
        value = _iso(machine)
        if value is not None:
            if value.tzinfo is None:
                if clock.zone is None:
                    return ReadDate(raw=machine, understood=True)
                value = value.replace(tzinfo=clock.zone)
            return ReadDate(raw=machine, at=value.astimezone(UTC), understood=True)
    raw = " ".join((text or "").split())
    if not raw or not _HAS_DIGIT.search(raw) and not _RELATIVE.search(raw) or _NUMBER_ONLY.match(raw):
        return ReadDate(raw=machine or None)  # "Reply", "Permalink": no date at all
    relative = bool(_RELATIVE.search(raw)) and not re.search(r"\d{4}", raw)
    local, whole = _dateparser(_NOISE.sub(" ", raw), clock.language, clock.fetched_at if relative else None)
    if local is None:
        return ReadDate(raw=raw)
    if not whole:
        # A time or a date without its year ("1:53 PM", "March 7"): dateparser would fill
        # in today's; the text is kept, the time stays unknown.
        return ReadDate(raw=raw, understood=True)
    if relative:
        # Against the fetch time, in UTC: exact to the unit the site rounds to.
        return ReadDate(raw=raw, at=local.replace(tzinfo=UTC), approximate=True, understood=True)
    if clock.zone is None:
        return ReadDate(raw=raw, understood=True)
    return ReadDate(raw=raw, at=local.replace(tzinfo=clock.zone).astimezone(UTC), understood=True)


def _iso(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip())  # Python 3.11 reads a trailing Z
    except ValueError:
        return None


def _dateparser(text: str, language: str | None, base: datetime | None) -> tuple[datetime | None, bool]:
    """dateparser's reading of `text` as a naive local time (relative to `base`, UTC),
    and whether the text names the whole date (day, month and year; a relative date
    always does)."""
    text = " ".join(text.split())
    naive_base = base.replace(tzinfo=None) if base else None
    if base is not None:
        return _cached_parse(text, language, naive_base, whole=False), True
    value = _cached_parse(text, language, None, whole=True)
    if value is not None:
        return value, True
    return _cached_parse(text, language, None, whole=False), False


@lru_cache(maxsize=4096)
def _cached_parse(text: str, language: str | None, base: datetime | None, *, whole: bool) -> datetime | None:
    import dateparser  # loaded only for pages that print dates as text (~1 s the first time)

    settings: dict[str, Any] = {"RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DATES_FROM": "past"}
    if base is not None:
        settings["RELATIVE_BASE"] = base
    if whole:
        settings["REQUIRE_PARTS"] = ["day", "month", "year"]
    languages = [language] if language else None
    try:
        value = dateparser.parse(text, languages=languages, settings=settings)
    except (ValueError, OverflowError, KeyError):  # an unknown language code among them
        value = None
    if value is None and languages:
        value = dateparser.parse(text, settings=settings)
    if value is not None and base is not None and value > base + timedelta(minutes=1):
        return None  # "in 3 days" or a misread: a comment is never from the future
    return value.replace(tzinfo=None) if value is not None else None
