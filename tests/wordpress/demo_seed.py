"""Seed content of the demo blog that `make demo` crawls (a snapshot in crawler/demo_site/).

Smaller than the test seed: five posts, two on the topic with long threads (more than
ten top-level comments, so two comment pages each), one short on-topic post, two off
the topic. Written in the same plan format as `tests.wordpress.seed`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.wordpress.seed import PlannedComment, PlannedPost

__all__ = ["DEMO_POSTS"]

# (key, author, website, parent key or None, content). Keys are local to a post.
Line = tuple[str, str, str, str | None, str]


def _thread(post: str, start: datetime, lines: list[Line]) -> tuple[PlannedComment, ...]:
    return tuple(
        PlannedComment(key=f"{post}-{key}", author=author, url=url,
                       parent=f"{post}-{parent}" if parent else None,
                       content=content.replace("{{c:", "{{comment:" + post + "-"),
                       date=start + timedelta(minutes=41 * i))
        for i, (key, author, url, parent, content) in enumerate(lines, 1)
    )


_MANIFESTS: list[Line] = [
    ("a", "Rebecca Stone", "https://example.org/rstone", None,
     ("The manifests list 238 names. The government has confirmed 137 were removed under the "
     "Alien Enemies Act. Where does the other hundred come from?")),
    ("b", "Tom Becker", "", "a", "Ordinary Title 8 removals, put on the same planes."),
    ("c", "Rebecca Stone", "https://example.org/rstone", "b",
     "Then why hold them in CECOT rather than release them in San Salvador?"),
    ("d", "José Martínez", "https://example.com/jose", None,
     "Mi hermano reconoció a un vecino en las fotos. No tenía antecedentes."),
    ("e", "Hannah K.", "", "d", "I'm sorry. Has his family been able to reach a lawyer?"),
    ("f", "José Martínez", "https://example.com/jose", "e",
     "@Hannah K.: todavía no. Nobody will say where he is exactly."),
    ("g", "Frank", "", None,
     ("<blockquote>The government has confirmed 137 were removed under the Alien Enemies "
     "Act.</blockquote>\nConfirmed to whom? A court filing, or a press release?")),
    ("h", "Rebecca Stone", "https://example.org/rstone", "g",
     "A sworn declaration, filed on the Monday."),
    ("i", "Zoë", "", None, "The tattoo scoring sheet is the part I can't get past."),
    ("j", "JohnD", "", None, ("Habeas is the whole ballgame here. Either the courts can reach "
     "CECOT through the US custodian or they can't.")),
    ("k", "Pete", "", "j", "@JohnD: the government says the men are no longer in US custody."),
    ("l", "JohnD", "", "k", "Which is exactly what the judge asked them to prove."),
    ("m", "Carol W.", "", None, "Thanks for the careful post. The spreadsheet is very useful."),
    ("n", "Li Na", "", None, "How were the names matched to the manifests? By date of birth?"),
    ("o", "Maria Alvarez", "", "n", ("Name and date of birth; where those differed we left the "
     "row out. The method note is at the bottom of the post.")),
    ("p", "Dmitri", "", None, "Same story in 1798, different century."),
    ("q", "Frank", "", None, ('<a href="#comment-{{c:j}}">@JohnD</a> the custody question is '
     "going to the Supreme Court either way.")),
    ("r", "Zoë", "", "q", "Probably by summer."),
    ("s", "johnd", "https://example.net/johnd", None, ("(JohnD from my other laptop) One more "
     "thing: the flights left after the written order, not only after the oral one.")),
    ("t", "Hannah K.", "", None, ("<blockquote>Nobody will say where he is exactly.</blockquote>\n"
     "This is the part that should worry everyone, whatever they think of the policy.")),
    ("u", "Ольга", "", None, "Спасибо за статью. Очень подробно."),
    ("v", "Pete", "", None, ("If the number is 238, the spreadsheet should say 238, not 'about "
     "240'.")),
    ("w", "Maria Alvarez", "", "v", "@Pete: fair, fixed. Thank you."),
    ("x", "Carol W.", "", None, "Use &lt;b&gt; tags &amp; such if you want bold, by the way."),
]

_GITMO: list[Line] = [
    ("a", "Frank", "", None, ("Thirty thousand beds at Guantanamo was always a number for the "
     "cameras.")),
    ("b", "Priya Natarajan", "", "a", ("The tents went up, though. The question is who is in "
     "them.")),
    ("c", "Frank", "", "b", "And who is allowed in to look."),
    ("d", "Rebecca Stone", "https://example.org/rstone", None, ("Lawyers have had phone access "
     "only, and only after a court order.")),
    ("e", "Zoë", "", None, "@Rebecca Stone: is that still true after the transfers in March?"),
    ("f", "Rebecca Stone", "https://example.org/rstone", "e", "As far as I know, yes."),
    ("g", "JohnD", "", None, ("<blockquote>The migrant operations center has held people since "
     "the 1990s</blockquote>\nRight, and it was controversial then too.")),
    ("h", "Tom Becker", "", None, ("The cost per detainee is staggering compared with detention "
     "in Texas.")),
    ("i", "Hannah K.", "", "h", "Do you have a source for the cost figure?"),
    ("j", "Tom Becker", "", "i", "The budget request, table 4."),
    ("k", "José Martínez", "https://example.com/jose", None, "Y las familias no saben nada."),
    ("l", "Pete", "", None, "Is anybody tracking how many were sent on to El Salvador?"),
    ("m", "Priya Natarajan", "", "l", "A few dozen, by our count. See the CECOT post."),
    ("n", "Carol W.", "", None, ('<a href="#comment-{{c:g}}">@JohnD</a> controversial then, '
     "forgotten since.")),
    ("o", "Zoë", "", None, "Good piece. Bookmarked ✔"),
    ("p", "ＪｏｈｎＤ", "", None, "Typing on my phone again. The Haitian precedent matters here."),
    ("q", "Li Na", "", None, "Thank you for the timeline."),
    ("r", "Ольга", "", None, "Гуантанамо снова в новостях."),
]


def _t(month: int, day: int, hour: int) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


DEMO_POSTS: tuple[PlannedPost, ...] = (
    PlannedPost(
        key="manifests", slug="cecot-flight-manifests", author_login="malvarez",
        title="Who was on the planes to CECOT? What the flight manifests show",
        content="<p>We matched the leaked manifests of the three March flights against court "
        "filings. Of 238 men, the government says 137 were removed under the Alien Enemies "
        "Act; the rest were ordinary deportation cases.</p>\n<p>Most had no criminal record "
        "in the United States. All are now held in CECOT, El Salvador's mega-prison.</p>\n"
        "<p><em>Method:</em> names and dates of birth; rows that differed were left out.</p>",
        date=_t(4, 2, 14), on_topic=True, tags=("CECOT", "deportation", "data"),
        categories=("Immigration",),
        comments=_thread("manifests", _t(4, 2, 15), _MANIFESTS),
    ),
    PlannedPost(
        key="gitmo", slug="guantanamo-again", author_login="pnatarajan",
        title="Guantanamo, again: the numbers behind the migrant operations center",
        content="<p>The migrant operations center has held people since the 1990s, mostly "
        "Haitians and Cubans intercepted at sea. This year it became a stop on the way to "
        "deportation.</p>\n<p>Here is what the public record says about how many, for how "
        "long, and at what cost.</p>",
        date=_t(3, 20, 13), on_topic=True, tags=("Guantanamo",), categories=("Law",),
        comments=_thread("gitmo", _t(3, 20, 14), _GITMO),
    ),
    PlannedPost(
        key="offer", slug="bukele-prison-offer", author_login="jmuller",
        title="A prison for hire",
        content="<p>Bukele's offer to take prisoners from the United States for a fee is "
        "cheap for Washington and lucrative for San Salvador. What does it cost the "
        "prisoners?</p>",
        date=_t(2, 6, 12), on_topic=True, tags=("foreign policy",), categories=("World",),
        comments=_thread("offer", _t(2, 6, 13), [
            ("a", "Zoë", "", None, "Outsourcing prisons is old. Outsourcing citizens is new."),
            ("b", "JohnD", "", "a", "@Zoë: and, one hopes, unconstitutional."),
            ("c", "Pete", "", None, "The fee is reportedly $6 million a year."),
        ]),
    ),
    PlannedPost(
        key="baseball", slug="opening-day", author_login="tbecker",
        title="Opening day, in the cold",
        content="<p>Windy, 41 degrees, and a walk-off double in the ninth. Baseball is "
        "back.</p>",
        date=_t(3, 28, 1), on_topic=False, tags=("baseball",), categories=("Sports",),
        comments=_thread("baseball", _t(3, 28, 2), [
            ("a", "Frank", "", None, ("Great game. Off topic, but are you writing about the "
             "deportation flights?")),
            ("b", "Tom Becker", "", "a", "@Frank: Maria is."),
        ]),
    ),
    PlannedPost(
        key="tomatoes", slug="tomatoes-cold-spring", author_login="jmuller",
        title="Tomatoes in a cold spring",
        content="<p>The seedlings are leggy again. Next year: more light, less water.</p>",
        date=_t(3, 9, 9), on_topic=False, tags=("gardening",), categories=("Garden",),
        comments=_thread("tomatoes", _t(3, 9, 10), [
            ("a", "Jürgen Öztürk", "", None, "Mehr Licht! 🌱"),
        ]),
    ),
)
