"""Revisit policy: recent posts every crawl, older ones less often.

A post's age counts from its last sign of life (publication or the newest comment seen),
so a post with new comment activity is treated as recent again. Pure: `now` comes in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["RevisitPolicy", "is_due", "is_new_activity"]

# How far before a post's last check a comment still counts as possibly unseen: a comment
# is dated when written, and may show a little later (a slow form post, a crawl that read
# the thread's pages over some minutes). Fetching a thread once more costs little.
ACTIVITY_SLACK = timedelta(hours=1)


@dataclass(frozen=True, kw_only=True)
class RevisitPolicy:
    """Default: nightly for 14 days, weekly until 90 days, monthly after."""

    daily_days: int = 14
    weekly_days: int = 90
    weekly_interval_days: int = 7
    monthly_interval_days: int = 30

    def interval(self, age: timedelta) -> timedelta:
        """How long to wait between visits of a post whose last activity is `age` old."""
        if age < timedelta(days=self.daily_days):
            return timedelta(0)
        if age < timedelta(days=self.weekly_days):
            return timedelta(days=self.weekly_interval_days)
        return timedelta(days=self.monthly_interval_days)


def is_due(
    *,
    now: datetime,
    published_at: datetime | None,
    last_activity_at: datetime | None,
    last_checked_at: datetime | None,
    policy: RevisitPolicy = RevisitPolicy(),
) -> bool:
    """True when the post should be fetched on a crawl at `now`.

    Never-checked posts and posts of unknown age are always due: missing a thread is
    worse than one more fetch.
    """
    if last_checked_at is None:
        return True
    alive = max((t for t in (published_at, last_activity_at) if t is not None), default=None)
    if alive is None:
        return True
    wait = policy.interval(now - alive)
    # A little slack so a nightly crawl that starts a few minutes early still counts.
    return now - last_checked_at >= wait - timedelta(hours=1)


def is_new_activity(comment_at: datetime, last_checked_at: datetime | None) -> bool:
    """True when a comment dated `comment_at` may not have been seen at the last check."""
    return last_checked_at is None or comment_at > last_checked_at - ACTIVITY_SLACK
