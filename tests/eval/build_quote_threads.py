"""Write the generated quote threads (tests/eval/threads/gen_quotes_*.thread): the hard cases of issue 17.

Long threads quote in ways the first generated threads do not: a quote of a comment that
itself quoted someone (nested blockquotes), a passage found in several comments, long
comments beside short outside quotes that share their words, quotes of a comment since
edited or deleted (its earlier version is an `== archived` record), and @-names written
with typography the author field does not have (`@Pat O’Brien:` for "Pat O'Brien",
`@Tom &amp; Jerry`). As in build_threads.py, every quote and @-reply is chosen first as an
intent and its label written with the comment, by the rules of docs/conversation.md;
nothing here calls the normalizer. Where a passage must belong to one comment only, the
writer checks its own record of what was said (`Writer.holders`). Deterministic:
`python -m tests.eval.build_quote_threads` rewrites the same files.
"""

from __future__ import annotations

import html
import itertools
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

OUT = Path(__file__).resolve().parent / "threads"

# person -> (author field as the site gives it, the name as commenters type it after '@').
PEOPLE: dict[str, tuple[str, list[str]]] = {
    "pat": ("Pat O'Brien", ["Pat O\u2019Brien", "Pat O'Brien", "pat o\u2019brien"]),
    "tomj": ("Tom & Jerry", ["Tom &amp; Jerry", "Tom &amp;amp; Jerry", "tom &amp; jerry"]),
    "siobhan": ("Siobhán O\u2019Neill", ["Siobhán O'Neill", "Siobhán O\u2019Neill"]),
    "marykate": ("Mary-Kate Dunne", ["Mary\u2013Kate Dunne", "Mary-Kate Dunne", "Mary\u2011Kate Dunne"]),
    "dee": ("D\u2019Angelo Reyes", ["D'Angelo Reyes", "D\u2019Angelo Reyes"]),
    "ana": ("Ana Ruiz", ["Ana Ruiz"]),
    "ben": ("Ben Ortiz", ["Ben Ortiz"]),
    "cy": ("Cy Webb", ["Cy Webb"]),
    "eve": ("Eve Marsh", ["Eve Marsh"]),
    "flo": ("Flo Tran", ["Flo Tran"]),
}
OUTSIDE = [
    "https://court.example/opinion/2025/04/alien-enemies",
    "https://news.example/2025/04/22/flights",
    "https://www.justice.example/statement",
    "https://reports.example/cecot/2025",
]


def words(text: str) -> list[str]:
    """The evaluation's own word folding (written apart from crawler.normalize.text)."""
    return re.findall(r"\w+", unicodedata.normalize("NFKC", html.unescape(text)).casefold())


def contains(text: list[str], part: list[str]) -> bool:
    n = len(part)
    return any(text[i : i + n] == part for i in range(len(text) - n + 1))


@dataclass
class Topic:
    slug: str
    post_id: int
    first_id: int
    n: int
    seed: int
    body: list[str]
    subjects: list[str]
    predicates: list[str]


@dataclass
class Comment:
    cid: int
    person: str
    minute: int
    paras: list[str] = field(default_factory=list)  # HTML of each block, in order
    said: list[str] = field(default_factory=list)  # its own words (what others may quote)
    replies: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    own: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Archived:
    cid: int
    person: str
    minute: int
    said: list[str]


