"""Speed check for normalize_thread: a synthetic 2,000-comment thread, timed.

`python -m bench.normalize_speed [--comments N]` prints the time; `make eval` prints it too.
The thread is shaped like a busy political blog's: a third of the comments open with one
or two @-replies (half of them linked to #comment-N), one in ten quotes the post or an
earlier comment, some mention someone mid-text, a quarter are nested replies.
"""

from __future__ import annotations

import argparse
import html
import random
import time
from datetime import UTC, datetime, timedelta

from crawler.normalize.authors import author_key
from crawler.normalize.thread import normalize_thread
from storage.records import CommentRecord, PostRecord, ThreadSnapshot

__all__ = ["measure", "synthetic_thread"]

_WORDS = ["deportation", "flight", "detention", "CECOT", "Bukele", "Salvador", "prison", "Guantanamo", "court", "judge", "habeas", "policy", "administration", "migrants", "removal", "order", "appeal", "hearing", "evidence", "due", "process", "the", "a", "of", "to", "and", "in", "that", "is", "was", "for", "on", "with", "as", "it", "this", "by", "not", "be", "are", "from", "at", "or", "an", "argument", "point", "fact", "record", "statute", "treaty", "congress", "senate", "agency", "contract", "budget"]
_FIRST = ["Ana", "John", "Marcus", "Zoë", "Paul", "Dana", "Hank", "Sofía", "Rafael", "Mike",
          "Ellen", "Tom", "Lena", "Omar", "Greta", "Ike", "Nadia", "Victor", "Wen", "Yusuf"]
_LAST = ["Ruiz", "Smith", "Webb", "Clarke", "K.", "Hill", "Pérez", "Alvarez", "Lee", "Tomlin"]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."


def synthetic_thread(n: int = 2000, seed: int = 11) -> ThreadSnapshot:
    """A deterministic thread of `n` comments by ~200 people."""
    rng = random.Random(seed)
    people = [f"{f} {last}" for f in _FIRST for last in _LAST]
    t0 = datetime(2025, 3, 16, tzinfo=UTC)
    post_body = "\n\n".join(_sentence(rng, 30) for _ in range(8))
    post = PostRecord(
        external_id="1", url="https://blog.example/p/", title="Flights", author_raw="Marcy Wheeler",
        author_key=author_key("Marcy Wheeler"), body_text=post_body,
        body_html="".join(f"<p>{p}</p>" for p in post_body.split("\n\n")),
    )
    comments: list[CommentRecord] = []
    texts: list[str] = []
    for i in range(n):
        cid = str(1000 + i)
        author = rng.choice(people)
        paras = [_sentence(rng, rng.randint(8, 40)) for _ in range(rng.randint(1, 3))]
        html_paras = [html.escape(p) for p in paras]
        text_paras = list(paras)
        if comments and rng.random() < 0.33:
            for _ in range(rng.randint(1, 2)):
                j = rng.randrange(len(comments))
                name = comments[j].author_raw
                if rng.random() < 0.5:
                    lead = f'<a href="#comment-{comments[j].external_id}">@{html.escape(name)}</a>: '
                else:
                    lead = f"@{html.escape(name)}: "
                html_paras[0] = lead + html_paras[0]
                text_paras[0] = f"@{name}: " + text_paras[0]
        if comments and rng.random() < 0.1:
            name = rng.choice(comments).author_raw
            html_paras[-1] += f" As @{html.escape(name)} said."
            text_paras[-1] += f" As @{name} said."
        body_html = "".join(f"<p>{p}</p>" for p in html_paras)
        if rng.random() < 0.1:
            source = post_body if rng.random() < 0.5 or not texts else rng.choice(texts)
            words = source.split()
            k = rng.randrange(max(1, len(words) - 12))
            quoted = " ".join(words[k : k + 12])
            body_html = f"<blockquote><p>{html.escape(quoted)}</p></blockquote>" + body_html
            text_paras.insert(0, quoted)
        parent = comments[rng.randrange(len(comments))].external_id if comments and rng.random() < 0.25 else None
        body_text = "\n\n".join(text_paras)
        texts.append(body_text)
        comments.append(
            CommentRecord(
                external_id=cid, author_raw=author, author_key=author_key(author),
                published_at=t0 + timedelta(minutes=i), threaded_parent_external_id=parent,
                body_html=body_html, body_text=body_text, own_text=body_text, position=i,
            )
        )
    return ThreadSnapshot(source_key="bench", post=post, comments=tuple(comments), complete=True,
                          fetched_at=t0 + timedelta(days=2))


def measure(n: int = 2000, repeat: int = 5) -> str:
    """One line: best and median wall time, and best CPU time, to normalize an n-comment thread.

    CPU time is printed too because wall time swings with whatever else the machine runs.
    """
    thread = synthetic_thread(n)
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = normalize_thread(thread)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    times.sort()
    cpu.sort()
    edges = sum(1 for c in out.comments for r in c.replies if r.kind != "threaded")
    quotes = sum(len(c.quotes) for c in out.comments)
    return (
        f"speed         {n} comments normalized in {times[0] * 1000:.0f} ms best, "
        f"{times[len(times) // 2] * 1000:.0f} ms median of {repeat}, "
        f"{cpu[0] * 1000:.0f} ms CPU best "
        f"({edges} @-edges, {quotes} quotes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=2000)
    args = parser.parse_args()
    print(measure(args.comments))


if __name__ == "__main__":
    main()
