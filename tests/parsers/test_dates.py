"""Comment dates read from the text a page shows (crawler.parsers.dates)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.parsers.dates import PageClock, read_date

FETCHED = datetime(2013, 1, 1, 12, 0, tzinfo=UTC)
EASTERN = timezone(timedelta(hours=-5))


@pytest.mark.parametrize(("text", "language", "at"), [
    ("October 2, 2012 2:38 PM", "en", datetime(2012, 10, 2, 19, 38, tzinfo=UTC)),
    ("19. Juni 2018 um 15:28 Uhr", "de", datetime(2018, 6, 19, 20, 28, tzinfo=UTC)),
    ("26 abril 2022 a las 14:02", "es", datetime(2022, 4, 26, 19, 2, tzinfo=UTC)),
    ("14/04/2020 at 3:00 pm", "en", datetime(2020, 4, 14, 20, 0, tzinfo=UTC)),
])
def test_a_whole_date_in_the_sites_zone_is_placed_in_utc(text: str, language: str, at: datetime) -> None:
    read = read_date(text, clock=PageClock(fetched_at=FETCHED, language=language, zone=EASTERN))
    assert (read.raw, read.at, read.understood, read.approximate) == (text, at, True, False)


@pytest.mark.parametrize("text", ["1:53 PM", "12:42 PM", "March 7", "7. März"])
def test_a_time_or_a_date_without_its_year_keeps_its_text_and_no_invented_day(text: str) -> None:
    # dateparser fills in today's date (or year): the page never said it.
    read = read_date(text, clock=PageClock(fetched_at=FETCHED, language="en", zone=EASTERN))
    assert (read.raw, read.at, read.understood) == (text, None, True)


def test_a_relative_date_is_resolved_against_the_fetch_time_and_marked_approximate() -> None:
    read = read_date("3 days ago", clock=PageClock(fetched_at=FETCHED, language="en"))
    assert (read.at, read.approximate) == (datetime(2012, 12, 29, 12, 0, tzinfo=UTC), True)


def test_without_the_sites_zone_a_whole_date_stays_unplaced() -> None:
    read = read_date("October 2, 2012 2:38 PM", clock=PageClock(fetched_at=FETCHED, language="en"))
    assert (read.raw, read.at, read.understood) == ("October 2, 2012 2:38 PM", None, True)
