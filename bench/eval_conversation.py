"""Conversation evaluation: score normalize_thread against the hand-labelled threads in tests/eval/.

Run `make eval` (or `python -m bench.eval_conversation [-v]`). Prints reply-edge precision
and recall (at_reply and mention edges: comment, kind, target), quote attribution
accuracy, own-text accuracy (on the comments labelled with their own text), author-key
consistency, and the time to normalize a synthetic 2,000-comment thread. The thread files' format is described in tests/eval/README.md.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.normalize.authors import author_key
from crawler.normalize.thread import normalize_thread
from crawler.parsers.htmltext import inner_html, parse_fragment, visible_text
from storage.known import ArchivedText
from storage.records import CommentRecord, PostRecord, ThreadSnapshot

__all__ = ["EVAL_DIR", "EvalThread", "Scores", "load_all", "load_thread", "score"]

EVAL_DIR = Path(__file__).resolve().parent.parent / "tests" / "eval" / "threads"
_T0 = datetime(2025, 4, 22, 14, 0, tzinfo=UTC)
SCORED_KINDS = ("at_reply", "mention")


@dataclass
class EvalThread:
    """One labelled thread: the snapshot a parser would produce, and the hand labels."""

    name: str
    snapshot: ThreadSnapshot
    aliases: list[list[str]]
    who: dict[str, str]  # comment id (or "post") -> person
    replies: set[tuple[str, str, str, str]]  # (thread, comment, kind, target)
    quotes: dict[tuple[str, str, int], str]  # (thread, comment, ordinal) -> source label
    own: dict[tuple[str, str], str] = field(default_factory=dict)  # (thread, comment) -> own text
    archived: list[ArchivedText] = field(default_factory=list)  # earlier versions of comments


def _records(text: str) -> Iterable[tuple[str, str, dict[str, list[str]], str]]:
    """(kind, id, fields, html-or-body) for each `== kind id` record."""
    blocks = text.split("\n== ")
    blocks[0] = blocks[0].removeprefix("== ")
    for block in blocks:
        head, _, rest = block.partition("\n")
        kind, _, rid = head.strip().partition(" ")
        fields: dict[str, list[str]] = defaultdict(list)
        lines = rest.split("\n")
        content = ""
        for n, line in enumerate(lines):
            key, sep, value = line.partition(":")
            if key in ("html", "body") and sep and not value.strip():
                content = "\n".join(lines[n + 1 :]).strip()
                break
            if sep and line.strip():
                fields[key.strip()].append(value.strip())
        yield kind, rid.strip(), fields, content


def _target_label(raw: str) -> str:
    if raw.startswith("unresolved:"):
        return "unresolved:" + author_key(raw.removeprefix("unresolved:"))
    return raw


def load_thread(path: Path) -> EvalThread:
    """Read one .thread file into a parser-shaped snapshot plus its labels."""
    name = path.stem
    post: PostRecord | None = None
    aliases: list[list[str]] = []
    who: dict[str, str] = {}
    replies: set[tuple[str, str, str, str]] = set()
    quotes: dict[tuple[str, str, int], str] = {}
    comments: list[CommentRecord] = []
    own: dict[tuple[str, str], str] = {}
    archived: list[ArchivedText] = []
    for kind, rid, fields, content in _records(path.read_text(encoding="utf-8")):
        if kind == "archived":
            root = parse_fragment(content)
            minute = int(fields["minute"][0]) if "minute" in fields else int(rid) % 100
            archived.append(ArchivedText(
                external_id=rid, published_at=_T0 + timedelta(minutes=minute),
                body_html=inner_html(root), body_text=visible_text(root),
            ))  # fmt: skip
            continue
        if kind == "post":
            aliases = [[n.strip() for n in g.split("|")] for g in fields.get("aliases", [])]
            author = fields["author"][0]
            paras = [p.strip() for p in content.split("\n\n") if p.strip()]
            post = PostRecord(
                external_id=rid,
                url=f"https://blog.example/{name}/",
                title=name,
                author_raw=author,
                author_key=author_key(author),
                published_at=_T0,
                body_html="".join(f"<p>{p}</p>" for p in paras),
                body_text="\n\n".join(paras),
            )
            who["post"] = fields["who"][0]
            continue
        author = fields["author"][0]
        root = parse_fragment(content)
        minute = int(fields["minute"][0]) if "minute" in fields else int(rid) % 100
        parent = fields["parent"][0] if "parent" in fields else None
        body_text = visible_text(root)
        comments.append(
            CommentRecord(
                external_id=rid,
                author_raw=author,
                author_key=author_key(author),
                published_at=_T0 + timedelta(minutes=minute),
                threaded_parent_external_id=parent,
                body_html=inner_html(root),
                body_text=body_text,
                own_text=body_text,
                position=len(comments),
            )
        )
        who[rid] = fields["who"][0]
        for line in fields.get("reply", []):
            edge_kind, target = line.split(None, 1)
            replies.add((name, rid, edge_kind, _target_label(target.strip())))
        for n, line in enumerate(fields.get("quote", [])):
            quotes[(name, rid, n)] = " ".join(line.split())
        if "own" in fields:
            own[(name, rid)] = " ".join(fields["own"][0].split())
    if post is None:
        raise ValueError(f"{path}: no '== post' record")
    snap = ThreadSnapshot(
        source_key="eval",
        post=post,
        comments=tuple(comments),
        complete=True,
        fetched_at=_T0 + timedelta(days=1),
    )
    return EvalThread(name, snap, aliases, who, replies, quotes, own, archived)


def load_all(directory: Path = EVAL_DIR) -> list[EvalThread]:
    return [load_thread(p) for p in sorted(directory.glob("*.thread"))]


@dataclass
class Scores:
    comments: int = 0
    threads: int = 0
    expected_edges: int = 0
    predicted_edges: int = 0
    correct_edges: int = 0
    quotes: int = 0
    correct_quotes: int = 0
    persons: int = 0
    consistent_persons: int = 0
    owns: int = 0
    correct_owns: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct_edges / self.predicted_edges if self.predicted_edges else 1.0

    @property
    def recall(self) -> float:
        return self.correct_edges / self.expected_edges if self.expected_edges else 1.0

    @property
    def quote_accuracy(self) -> float:
        return self.correct_quotes / self.quotes if self.quotes else 1.0

    @property
    def own_accuracy(self) -> float:
        return self.correct_owns / self.owns if self.owns else 1.0

    @property
    def author_consistency(self) -> float:
        return self.consistent_persons / self.persons if self.persons else 1.0


def _predicted_label(kind: str | None, ident: str | None, raw: str | None) -> str:
    if kind == "post":
        return "post"
    if kind == "comment":
        return f"comment:{ident}"
    return "unresolved:" + author_key(raw or "")


def _quote_label(q: object) -> str:
    kind = q.source_kind  # type: ignore[attr-defined]
    if kind == "post":
        return "post"
    if kind == "comment":
        return f"comment:{q.source_external_id}"  # type: ignore[attr-defined]
    if kind == "external":
        return f"external {q.source_url or '-'}"  # type: ignore[attr-defined]
    return kind


def score(threads: list[EvalThread]) -> Scores:
    """Compare normalize_thread's output with the labels of every thread."""
    s = Scores()
    for t in threads:
        out = normalize_thread(t.snapshot, aliases=t.aliases, archived=t.archived)
        s.threads += 1
        s.comments += len(out.comments)
        predicted = {
            (t.name, c.external_id, r.kind,
             _predicted_label(r.target_kind, r.target_external_id, r.raw_name))
            for c in out.comments
            for r in c.replies
            if r.kind in SCORED_KINDS
        }
        s.expected_edges += len(t.replies)
        s.predicted_edges += len(predicted)
        s.correct_edges += len(predicted & t.replies)
        s.errors += [f"extra edge   {e}" for e in sorted(predicted - t.replies)]
        s.errors += [f"missed edge  {e}" for e in sorted(t.replies - predicted)]
        got = {
            (t.name, c.external_id, q.ordinal): _quote_label(q) for c in out.comments for q in c.quotes
        }
        s.quotes += len(t.quotes.keys() | got.keys())
        for key in sorted(t.quotes.keys() | got.keys()):
            if t.quotes.get(key) == got.get(key):
                s.correct_quotes += 1
            else:
                s.errors.append(f"quote {key}: expected {t.quotes.get(key)}, got {got.get(key)}")
        for c in out.comments:
            expected_own = t.own.get((t.name, c.external_id))
            if expected_own is None:
                continue
            s.owns += 1
            if " ".join(c.own_text.split()) == expected_own:
                s.correct_owns += 1
            else:
                s.errors.append(f"own text {t.name}/{c.external_id}: expected {expected_own!r},"
                                f" got {c.own_text!r}")
        keys: dict[str, set[str]] = defaultdict(set)
        keys[t.who["post"]].add(out.post.author_key)
        for c in out.comments:
            keys[t.who[c.external_id]].add(c.author_key)
        owners: dict[str, set[str]] = defaultdict(set)
        for person, ks in keys.items():
            for k in ks:
                owners[k].add(person)
        for person, ks in keys.items():
            s.persons += 1
            if len(ks) == 1 and all(len(owners[k]) == 1 for k in ks):
                s.consistent_persons += 1
            else:
                s.errors.append(f"author {t.name}/{person}: keys {sorted(ks)}")
    return s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every disagreement")
    parser.add_argument("--no-speed", action="store_true", help="skip the 2,000-comment timing")
    args = parser.parse_args(argv)
    threads = load_all()
    s = score(threads)
    print(f"evaluation set: {s.threads} threads, {s.comments} comments, "
          f"{s.expected_edges} labelled @-reply/mention edges, {s.quotes} quotes, {s.persons} persons")
    print(f"reply edges   precision {s.precision:.4f}  recall {s.recall:.4f}  "
          f"({s.correct_edges} correct, {s.predicted_edges} predicted, {s.expected_edges} expected)")
    print(f"quotes        attribution accuracy {s.quote_accuracy:.4f}  "
          f"({s.correct_quotes}/{s.quotes})")
    print(f"own text      accuracy {s.own_accuracy:.4f}  "
          f"({s.correct_owns}/{s.owns} comments labelled with their own text)")
    print(f"author keys   consistent {s.author_consistency:.4f}  "
          f"({s.consistent_persons}/{s.persons} persons)")
    if args.verbose:
        for line in s.errors:
            print("  ", line)
    if not args.no_speed:
        from bench.normalize_speed import measure

        print(measure())
    return 0


if __name__ == "__main__":
    sys.exit(main())
