"""JSON Lines export: `threads.jsonl`, one thread per line, plus flat tables.

A thread line is a post (the columns of `posts`) with `comments`: its live comments in
thread order, each carrying its `replies` and `quotes`. Reading a line gives a whole
conversation. `authors`, `versions` and `crawls` are written flat, one row per line.
Keys keep the codebook's column order; JSON is compact UTF-8, ending in "\n".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from .snapshot import Row
from .tables import TableSpec, table
from .values import LINE_BREAKS, json_cell

__all__ = ["JsonlTable", "write_threads"]


def _obj(spec: TableSpec, row: Row, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {c.name: json_cell(c.kind, row.get(c.name)) for c in spec.columns if c.name not in skip}


def _dumps_line(value: dict[str, Any]) -> str:
    # Keys keep the codebook's order (dicts keep insertion order); nested JSON objects
    # were made canonical by json_cell; one dumps per line is what keeps this fast.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.translate(LINE_BREAKS) + "\n"


class JsonlTable:
    """Writes one flat table to DIR/<table>.jsonl."""

    def __init__(self, out: Path, spec: TableSpec) -> None:
        self.spec = spec
        self.path = out / f"{spec.name}.jsonl"
        self._file: IO[str] = self.path.open("w", encoding="utf-8", newline="\n")

    def write(self, rows: list[Row]) -> None:
        self._file.write("".join(_dumps_line(_obj(self.spec, r)) for r in rows))

    def close(self) -> list[Path]:
        self._file.close()
        return [self.path]


class _Peek:
    """An iterator over rows with one row of look-ahead (for a merge join)."""

    def __init__(self, batches: Iterable[list[Row]]) -> None:
        self._rows: Iterator[Row] = (r for batch in batches for r in batch)
        self.head: Row | None = next(self._rows, None)

    def take_while(self, key: str, value: Any) -> list[Row]:
        taken = []
        while self.head is not None and self.head[key] == value:
            taken.append(self.head)
            self.head = next(self._rows, None)
        return taken


def write_threads(
    out: Path,
    posts: Iterable[list[Row]],
    comments: Iterable[list[Row]],
    replies: Iterable[list[Row]],
    quotes: Iterable[list[Row]],
) -> Path:
    """Merge the four streams (all sorted by post, thread position) into threads.jsonl.

    Only one thread is ever in memory: the streams are walked side by side.
    """
    path = out / "threads.jsonl"
    post_spec, comment_spec = table("posts"), table("comments")
    reply_spec, quote_spec = table("replies"), table("quotes")
    comment_rows, reply_rows, quote_rows = _Peek(comments), _Peek(replies), _Peek(quotes)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for batch in posts:
            for post in batch:
                thread = _obj(post_spec, post)
                nested = []
                for comment in comment_rows.take_while("post_id", post["post_id"]):
                    obj = _obj(comment_spec, comment, skip=("post_id", "post_external_id", "source_key"))
                    cid = comment["comment_id"]
                    edges = ("comment_id", "post_id", "external_id", "version_id")
                    obj["replies"] = [
                        _obj(reply_spec, r, skip=edges) for r in reply_rows.take_while("comment_id", cid)
                    ]
                    obj["quotes"] = [
                        _obj(quote_spec, q, skip=edges) for q in quote_rows.take_while("comment_id", cid)
                    ]
                    nested.append(obj)
                thread["comments"] = nested
                fh.write(_dumps_line(thread))
    return path
