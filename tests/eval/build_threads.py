"""Write the generated evaluation threads (tests/eval/threads/gen_*.thread) from templates.

Every comment is composed from hand-written sentences, and every @-reply, mention and
quote in it is chosen first as an intent ("answer Ana's latest comment, plain text, upper
case"; "quote the post, elided"). The label lines are that intent, written down as the
comment is written, by the rules in docs/conversation.md; nothing here calls the
normalizer. Deterministic: `python -m tests.eval.build_threads` rewrites the same files.
"""

from __future__ import annotations

import html
import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

OUT = Path(__file__).resolve().parent / "threads"

# person -> display spellings (first is the usual one). Variants differ in case, spacing,
# Unicode normalization form, width and invisible characters, as real comment forms do.
# Spellings that differ otherwise ("Earl of Huntingdon") belong to one person only through
# a thread's configured aliases.
PEOPLE: dict[str, list[str]] = {
    "ana": ["Ana Ruiz", "ana ruiz", "Ana  Ruiz", "ANA RUIZ"],
    "zoe": ["Zoë Clarke", "Zoe\u0308 Clarke", "zoë clarke", "Zoë\u00a0Clarke"],
    "sofia": ["Sofía Pérez", "Sofi\u0301a Pe\u0301rez", "sofía pérez"],
    "john": ["JohnD", "johnd", "JohnD "],
    "paul": ["Paul K.", "Paul  K.", "paul k."],
    "ralvarez": ["R. Alvarez", "r. alvarez"],
    "mwebb": ["Marcus Webb", "marcus webb"],
    "mlee": ["Marcus Lee"],
    "mike": ["ModerateMike", "moderatemike"],
    "ellen": ["Ellen", "ellen", "ELLEN"],
    "tom": ["Tom Tomlin", "tom tomlin"],
    "hank": ["Hank Hill"],
    "dana": ["Dana", "\uff24\uff41\uff4e\uff41"],
    "earl": ["earlofhuntingdon", "EarlOfHuntingdon"],  # "Earl of Huntingdon" only via aliases
    "jose": ["José Martínez", "Jose\u0301 Marti\u0301nez", "JOSÉ MARTÍNEZ"],
    "lena": ["Lena Schmidt", "Lena\u200b Schmidt"],
    "chrisw": ["Chris W.", "chris w."],
    "chrisb": ["Chris Brown"],
    "nadia": ["Nadia Haddad", "nadia haddad"],
    "wen": ["Wen Li", "wen li", "WEN LI"],
    "greta": ["Greta", "greta"],
    "pete": ["Pete", "\uff30\uff45\uff54\uff45"],
    "rayne": ["Rayne", "rayne"],
    "bmaz": ["bmaz", "BMAZ"],
    "adam": ["Adam Isacson", "adam isacson"],
}
# The first word a commenter may use alone ("@Ana"); people with one-word names have none.
FIRST_WORD = {
    "ana": "Ana", "zoe": "Zoë", "sofia": "Sofía", "paul": "Paul", "mwebb": "Marcus",
    "mlee": "Marcus", "tom": "Tom", "hank": "Hank", "jose": "José", "lena": "Lena",
    "chrisw": "Chris", "chrisb": "Chris", "nadia": "Nadia", "wen": "Wen", "adam": "Adam",
    "earl": "Earl",
}
# Names that appear after '@' but belong to nobody in any thread.
STRANGERS = ["Nobody Here", "Jim Acosta", "Lisa Monaco", "Pam Bondi", "Stephen Miller"]
HANDLES = ["realDonaldTrump", "DHSgov", "ICEgov", "nayibbukele", "everyone", "SCOTUS"]


def key(name: str) -> str:
    """The evaluation's own notion of one person's name: what a careful reader treats as equal.

    Written separately from crawler.normalize.authors on purpose: NFKC, invisible
    characters out, whitespace collapsed, casefolded.
    """
    name = unicodedata.normalize("NFKC", name).replace("\u200b", "")
    return " ".join(name.split()).casefold()


