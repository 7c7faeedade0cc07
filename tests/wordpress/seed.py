"""Seed content of the test WordPress: the posts and comments the tests compare with.

`SEED_POSTS` is the plan (what to write); the harness writes it and returns a `Seed`
of `SeededPost` / `SeededComment` with the ids WordPress assigned, the HTML as stored
and as rendered, and the visible text. Comment text may refer to comments seeded
before it as `{{comment:KEY}}` (for `<a href="#comment-N">` @-replies).

What the plan covers, on purpose:
- 6 posts on the topic (keyword in title, only in body, only in a tag, only in a
  category), 3 off it; one off-topic post whose comments say "deportation";
- one thread of 49 comments (30 top-level, so 3 comment pages of 10), threads 5 levels
  deep (a top-level comment and 4 levels of replies);
- commenters with and without websites; non-ASCII names and text; one person as
  "JohnD", "johnd" and "ＪｏｈｎＤ" (WordPress trims names, so no trailing-space variant);
- markup-looking text ("use <b> tags & stuff" typed as text), plain and linked
  @-replies, blockquotes of the post and of another comment;
- fixed, distinct UTC times; the site's timezone is America/New_York, so pages show
  local times with an offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import lxml.html

__all__ = [
    "AUTHORS",
    "SEED_POSTS",
    "SITE_TIMEZONE",
    "Author",
    "PlannedComment",
    "PlannedPost",
    "Seed",
    "SeededComment",
    "SeededPost",
    "visible_text",
]

SITE_TIMEZONE = "America/New_York"


@dataclass(frozen=True, kw_only=True)
class Author:
    """A WordPress user who writes posts."""

    login: str
    display_name: str


@dataclass(frozen=True, kw_only=True)
class PlannedComment:
    """A comment to seed; `parent` is the key of an earlier comment on the same post."""

    key: str
    author: str
    content: str  # HTML as a commenter submits it (kses and rel=ugc are applied on save)
    date: datetime  # UTC
    parent: str | None = None
    url: str = ""
    email: str = ""


@dataclass(frozen=True, kw_only=True)
class PlannedPost:
    """A post to seed."""

    key: str
    title: str
    slug: str
    author_login: str
    content: str
    date: datetime  # UTC
    on_topic: bool
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    comments: tuple[PlannedComment, ...] = ()


@dataclass(frozen=True, kw_only=True)
class SeededComment:
    """A comment as WordPress holds it now."""

    key: str
    id: int
    post_id: int
    author: str  # as stored (trimmed by WordPress)
    author_url: str
    parent: int  # WordPress id of the threaded parent, 0 for top level
    content: str  # stored HTML (after kses, with rel="nofollow ugc")
    rendered_html: str  # after the comment_text filters, as a page shows it
    text: str  # visible text of rendered_html, see visible_text()
    date: datetime  # UTC, aware
    trashed: bool = False


@dataclass(frozen=True, kw_only=True)
class SeededPost:
    """A post as WordPress holds it now, with its comments in insertion order."""

    key: str
    id: int
    url: str  # permalink at seeding time (pretty permalinks)
    slug: str
    title: str
    author: str  # display name
    author_login: str
    on_topic: bool
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    content: str
    rendered_html: str
    date: datetime  # UTC, aware
    comments: tuple[SeededComment, ...] = ()
    trashed: bool = False  # in WordPress's trash: the post URL answers 404

    @property
    def visible_comments(self) -> tuple[SeededComment, ...]:
        """The comments a reader (and the crawler) can see: not trashed."""
        return tuple(c for c in self.comments if not c.trashed)


@dataclass(frozen=True, kw_only=True)
class Seed:
    """Everything seeded, with WordPress ids; the harness replaces it after mutations."""

    posts: tuple[SeededPost, ...]
    authors: tuple[Author, ...] = field(default_factory=tuple)

    @property
    def on_topic_posts(self) -> tuple[SeededPost, ...]:
        """On-topic posts a reader can see (trashed ones are left out)."""
        return tuple(p for p in self.posts if p.on_topic and not p.trashed)

    @property
    def off_topic_posts(self) -> tuple[SeededPost, ...]:
        """Off-topic posts a reader can see (trashed ones are left out)."""
        return tuple(p for p in self.posts if not p.on_topic and not p.trashed)

    def post(self, key_or_id: str | int) -> SeededPost:
        for p in self.posts:
            if p.key == key_or_id or p.id == key_or_id:
                return p
        raise KeyError(key_or_id)

    def comment(self, key_or_id: str | int) -> SeededComment:
        for p in self.posts:
            for c in p.comments:
                if c.key == key_or_id or c.id == key_or_id:
                    return c
        raise KeyError(key_or_id)

    def post_of_comment(self, key_or_id: str | int) -> SeededPost:
        c = self.comment(key_or_id)
        return self.post(c.post_id)


_BLOCKS = {"p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5"}


def visible_text(html: str) -> str:
    """Visible text of an HTML fragment: one line per block, whitespace collapsed."""
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in root.iter():
        if el.tag == "br" or el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
            if el.tag in _BLOCKS:
                el.text = "\n" + (el.text or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


AUTHORS = (
    Author(login="malvarez", display_name="Maria Alvarez"),
    Author(login="tbecker", display_name="Tom Becker"),
    Author(login="pnatarajan", display_name="Priya Natarajan"),
    Author(login="jmuller", display_name="Jonas Müller"),
)


def _t(day: str, hh: int, mm: int = 0) -> datetime:
    """A UTC time on a 2025 day given as 'MM-DD'."""
    month, d = day.split("-")
    return datetime(2025, int(month), int(d), hh, mm, tzinfo=UTC)


# --- The long thread: 49 comments, 30 top level, so three comment pages of 10. -------

_FLIGHTS_BODY = (
    "<p>Three planes left Texas on Saturday carrying more than two hundred Venezuelan men "
    "to El Salvador, the first removals carried out under the Alien Enemies Act since the "
    "Second World War.</p>\n"
    "<p>The administration says the men are gang members; their lawyers say many have no "
    "criminal record at all. A federal judge ordered the planes turned around, and they "
    "were not.</p>\n"
    "<p>What happens next depends on whether the courts can still reach people once "
    "they are in a foreign prison.</p>"
)

_LONG_VOICES = [
    ("JohnD", "", "The judge's order was clear enough. Turning planes around is not exotic."),
    ("Rebecca Stone", "https://example.org/rstone", ("Does anyone know how many of the men had "
     "final removal orders before the flights?")),
    ("José Martínez", "https://example.com/jose", ("Mi primo está en Houston y dice que nadie "
     "sabía de los vuelos hasta el domingo.")),
    ("Zoë", "", ("The deportation numbers are smaller than the rhetoric, but the precedent is "
     "large.")),
    ("Dmitri", "", "Дмитрий here. Это не первый раз, когда закон 1798 года всплывает."),
    ("ＪｏｈｎＤ", "", ("Posting from my phone, sorry for the odd characters. Habeas still "
     "applies, full stop.")),
    ("Carol W.", "", "The tattoo criteria in the leaked checklist are alarming."),
    ("johnd", "https://example.net/johnd", ("Same JohnD as above, different browser. The "
     "checklist scores points for a crown tattoo.")),
    ("Li Na 李娜", "", ("Reading this from abroad: the images from the prison were hard to "
     "watch 😞")),
    ("Frank", "", "If deaths < 10 & budgets > $1bn, is that a success? Depends who counts."),
]


def _long_thread() -> tuple[PlannedComment, ...]:
    start = _t("03-16", 14, 5)
    comments: list[PlannedComment] = []
    n = 0

    def add(author: str, url: str, content: str, parent: str | None = None) -> str:
        nonlocal n
        n += 1
        key = f"flights-c{n}"
        comments.append(
            PlannedComment(key=key, author=author, url=url, content=content, parent=parent,
                           date=start + timedelta(minutes=37 * n))
        )
        return key

    for i in range(26):
        author, url, text = _LONG_VOICES[i % len(_LONG_VOICES)]
        round_ = i // len(_LONG_VOICES)
        body = f"<p>{text}</p>" if round_ == 0 else f"<p>{text} (again, point {round_ + 1})</p>"
        top = add(author, url, body)
        if i == 1:
            r1 = add("Maria Alvarez", "", "<p>@Rebecca Stone: the government has not said.</p>",
                     parent=top)
            r2 = add("Rebecca Stone", "https://example.org/rstone",
                     "<p>Then the court should ask. Under oath.</p>", parent=r1)
            r3 = add("Frank", "", "<p>Courts asked. The answer was 'state secrets'.</p>",
                     parent=r2)
            add("Zoë", "", "<p>Which is not an answer, it's a refusal.</p>", parent=r3)
        elif i == 4:
            add("Ольга", "", "<p>Согласна с Дмитрием. Закон старый, но его используют сейчас.</p>",
                parent=top)
        elif i == 7:
            add("Carol W.", "", f'<p><a href="#comment-{{{{comment:{top}}}}}">@johnd</a> '
                "a crown tattoo is also a Real Madrid logo.</p>")
        elif i % 3 == 0:
            first = add("Tom Becker", "", "<p>Fair point, thanks.</p>", parent=top)
            if i % 2 == 0:
                add(author, url, "<p>Thanks for reading the whole thing.</p>", parent=first)
    # Quotes: the post, and an earlier comment.
    add("Rebecca Stone", "https://example.org/rstone",
        "<blockquote><p>A federal judge ordered the planes turned around, and they were "
        "not.</p></blockquote><p>This is the sentence historians will quote.</p>")
    add("Frank", "", "<blockquote><p>The tattoo criteria in the leaked checklist are "
        "alarming.</p></blockquote><p>Alarming and unreliable.</p>")
    add("Carol W.", "", "<p>Use &lt;b&gt; tags &amp; stuff if you want bold here, "
        "it's WordPress.</p>")
    return tuple(comments)


def _deep_thread() -> tuple[PlannedComment, ...]:
    t = _t("02-21", 18)
    m = timedelta(minutes=23)
    return (
        PlannedComment(key="cecot-c1", author="Ana Beltrán", url="https://example.org/ana",
                       date=t, content="<p>The photos were staged for maximum effect. That "
                       "is the point of CECOT as a brand.</p>"),
        PlannedComment(key="cecot-c2", author="Pete", date=t + m, parent="cecot-c1",
                       content="<p>Staged or not, 40,000 capacity is real.</p>"),
        PlannedComment(key="cecot-c3", author="Ana Beltrán", url="https://example.org/ana",
                       date=t + 2 * m, parent="cecot-c2",
                       content="<p>Capacity isn't occupancy. Nobody outside knows the "
                       "occupancy.</p>"),
        PlannedComment(key="cecot-c4", author="Zoë", date=t + 3 * m, parent="cecot-c3",
                       content="<p>@Ana Beltrán: the government published a number once, "
                       "then stopped.</p>"),
        PlannedComment(key="cecot-c5", author="Pete", date=t + 4 * m, parent="cecot-c4",
                       content="<p>Level five reply, for the record 🙂</p>"),
        PlannedComment(key="cecot-c6", author="Hannah K.", date=t + 5 * m,
                       content="<blockquote><p>Nobody outside knows the occupancy.</p>"
                       "</blockquote><p>Human rights groups have asked for access and been "
                       "refused.</p>"),
        PlannedComment(key="cecot-c7", author="JohnD", date=t + 6 * m,
                       content='<p><a href="#comment-{{comment:cecot-c6}}">@Hannah K.</a> '
                       "do you have a link for that?</p>"),
        PlannedComment(key="cecot-c8", author="Hannah K.", date=t + 7 * m, parent="cecot-c7",
                       content='<p>Yes: <a href="https://example.org/report">the report</a>.'
                       "</p>"),
    )


def _short_thread(key: str, day: str, lines: list[tuple[str, str, str | None]]
                  ) -> tuple[PlannedComment, ...]:
    t = _t(day, 20)
    out = []
    for i, (author, content, parent) in enumerate(lines, 1):
        out.append(PlannedComment(key=f"{key}-c{i}", author=author, content=content,
                                  parent=f"{key}-c{parent}" if parent else None,
                                  date=t + timedelta(minutes=11 * i)))
    return tuple(out)


SEED_POSTS: tuple[PlannedPost, ...] = (
    PlannedPost(
        key="flights", slug="deportation-flights-el-salvador", author_login="malvarez",
        title="Deportation flights to El Salvador under the Alien Enemies Act",
        content=_FLIGHTS_BODY, date=_t("03-16", 13), on_topic=True,
        tags=("deportation", "Alien Enemies Act"), categories=("Immigration",),
        comments=_long_thread(),
    ),
    PlannedPost(
        key="cecot", slug="what-we-know-about-cecot", author_login="pnatarajan",
        title="What we know about CECOT, Bukele’s mega-prison",
        content="<p>The Terrorism Confinement Center opened in 2023. Its cells hold more "
        "than a hundred men each.</p>\n<p>Visitors are rare and guided.</p>",
        date=_t("02-21", 15), on_topic=True, tags=("CECOT", "El Salvador"),
        categories=("Immigration", "Human Rights"), comments=_deep_thread(),
    ),
    PlannedPost(
        key="guantanamo", slug="guantanamo-migrant-holding", author_login="tbecker",
        title="Guantanamo as a migrant holding site: the legal questions",
        content="<p>The base has held migrants before, in the 1990s. The question now is "
        "scale, and who can visit.</p>",
        date=_t("02-05", 16), on_topic=True, tags=("Guantanamo",), categories=("Law",),
        comments=_short_thread("gitmo", "02-05", [
            ("Rebecca Stone", "<p>Who has jurisdiction over a habeas petition there?</p>",
             None),
            ("Tom Becker", "<p>@Rebecca Stone: the D.C. district court, most likely.</p>",
             "1"),
            ("José Martínez", "<p>¿Y los abogados pueden entrar? That's the question.</p>",
             None),
            ("Frank", "<p>Not easily. Flights are military.</p>", "3"),
        ]),
    ),
    PlannedPost(
        key="offer", slug="an-offer-hard-to-refuse", author_login="jmuller",
        title="An offer that is hard to refuse",
        content="<p>President Bukele offered to hold prisoners from the United States for a "
        "fee. The offer raises questions about what a country can sell.</p>",
        date=_t("02-04", 12), on_topic=True, tags=("foreign policy",), categories=("World",),
        comments=_short_thread("offer", "02-04", [
            ("Zoë", "<p>Outsourcing prisons is not new; outsourcing citizens would be.</p>",
             None),
            ("JohnD", "<p>@Zoë: citizens were mentioned explicitly, which is astonishing.</p>",
             None),
        ]),
    ),
    PlannedPost(
        key="reading", slug="weekend-reading", author_login="malvarez",
        title="Weekend reading",
        content="<p>Five long pieces worth your time this weekend, on courts, borders and "
        "the people caught between them.</p>",
        date=_t("03-22", 10), on_topic=True, tags=("deportation", "links"),
        categories=("Links",),
        comments=_short_thread("reading", "03-22", [
            ("Carol W.", "<p>Thanks, the second piece is excellent.</p>", None),
        ]),
    ),
    PlannedPost(
        key="habeas", slug="judges-habeas-and-removals", author_login="pnatarajan",
        title="Judges, habeas corpus and removals",
        content="<p>The Great Writ was meant for exactly this: a body, a custodian, and a "
        "judge who can ask why.</p>",
        date=_t("03-28", 14), on_topic=True, tags=("courts",),
        categories=("Deportation Policy",),
        comments=_short_thread("habeas", "03-28", [
            ("Hannah K.", "<p>A clear explainer, thank you.</p>", None),
            ("Pete", "<p>Agreed.</p>", "1"),
            ("Hannah K.", "<p>👍</p>", "2"),
        ]),
    ),
    # Off topic. None of these may carry a topic keyword in title, body, tags or categories.
    PlannedPost(
        key="baseball", slug="opening-day-notes", author_login="tbecker",
        title="Opening day: notes from the bleachers",
        content="<p>Cold, windy, and a walk-off double in the ninth. Baseball is back.</p>",
        date=_t("03-27", 23), on_topic=False, tags=("baseball",), categories=("Sports",),
        comments=_short_thread("baseball", "03-28", [
            ("Frank", ("<p>Great game. Unrelated, but did you see the deportation story? "
             "Worth a post.</p>"), None),
            ("Tom Becker", "<p>@Frank: working on it.</p>", "1"),
            ("Zoë", "<p>The ninth inning was unreal ⚾</p>", None),
        ]),
    ),
    PlannedPost(
        key="tomatoes", slug="tomatoes-in-a-cold-spring", author_login="jmuller",
        title="Tomatoes in a cold spring",
        content="<p>Started seeds indoors in February; the seedlings are leggy. Next year, "
        "more light.</p>",
        date=_t("03-10", 9), on_topic=False, tags=("gardening",), categories=("Garden",),
        comments=_short_thread("tomatoes", "03-10", [
            ("Jürgen Öztürk", "<p>Mehr Licht, weniger Wasser. 🌱</p>", None),
            ("Ольга", "<p>Помидоры любят тепло.</p>", None),
        ]),
    ),
    PlannedPost(
        key="sourdough", slug="sourdough-again", author_login="malvarez",
        title="Sourdough, again", content="<p>The starter survived the holidays.</p>",
        date=_t("01-12", 17), on_topic=False, tags=("baking",), categories=("Kitchen",),
    ),
)
