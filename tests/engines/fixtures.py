"""The blog and the Drupal site the engine tests crawl: deportation posts with threads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tests.engines.blogger_site import BComment, BloggerSite, BPost

__all__ = ["blogger_site", "when"]

PACIFIC = timezone(timedelta(hours=-8))


def when(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 1, day, hour, minute, tzinfo=PACIFIC)


def blogger_site() -> BloggerSite:
    flights = BPost(
        pid="5550001", slug="deportation-flights", title="Deportation flights to CECOT",
        author="Maria Editor", published=when(2, 9), labels=("Deportation Policy",),
        body="The Alien Enemies Act and the flights to El Salvador.",
        comments=[
            BComment("9000001", "Ann", when(3, 7, 12), "Deportation without a hearing?",
                     uri="https://www.blogger.com/profile/111"),
            BComment("9000002", "Bob", when(3, 8), "@Ann there was a hearing.", parent="9000001"),
            BComment("9000003", "Anonymous", when(3, 9), "CECOT is a prison."),
            BComment("9000004", "Cy", when(3, 10), "Replying to Bob.", parent="9000002"),
        ],
    )
    other = BPost(pid="5550002", slug="garden", title="My garden", author="Maria Editor",
                  published=when(1, 9), body="Tomatoes.",
                  comments=[BComment("9000010", "Dee", when(1, 12), "Nice.")])
    return BloggerSite([flights, other])


def many_comments(site: BloggerSite, n: int) -> None:
    """Give the deportation post `n` more comments (more than one feed page)."""
    post = site.post("5550001")
    base = when(4, 0)
    for i in range(n):
        post.comments.append(BComment(str(9100000 + i), f"Reader {i}", base + timedelta(minutes=i),
                                      f"Deportation comment {i}."))


UTC_ = UTC