@dataclass
class Topic:
    slug: str
    post_id: int
    post_author: str  # person
    aliases: list[list[str]]
    body: list[str]  # paragraphs
    post_sentences: list[str]  # quotable passages, verbatim from body
    subjects: list[str]
    predicates: list[str]
    externals: list[tuple[str, str]]  # (text, url)
    cast: list[str]
    n: int
    first_id: int
    seed: int


@dataclass
class Comment:
    cid: int
    person: str
    author: str
    minute: int
    parent: int | None
    sentences: list[str]
    html: str = ""
    replies: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)


class Writer:
    """Writes one thread, keeping what a reader knows: who wrote what, and when."""

    def __init__(self, topic: Topic) -> None:
        self.t = topic
        self.rng = random.Random(topic.seed)
        self.comments: list[Comment] = []
        self.latest: dict[str, Comment] = {}
        self.used: set[tuple[int, int]] = set()
        self.cid = topic.first_id

    # -- sentences -------------------------------------------------------------------
    def sentence(self) -> str:
        for _ in range(200):
            i = self.rng.randrange(len(self.t.subjects))
            j = self.rng.randrange(len(self.t.predicates))
            if (i, j) not in self.used:
                self.used.add((i, j))
                return f"{self.t.subjects[i]} {self.t.predicates[j]}."
        raise RuntimeError("sentence pool exhausted")

    # -- names -----------------------------------------------------------------------
    def known(self) -> set[str]:
        return set(self.latest) | {self.t.post_author}

    def spellings(self, person: str) -> list[str]:
        names = list(PEOPLE[person])
        for group in self.t.aliases:
            if any(key(g) == key(PEOPLE[person][0]) for g in group):
                names += [g for g in group if g not in names]
        return names

    def prefix_unique(self, person: str) -> bool:
        first = key(FIRST_WORD[person])
        owners = {
            p for p in self.known() for s in self.spellings(p) if key(s).startswith(first + " ")
        }
        return owners == {person}

    def by_name(self, person: str, parent: Comment | None) -> str:
        """The label for a plain-text name of `person` (documented resolution order)."""
        if parent is not None and parent.person == person:
            return f"comment:{parent.cid}"
        if person in self.latest:
            return f"comment:{self.latest[person].cid}"
        if person == self.t.post_author:
            return "post"
        raise AssertionError("only known people are named")

    def at(self, person: str, parent: Comment | None, leading: bool) -> tuple[str, str]:
        """(html, label target) for one @-name of `person`, in a randomly chosen style."""
        rng = self.rng
        style = rng.choices(
            ["link", "link_abs", "at_outside", "plain", "variant", "prefix"],
            [3, 1, 1, 4, 3, 2] if leading else [2, 0, 0, 4, 2, 1],
        )[0]
        spelled = rng.choice(self.spellings(person))
        shown = html.escape(" ".join(spelled.split()) if rng.random() < 0.7 else spelled)
        if style in ("link", "link_abs", "at_outside") and person in self.latest:
            mine = [c for c in self.comments if c.person == person]
            target = rng.choice(mine[-3:])
            href = f"#comment-{target.cid}"
            if style == "link_abs":
                href = f"https://blog.example/2025/04/{self.t.slug}/{href}"
            if style == "at_outside":
                return f'@<a href="{href}">{shown}</a>', f"comment:{target.cid}"
            return f'<a href="{href}">@{shown}</a>', f"comment:{target.cid}"
        if style == "variant":
            shown = html.escape(rng.choice([spelled.upper(), spelled.lower(), spelled]))
        if style == "prefix" and person in FIRST_WORD:
            first = FIRST_WORD[person]
            if parent is not None and parent.person == person:
                return f"@{html.escape(first)}", f"comment:{parent.cid}"
            if self.prefix_unique(person):
                return f"@{html.escape(first)}", self.by_name(person, parent)
            return f"@{html.escape(first)}", f"unresolved:{first}"
        return f"@{shown}", self.by_name(person, parent)

    # -- one comment -------------------------------------------------------------------
    def write(self) -> Comment:
        rng, t = self.rng, self.t
        self.cid += rng.choice([1, 1, 2, 3])
        person = rng.choice(t.cast)
        c = Comment(self.cid, person, rng.choice(self.spellings(person)), len(self.comments) + 1,
                    None,
                    [self.sentence() for _ in range(rng.choice([1, 2, 2, 3]))])
        others = sorted(p for p in self.known() if p != person)  # sets iterate by hash seed
        parent: Comment | None = None
        if self.comments and rng.random() < 0.2:
            parent = rng.choice(self.comments[-12:])
            c.parent = parent.cid
        lead_html: list[str] = []
        targets: list[str] = []
        roll = rng.random()
        if parent is not None and roll < 0.5:
            h, label = self.at(parent.person, parent, leading=True)
            lead_html.append(h)
            targets.append(label)
        elif roll < 0.45 and others:
            count = rng.choices([1, 2, 3], [8, 3, 1])[0]
            people = rng.sample(others, min(count, len(others)))
            for p in people:
                h, label = self.at(p, parent, leading=True)
                if label in targets:
                    continue
                lead_html.append(h)
                targets.append(label)
        elif roll < 0.5:
            stranger = rng.choice(STRANGERS)
            lead_html.append(f"@{stranger}")
            targets.append(f"unresolved:{stranger}")
        elif roll < 0.53 and self.comments:
            old = rng.randrange(t.first_id - 900, t.first_id - 10)
            lead_html.append(f'<a href="https://blog.example/2025/03/older/#comment-{old}">@'
                             f'{html.escape(PEOPLE[rng.choice(t.cast)][0])}</a>')
            targets.append(f"comment:{old}")
        c.replies += [f"at_reply {x}" for x in targets]
        paras = [html.escape(s) for s in c.sentences]
        if lead_html:
            joiner = rng.choice([": ", ", ", ": ", " "])
            sep = rng.choice([" ", ": ", ", ", " and ", " &amp; "]) if len(lead_html) > 1 else ""
            if len(lead_html) > 2 or sep == "":
                sep = rng.choice([": ", ", ", " "])
            if joiner == " " and any(x.startswith("unresolved:") for x in targets):
                joiner = ": "
            lead = sep.join(lead_html) + joiner
            paras[0] = lead + paras[0]
        # Not replies: a name without '@', an e-mail address, a handle in a URL, "@ 5pm".
        if rng.random() < 0.1 and others and not lead_html:
            p = rng.choice(others)
            paras[0] = f"{html.escape(PEOPLE[p][0])}, I agree. " + paras[0]
        if rng.random() < 0.05:
            paras[-1] += rng.choice([
                " Write to tips@blog.example if you have the manifest.",
                " The clinic posts at x.com/@clinicdocket every evening.",
                " The hearing is @ 5pm, if anyone can go.",
            ])
        mentioned: list[str] = []
        if rng.random() < 0.15:
            if others and rng.random() < 0.75:
                p = rng.choice(others)
                h, label = self.at(p, parent, leading=False)
            else:
                handle = rng.choice(HANDLES)
                h, label = f"@{handle}", f"unresolved:{handle}"
            mentioned.append(label)
            where = rng.randrange(len(paras))
            paras[where] += rng.choice([
                f" As {h} said, that matters.",
                f" I think {h} made the same point.",
                f" (Hat tip to {h}.)",
                f" {h}’s link shows it.",
            ])
        c.replies += [f"mention {x}" for x in dict.fromkeys(mentioned)]
        blocks = [f"<p>{p}</p>" for p in paras]
        if rng.random() < 0.3:
            self.add_quotes(c, blocks, targets)
        c.html = "\n".join(blocks)
        self.comments.append(c)
        self.latest[person] = c
        return c

    def add_quotes(self, c: Comment, blocks: list[str], targets: list[str]) -> None:
        rng = self.rng
        for _ in range(rng.choices([1, 2], [5, 1])[0]):
            kind = rng.choices(["post", "target", "earlier", "external"], [4, 3, 2, 3])[0]
            reply_targets = [x for x in targets if x.startswith("comment:")]
            in_thread = {f"comment:{k.cid}": k for k in self.comments}
            if kind == "target" and reply_targets and reply_targets[0] in in_thread:
                source = in_thread[reply_targets[0]]
                text, label = rng.choice(source.sentences), f"comment:{source.cid}"
                keep_start = True
            elif kind == "earlier" and self.comments and not targets and c.parent is None:
                source = rng.choice(self.comments)
                text, label = rng.choice(source.sentences), f"comment:{source.cid}"
                keep_start = True
            elif kind == "external":
                text, url = rng.choice(self.t.externals)
                style = rng.choice(["cite", "inside", "before", "none"])
                quoted = self.alter(text)
                if style == "cite":
                    blocks.append(f'<blockquote cite="{url}"><p>{html.escape(quoted)}</p></blockquote>')
                elif style == "inside":
                    blocks.append(f"<blockquote><p>{html.escape(quoted)}</p><p>— <a href=\"{url}\">"
                                  "source</a></p></blockquote>")
                elif style == "before":
                    blocks.append(f'<p>From <a href="{url}">the record</a>:</p>')
                    blocks.append(f"<blockquote><p>{html.escape(quoted)}</p></blockquote>")
                else:
                    blocks.append(f"<blockquote><p>{html.escape(quoted)}</p></blockquote>")
                c.quotes.append(f"external {url if style != 'none' else '-'}")
                continue
            else:
                text, label = rng.choice(self.t.post_sentences), "post"
                keep_start = False
            # A comment sentence shares its predicate with others in the thread; cut its
            # subject off and the passage could be anyone's, so comment quotes keep it.
            quote = f"<blockquote><p>{html.escape(self.alter(text, keep_start))}</p></blockquote>"
            # Quotes go first (answering them) or last (citing them).
            if rng.random() < 0.6:
                blocks.insert(0, quote)
                c.quotes.insert(0, label)
            else:
                blocks.append(quote)
                c.quotes.append(label)

    def alter(self, text: str, keep_start: bool = False) -> str:
        """What quoters do to a passage: trim it, elide the middle, retype its punctuation."""
        rng = self.rng
        words = text.rstrip(".").split()
        how = rng.choice(["exact", "trim", "elide", "retype", "lower", "dots"])
        if how == "trim" and len(words) > 9:
            start = 0 if keep_start else rng.randint(1, 2)
            words = words[start : len(words) - rng.randint(0, 2)]
        elif how in ("elide", "dots") and len(words) > 12:
            a = rng.randint(4, len(words) // 2 - 1)
            b = a + rng.randint(2, 4)
            mark = "[…]" if how == "elide" else "..."
            words = [*words[:a], mark, *words[b:]]
        out = " ".join(words)
        if how == "retype":
            out = (out.replace("’", "'").replace("“", '"').replace("”", '"')
                   .replace(" — ", " -- "))
        if how == "lower":
            out = out[0].lower() + out[1:]
        return out

    # -- the file ----------------------------------------------------------------------
    def render(self) -> str:
        t = self.t
        lines = [f"== post {t.post_id}", f"author: {PEOPLE[t.post_author][0]}",
                 f"who: {t.post_author}"]
        lines += [f"aliases: {' | '.join(g)}" for g in t.aliases]
        lines += ["body:", "\n\n".join(t.body), ""]
        children: dict[int | None, list[Comment]] = {}
        for c in self.comments:
            children.setdefault(c.parent, []).append(c)

        def emit(c: Comment) -> None:
            lines.append(f"== comment {c.cid}")
            lines.append(f"author: {c.author}")
            lines.append(f"who: {c.person}")
            if c.parent is not None:
                lines.append(f"parent: {c.parent}")
            lines.append(f"minute: {c.minute}")
            lines.extend(f"reply: {r}" for r in c.replies)
            lines.extend(f"quote: {q}" for q in c.quotes)
            lines.extend(["html:", c.html, ""])
            for child in children.get(c.cid, []):
                emit(child)

        for c in children.get(None, []):
            emit(c)
        return "\n".join(lines)


def build(topic: Topic) -> str:
    w = Writer(topic)
    for _ in range(topic.n):
        w.write()
    return w.render()


def main() -> None:
    from tests.eval.topics import TOPICS

    for topic in TOPICS:
        path = OUT / f"gen_{topic.slug}.thread"
        path.write_text(build(topic), encoding="utf-8")
        print(path, topic.n)


if __name__ == "__main__":
    main()
