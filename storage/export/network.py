"""The reply network of a snapshot: who answers, mentions or quotes whom, as nodes and edges.

`NetworkBuilder` gathers what it needs as the export streams the posts, comments,
authors, replies and quotes tables past (already pseudonymized when the export is), then
builds one `Network` for the whole scope or one per thread. An edge runs from the
answering comment (or its author) to the comment or post it answers, mentions or
quotes (or that one's author); its weight is the number of comments that make it.

Only edges that resolve inside the snapshot count: a reply whose target is unresolved,
anonymous (with `--nodes authors`), deleted by the as-of time, or outside the thread
makes no edge. The file formats are `network_formats.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .network_tables import EDGE_KINDS, NETWORK_EDGES, NETWORK_NODES
from .snapshot import Row
from .tables import TableSpec
from .values import as_datetime

__all__ = ["Network", "NetworkBuilder"]

_NODE_ORDER = {"a": 0, "p": 1, "c": 2}
_EDGE_ORDER = {k: i for i, k in enumerate(EDGE_KINDS)}


def _node_order(node_id: str) -> tuple[int, int]:
    return _NODE_ORDER[node_id[0]], int(node_id[1:])


@dataclass(frozen=True)
class Network:
    """One network: its nodes and edges as rows of NETWORK_NODES / NETWORK_EDGES, sorted."""

    post_id: int | None  # the thread, for a per-thread network; None for the whole scope
    nodes: list[Row]
    edges: list[Row]


@dataclass
class _Edge:
    comments: set[int] = field(default_factory=set)
    times: list[datetime] = field(default_factory=list)


class _Collector:
    """A table "writer" that keeps, of each row of one table, the columns the builder needs."""

    def __init__(self, rows: list[Row], keep: tuple[str, ...]) -> None:
        self._rows = rows
        self._keep = keep

    def write(self, rows: list[Row]) -> None:
        self._rows.extend({k: r.get(k) for k in self._keep} for r in rows)

    def close(self) -> list[Path]:
        return []  # writes no file


_KEPT = {
    "posts": ("post_id", "source_key", "external_id", "author_id", "author_name", "author_key"),
    "comments": ("comment_id", "post_id", "source_key", "external_id", "author_id",
                 "author_name", "author_key", "published_at"),
    "authors": ("author_id", "name"),
    "replies": ("comment_id", "kind", "target_kind", "target_external_id"),
    "quotes": ("comment_id", "source_kind", "source_external_id"),
}


class NetworkBuilder:
    """Collects the snapshot's rows, then builds the networks the options ask for."""

    def __init__(self, nodes: str, edges: tuple[str, ...], per_thread: bool) -> None:
        self.by_author = nodes == "authors"
        self.edge_kinds = set(edges)
        self.per_thread = per_thread
        self._rows: dict[str, list[Row]] = {name: [] for name in _KEPT}

    def table(self, spec: TableSpec) -> _Collector | None:
        """A writer that collects `spec`'s rows, or None when the network needs none."""
        if spec.name not in _KEPT:
            return None
        return _Collector(self._rows[spec.name], _KEPT[spec.name])

    def networks(self) -> Iterator[Network]:
        """The whole-scope network, or one per live post (in post id order)."""
        posts = {r["post_id"]: r for r in self._rows["posts"]}
        if not self.per_thread:
            yield self._network(None, set(posts))
            return
        for post_id in sorted(posts):
            yield self._network(post_id, {post_id})

    # -- building ----------------------------------------------------------------------

    def _network(self, post_id: int | None, post_ids: set[int]) -> Network:
        posts = {p: r for p, r in ((r["post_id"], r) for r in self._rows["posts"]) if p in post_ids}
        comments = [c for c in self._rows["comments"] if c["post_id"] in post_ids]
        by_id = {c["comment_id"]: c for c in comments}
        by_external = {(c["post_id"], c["external_id"]): c for c in comments}
        names = {r["author_id"]: r["name"] for r in self._rows["authors"]}

        nodes: dict[str, Row] = {}
        for c in comments:
            node = self._comment_node(c)
            if node is not None:
                self._add_node(nodes, node, c, names)
        if not self.by_author:
            for p in posts.values():
                nodes[f"p{p['post_id']}"] = self._post_row(p)

        edges: dict[tuple[str, str, str], _Edge] = {}
        for comment_id, kind, target_kind, target_id in self._links():
            source = by_id.get(comment_id)
            if source is None or kind not in self.edge_kinds:
                continue
            if target_kind == "comment":
                target = by_external.get((source["post_id"], target_id))
                v = self._comment_node(target) if target is not None else None
            else:  # the post of the thread
                v = self._post_node(posts[source["post_id"]])
                if v is not None and v not in nodes:
                    self._add_post_author(nodes, posts[source["post_id"]], names)
            u = self._comment_node(source)
            if u is None or v is None:
                continue
            edge = edges.setdefault((u, v, kind), _Edge())
            if comment_id not in edge.comments:
                edge.comments.add(comment_id)
                when = as_datetime(source["published_at"])
                if when is not None:
                    edge.times.append(when)
        return Network(
            post_id=post_id,
            nodes=[nodes[k] for k in sorted(nodes, key=_node_order)],
            edges=[
                _edge_row(u, v, kind, edge)
                for (u, v, kind), edge in sorted(
                    edges.items(),
                    key=lambda item: (_node_order(item[0][0]), _node_order(item[0][1]),
                                      _EDGE_ORDER[item[0][2]]),
                )
            ],
        )

    def _links(self) -> Iterator[tuple[int, str, str, str]]:
        """(comment id, edge kind, 'comment' or 'post', target external id), resolved only."""
        # a reply to or quote of the post means the thread's own post, whatever id it names
        for r in self._rows["replies"]:
            if r["target_kind"] == "post" or (
                r["target_kind"] == "comment" and r["target_external_id"] is not None
            ):
                yield r["comment_id"], r["kind"], r["target_kind"], r["target_external_id"]
        for q in self._rows["quotes"]:
            if q["source_kind"] == "post" or (
                q["source_kind"] == "comment" and q["source_external_id"] is not None
            ):
                yield q["comment_id"], "quote", q["source_kind"], q["source_external_id"]

    def _comment_node(self, comment: Row) -> str | None:
        if not self.by_author:
            return f"c{comment['comment_id']}"
        return f"a{comment['author_id']}" if comment["author_id"] is not None else None

    def _post_node(self, post: Row) -> str | None:
        if not self.by_author:
            return f"p{post['post_id']}"
        return f"a{post['author_id']}" if post["author_id"] is not None else None

    def _add_node(self, nodes: dict[str, Row], node: str, c: Row, names: dict[int, str]) -> None:
        when = as_datetime(c["published_at"])
        if not self.by_author:
            nodes[node] = _node_row(
                node, "comment", f"{c['source_key']}:{c['external_id']}", c,
                name=c["author_name"], count=1, first=when, last=when,
                post_id=c["post_id"], external_id=c["external_id"],
            )
            return
        row = nodes.get(node)
        if row is None:
            row = nodes[node] = _node_row(
                node, "author", None, c, name=names.get(c["author_id"], c["author_name"]),
                count=0, first=None, last=None,
            )
            row["label"] = row["name"]
        row["comment_count"] += 1
        if when is not None:
            if row["first_comment_at"] is None or when < row["first_comment_at"]:
                row["first_comment_at"] = when
            if row["last_comment_at"] is None or when > row["last_comment_at"]:
                row["last_comment_at"] = when

    def _add_post_author(self, nodes: dict[str, Row], post: Row, names: dict[int, str]) -> None:
        name = names.get(post["author_id"], post["author_name"])
        row = _node_row(f"a{post['author_id']}", "author", name, post, name=name, count=0,
                        first=None, last=None)
        nodes[row["id"]] = row

    def _post_row(self, p: Row) -> Row:
        return _node_row(
            f"p{p['post_id']}", "post", f"{p['source_key']}:{p['external_id']}", p,
            name=p["author_name"], count=0, first=None, last=None,
            post_id=p["post_id"], external_id=p["external_id"],
        )


def _node_row(node: str, kind: str, label: str | None, item: Row, *, name: Any, count: int,
              first: datetime | None, last: datetime | None, post_id: Any = None,
              external_id: Any = None) -> Row:
    row: Row = {
        "id": node, "kind": kind, "label": label, "source_key": item["source_key"],
        "author_id": item["author_id"], "author_key": item["author_key"], "name": name,
        "comment_count": count, "first_comment_at": first, "last_comment_at": last,
        "post_id": post_id, "external_id": external_id,
    }  # fmt: skip
    assert list(row) == NETWORK_NODES.names
    return row


def _edge_row(u: str, v: str, kind: str, edge: _Edge) -> Row:
    row: Row = {
        "source": u, "target": v, "kind": kind, "weight": len(edge.comments),
        "first_at": min(edge.times, default=None), "last_at": max(edge.times, default=None),
    }  # fmt: skip
    assert list(row) == NETWORK_EDGES.names
    return row
