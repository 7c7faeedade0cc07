"""The blog and the Drupal site the engine tests crawl: deportation posts with threads."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.engines.blogger_site import BComment, BloggerSite, BPost
from tests.engines.drupal_site import DComment, DNode, DrupalSite

__all__ = ["blogger_site", "drupal_site", "many_comments", "when"]

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




def drupal_site(version: int) -> DrupalSite:
    """A node with two top-level comments and their replies, paged 3 comments a page
    (page boundaries between threads), and an off-topic node."""
    node = DNode(
        nid="41", title="Deportations under the Alien Enemies Act", created=when(2, 9),
        body="<p>Flights to El Salvador and CECOT.</p>", tags=("Deportation Policy",),
        comments=[
            DComment("101", "Ann", when(3, 10), "Deportation without a hearing?"),
            DComment("102", "Bob", when(3, 11), "@Ann there was a hearing.", parent="101"),
            DComment("103", "Cy", when(3, 12), "Replying to Bob.", parent="102"),
            DComment("104", "Dee", when(3, 13), "Bukele welcomed them."),
            DComment("105", "Eve", when(3, 14), "Not for long.", parent="104"),
        ],
    )
    other = DNode(nid="42", title="Our garden", created=when(1, 9), body="<p>Tomatoes.</p>",
                  comments=[DComment("201", "Fay", when(1, 12), "Nice.")])
    return DrupalSite([node, other], version=version, per_page=3)
