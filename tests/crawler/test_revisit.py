"""The revisit policy: nightly while recent, weekly, then monthly; activity makes a post recent."""

from datetime import UTC, datetime, timedelta

from crawler.revisit import RevisitPolicy, is_due, is_new_activity

NOW = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def due(published_days: float, checked_days: float | None, activity_days: float | None = None) -> bool:
    return is_due(
        now=NOW,
        published_at=NOW - timedelta(days=published_days),
        last_activity_at=None if activity_days is None else NOW - timedelta(days=activity_days),
        last_checked_at=None if checked_days is None else NOW - timedelta(days=checked_days),
    )


def test_never_checked_is_due() -> None:
    assert due(400, None)


def test_recent_post_every_night() -> None:
    assert due(3, 1)
    assert due(13, 0.96)  # a crawl starting an hour early still counts


def test_weekly_between_two_weeks_and_ninety_days() -> None:
    assert not due(30, 1)
    assert not due(30, 6)
    assert due(30, 7)


def test_monthly_after_ninety_days() -> None:
    assert not due(200, 7)
    assert due(200, 30)


def test_new_comment_activity_makes_a_post_recent_again() -> None:
    assert not due(200, 2)
    assert due(200, 2, activity_days=1)


def test_policy_is_configurable() -> None:
    strict = RevisitPolicy(daily_days=1, weekly_days=2, weekly_interval_days=3, monthly_interval_days=10)
    assert strict.interval(timedelta(hours=12)) == timedelta(0)
    assert strict.interval(timedelta(days=1, hours=1)) == timedelta(days=3)
    assert strict.interval(timedelta(days=5)) == timedelta(days=10)


def test_a_comment_dated_shortly_before_the_last_check_may_be_unseen() -> None:
    checked = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)
    assert is_new_activity(checked + timedelta(seconds=1), checked)
    assert is_new_activity(checked - timedelta(minutes=30), checked)  # written, shown later
    assert not is_new_activity(checked - timedelta(hours=2), checked)
    assert is_new_activity(checked - timedelta(days=300), None)  # never checked