class Writer:
    """Writes one thread, keeping what a reader knows: who said what, and when."""

    def __init__(self, topic: Topic) -> None:
        self.t = topic
        self.rng = random.Random(topic.seed)
        self.comments: list[Comment] = []
        self.archived: list[Archived] = []
        self.latest: dict[str, Comment] = {}
        self.used: set[tuple[int, int]] = set()
        self.cid = topic.first_id
        self.minute = 0

    def sentence(self) -> str:
        for _ in range(500):
            i = self.rng.randrange(len(self.t.subjects))
            j = self.rng.randrange(len(self.t.predicates))
            if (i, j) not in self.used:
                self.used.add((i, j))
                return f"{self.t.subjects[i]} {self.t.predicates[j]}."
        raise RuntimeError("sentence pool exhausted")

    # -- what was said --------------------------------------------------------------
    def texts(self) -> list[tuple[str, list[str]]]:
        """(source label, words) of every source so far: the post, comments, archived versions."""
        out = [("post", words(" ".join(self.t.body)))]
        out += [(f"comment:{a.cid}", words(" ".join(a.said))) for a in self.archived]
        out += [(f"comment:{c.cid}", words(" ".join(c.said))) for c in self.comments]
        return out

    def holders(self, passage: str) -> set[str]:
        part = words(passage)
        return {label for label, text in self.texts() if contains(text, part)}

    def span(self, sentence: str, lo: int = 6) -> str:
        """A run of `lo` or more whole words of `sentence`, without its final stop."""
        ws = sentence.rstrip(".").split()
        n = self.rng.randint(min(lo, len(ws)), len(ws))
        start = self.rng.randint(0, len(ws) - n)
        return " ".join(ws[start : start + n])

    # -- comments -------------------------------------------------------------------
    def new(self, person: str) -> Comment:
        self.cid += self.rng.choice([1, 2, 3])
        self.minute += 1
        return Comment(self.cid, person, self.minute)

    def commit(self, c: Comment) -> Comment:
        self.comments.append(c)
        self.latest[c.person] = c
        return c

    def own_para(self, c: Comment, k: int = 1) -> str:
        text = " ".join(self.sentence() for _ in range(k))
        c.said.append(text)
        c.paras.append(f"<p>{html.escape(text, quote=False)}</p>")
        return text

    def answer(self, c: Comment, target: Comment, text: str) -> None:
        """Open `c` with an at-reply to `target` by its author's usual name."""
        name = PEOPLE[target.person][1][0]
        c.paras.append(f"<p>@{name}: {text}</p>")
        c.said.append(f"{html.unescape(name)}: {text}")
        c.replies.append(f"at_reply comment:{target.cid}")

    def quote(self, c: Comment, passage: str, source: Comment) -> None:
        c.paras.append(f"<blockquote><p>{html.escape(passage, quote=False)}</p></blockquote>")
        c.quotes.append(f"comment:{source.cid}")

    def someone(self, *, but: str | None = None) -> str:
        return self.rng.choice([p for p in PEOPLE if p != but])

    def earlier(self, *, but: str | None = None) -> Comment:
        pool = [c for c in self.comments if c.person != but and c.said]
        return self.rng.choice(pool[-40:])

    def unique_span(self, source: Comment) -> str | None:
        for _ in range(20):
            passage = self.span(self.rng.choice(source.said).split(". ")[0])
            if self.holders(passage) == {f"comment:{source.cid}"}:
                return passage
        return None

    def plain(self) -> None:
        c = self.new(self.someone())
        self.own_para(c, self.rng.choice([1, 2]))
        self.commit(c)

    def typographic_reply(self) -> None:
        """An at-reply to a person whose name the text spells with other typography."""
        target_person = self.rng.choice(["pat", "tomj", "siobhan", "marykate", "dee"])
        if target_person not in self.latest:
            c = self.new(target_person)
            self.own_para(c)
            self.commit(c)
            return
        c = self.new(self.someone(but=target_person))
        written = self.rng.choice(PEOPLE[target_person][1])
        sep = self.rng.choice([":", ",", ""])
        text = self.sentence()
        c.said.append(f"{html.unescape(written)}{sep} {text}")
        c.paras.append(f"<p>@{written}{sep} {html.escape(text, quote=False)}</p>")
        c.replies.append(f"at_reply comment:{self.latest[target_person].cid}")
        c.own = text
        self.commit(c)

    def quote_one(self, *, reply: bool) -> None:
        """Quote an earlier comment's passage that it alone holds."""
        source = self.earlier()
        passage = self.unique_span(source)
        if passage is None:
            return self.plain()
        c = self.new(self.someone(but=source.person))
        if reply:
            c.paras.append(f"<p>@{PEOPLE[source.person][1][0]}: right.</p>")
            c.said.append(f"{html.unescape(PEOPLE[source.person][1][0])}: right.")
            c.replies.append(f"at_reply comment:{self.latest[source.person].cid}")
            if self.latest[source.person] is not source and self.holders(passage) & {
                f"comment:{self.latest[source.person].cid}"
            }:
                return self.plain()
        c.paras.append(f"<blockquote><p>{html.escape(passage, quote=False)}</p></blockquote>")
        c.quotes.append(f"comment:{source.cid}")
        self.own_para(c)
        self.commit(c)

    def nested(self) -> None:
        """X quoted Y; now Z quotes X with Y's quote inside: outer X, inner Y."""
        y = self.earlier()
        inner = self.unique_span(y)
        if inner is None:
            return self.plain()
        x = self.new(self.someone(but=y.person))
        x.paras.append(f"<blockquote><p>{html.escape(inner, quote=False)}</p></blockquote>")
        x.quotes.append(f"comment:{y.cid}")
        xs = self.own_para(x)
        self.commit(x)
        outer = self.span(xs.split(". ")[0])
        if self.holders(outer) != {f"comment:{x.cid}"}:
            return
        z = self.new(self.someone(but=x.person))
        z.paras.append(
            f"<blockquote><blockquote><p>{html.escape(inner, quote=False)}</p></blockquote>"
            f"<p>{html.escape(outer, quote=False)}</p></blockquote>"
        )
        z.quotes += [f"comment:{x.cid}", f"comment:{y.cid}"]
        self.own_para(z)
        self.commit(z)

    def shared_passage(self) -> None:
        """A writes S; B repeats S and adds to it; quotes of S+more, of S answering A, of S."""
        a = self.new(self.someone())
        s = self.own_para(a)
        self.commit(a)
        b = self.new(self.someone(but=a.person))
        more = self.sentence()
        b.said.append(f"{s} {more}")
        b.paras.append(f"<p>{html.escape(s, quote=False)} {html.escape(more, quote=False)}</p>")
        self.commit(b)
        both = s.rstrip(".") + ". " + more.rstrip(".")
        # C answers A but quotes more than A wrote: only B holds all of it. Nobody else
        # writes as A here, so "@A" is A's comment.
        c = self.new(self.rng.choice([p for p in PEOPLE if p not in (a.person, b.person)]))
        self.answer(c, a, "see below.")
        self.quote(c, both, b)
        self.commit(c)
        # D answers A and quotes what A and B both hold: A, the one answered.
        d = self.new(self.someone(but=a.person))
        self.answer(d, a, "yes.")
        self.quote(d, s.rstrip("."), a)
        self.commit(d)
        # E answers nobody: the nearest earlier comment that holds it, B.
        e = self.new(self.someone(but=b.person))
        self.quote(e, s.rstrip("."), b)
        self.own_para(e)
        self.commit(e)

    def long_and_outside(self) -> None:
        """A long comment, then quotes that share its words without being in it."""
        long = self.new(self.someone())
        for _ in range(6):
            self.own_para(long, 3)
        self.commit(long)
        sentences = [x for para in long.said for x in para.rstrip(".").split(". ")]
        for first, second in itertools.pairwise(sentences):
            a, b = first.split(), second.split()
            mix = " ".join(a[: len(a) // 2 + 1] + b[len(b) // 2 :])
            if not self.holders(mix):
                break
        else:
            return
        c = self.new(self.someone(but=long.person))
        cite = self.rng.choice([None, *OUTSIDE])
        attr = f' cite="{cite}"' if cite else ""
        c.paras.append(f"<blockquote{attr}><p>{html.escape(mix, quote=False)}</p></blockquote>")
        c.quotes.append(f"external {cite or '-'}")
        c.notes.append("the quote shares the long comment's words, in an order it does not hold")
        self.own_para(c)
        self.commit(c)
        # A short outside quote: a comment's last words, one of them changed.
        tail = long.said[-1].rstrip(".").split()[-3:]
        short = " ".join(tail[:-1] + [tail[-1] + "s"])
        d = self.new(self.someone(but=long.person))
        d.paras.append(f"<blockquote><p>{html.escape(short, quote=False)}</p></blockquote>")
        d.quotes.append("external -")
        self.own_para(d)
        self.commit(d)

    def across_time(self) -> None:
        """A comment edited or deleted since: its earlier words are an archived version."""
        src = self.new(self.someone())
        old = self.sentence()
        self.commit(src)
        self.archived.append(Archived(src.cid, src.person, src.minute, [old]))
        deleted = self.rng.random() < 0.5
        if deleted:  # gone from the thread: only the archive has it
            self.comments.remove(src)
            del self.latest[src.person]
            others = [c for c in self.comments if c.person == src.person]
            if others:
                self.latest[src.person] = others[-1]
        else:  # edited: the passage is gone from the current text
            self.own_para(src)
        for _ in range(20):
            passage = self.span(old, lo=4)
            if self.holders(passage) == {f"comment:{src.cid}"}:
                break
        else:
            return
        q = self.new(self.someone(but=src.person))
        q.paras.append(f"<blockquote><p>{html.escape(passage, quote=False)}</p></blockquote>")
        q.quotes.append(f"comment:{src.cid}")
        q.notes.append(f"quotes comment {src.cid} as it was ({'deleted' if deleted else 'edited'} since)")
        self.own_para(q)
        self.commit(q)

    def write(self) -> None:
        kinds = [self.plain, self.typographic_reply, self.typographic_reply, self.typographic_reply,
                 lambda: self.quote_one(reply=False), lambda: self.quote_one(reply=True),
                 self.nested, self.nested, self.shared_passage, self.long_and_outside,
                 self.across_time, self.across_time]  # fmt: skip
        if len(self.comments) < 6:
            return self.plain()
        self.rng.choice(kinds)()

    def render(self) -> str:
        t = self.t
        lines = [f"== post {t.post_id}", "author: Adam Isacson", "who: adam", "body:",
                 "\n\n".join(t.body), ""]  # fmt: skip
        for a in self.archived:
            lines += [f"== archived {a.cid}", f"minute: {a.minute}", "html:",
                      "".join(f"<p>{html.escape(s, quote=False)}</p>" for s in a.said), ""]  # fmt: skip
        for c in self.comments:
            lines += [f"== comment {c.cid}", f"author: {PEOPLE[c.person][0]}", f"who: {c.person}",
                      f"minute: {c.minute}"]  # fmt: skip
            lines += [f"note: {n}" for n in c.notes]
            lines += [f"reply: {r}" for r in c.replies]
            lines += [f"quote: {q}" for q in c.quotes]
            if c.own is not None:
                lines.append(f"own: {c.own}")
            lines += ["html:", "\n".join(c.paras), ""]
        return "\n".join(lines)


def build(topic: Topic) -> str:
    w = Writer(topic)
    while len(w.comments) < topic.n:
        w.write()
    return w.render()


TOPICS = [
    Topic(
        slug="quotes_flights",
        post_id=7101,
        first_id=71000,
        n=120,
        seed=1701,
        body=[
            ("Three planes left Harlingen on Saturday evening while the hearing was still under way, "
             "and the government later told the court that an oral order from the bench did not count."),
            ("The men on board were sent to a prison in Tecoluca that nobody from the United States "
             "is allowed to visit, and their lawyers learned where they were from the news."),
        ],
        subjects=[
            "The clerk of the district court", "A paralegal from Brownsville", "The airline's charter desk",
            "My cousin in San Antonio", "The deputy solicitor general", "Every public defender I know",
            "The flight tracker hobbyist", "An ICE field office spokesman", "The chief judge's chambers",
            "A retired immigration judge", "The Venezuelan consulate", "The ACLU's lead counsel",
            "A reporter at the tarmac fence", "The Texas congressman's staff", "Half the county commission",
            "A former Border Patrol agent", "The mother of one of the men", "The appeals court panel",
            "A volunteer interpreter", "The prison's press liaison",
        ],
        predicates=[
            "kept the manifest in a locked drawer until Monday", "counted forty seven men on the second plane",
            "never received the written order in time", "filed an emergency motion at seven in the evening",
            "asked why the planes were refuelled in Honduras", "called the whole night a paperwork failure",
            "said the tattoo checklist came from a training slide", "waited six hours for a callback",
            "read the proclamation aloud to the room", "could not find a single criminal conviction",
            "wrote down every tail number on a napkin", "described the hearing as a race against takeoff",
            "had no list of names to give the families", "blamed the timing on the weather over the Gulf",
            "posted the judge's minute order at midnight", "compared the flights to the 1950s raids",
            "quietly deleted the press release the next day", "insisted the men were already over international waters",
            "put the number of deportees at two hundred and thirty eight", "heard the order announced on a livestream",
        ],
    ),
    Topic(
        slug="quotes_tents",
        post_id=7202,
        first_id=72000,
        n=120,
        seed=1702,
        body=[
            ("The tents at the naval station were put up in four days, and the contract for the "
             "generators was signed before anyone had been told who would sleep in them."),
            ("Lawyers who flew to the base were turned back at the gate, and the Pentagon says "
             "visits will be scheduled once the population is stable."),
        ],
        subjects=[
            "The base commander", "A contractor from Norfolk", "The JAG officer on duty",
            "My neighbour who served there", "The Pentagon press secretary", "Every habeas lawyer in Miami",
            "The Red Cross delegation", "A Coast Guard petty officer", "The generator supplier",
            "An attorney from Human Rights First", "The Cuban foreign ministry", "The senator from Illinois",
            "A photographer on the ferry", "The camp's medical staff", "Two members of the oversight committee",
            "A former detainee from 2004", "The sister of a Honduran man", "The district judge in Washington",
            "A chaplain at the station", "The logistics command",
        ],
        predicates=[
            "counted thirty cots in each tent", "was told the visit list was still being drafted",
            "signed the generator contract on a Sunday", "asked for the names of everyone held there",
            "said the air conditioning failed the first night", "called the tents a temporary measure",
            "flew back to Miami without seeing a single client", "filed a request under the Freedom of Information Act",
            "saw the fence go up from the water", "could not say how long the men would stay",
            "described the ferry schedule as classified", "kept a log of every plane that landed",
            "had no interpreter for the Venezuelan detainees", "blamed the delay on hurricane season",
            "published a satellite image of the camp", "compared the site to the camps of the 1990s",
            "refused to confirm the number of detainees", "insisted the base was not American soil",
            "put the cost at eleven million dollars a month", "heard about the transfer from a local radio station",
        ],
    ),
]


def main() -> None:
    for topic in TOPICS:
        path = OUT / f"gen_{topic.slug}.thread"
        path.write_text(build(topic), encoding="utf-8")
        print(path, topic.n)


if __name__ == "__main__":
    main()
