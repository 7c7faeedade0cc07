"""The network export checked against the archive's views, and read back by two libraries.

`expected_network` asks the views (`current_comments`, `current_posts`,
`comment_replies`, `comment_quotes`) of an as-of connection who answers whom, in SQL
of its own, independent of the exporter's code. The readers turn what networkx and
igraph read from the files into the same shape, with authors named by their
(source_key, author_key), which the views carry, instead of archive ids.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import sqlalchemy as sa

from storage.engine import open_engine
from storage.export import snapshot_connection

Node = tuple[str, str]  # (source_key, author_key)


@dataclass(frozen=True)
class AuthorNetwork:
    """Comment count per author node, weight per (source, target, kind) edge."""

    nodes: dict[Node, int]
    edges: dict[tuple[Node, Node, str], int]


# Each resolved edge of a live comment: the answering comment, its author, the target's
# author and the kind. A target comment must be live (in current_comments); a post target
# is the thread's own post.
_EDGES = """
SELECT r.comment_id, s.source_key, s.author_key, t.source_key AS t_source, t.author_key AS t_key,
       r.kind
FROM comment_replies r
JOIN current_comments s ON s.comment_id = r.comment_id
JOIN current_comments t ON t.post_id = r.post_id AND t.external_id = r.target_external_id
WHERE r.target_kind = 'comment'
UNION ALL
SELECT r.comment_id, s.source_key, s.author_key, p.source_key, p.author_key, r.kind
FROM comment_replies r
JOIN current_comments s ON s.comment_id = r.comment_id
JOIN current_posts p ON p.post_id = r.post_id
WHERE r.target_kind = 'post'
UNION ALL
SELECT q.comment_id, s.source_key, s.author_key, t.source_key, t.author_key, 'quote'
FROM comment_quotes q
JOIN current_comments s ON s.comment_id = q.comment_id
JOIN current_comments t ON t.post_id = q.post_id AND t.external_id = q.source_external_id
WHERE q.source_kind = 'comment'
UNION ALL
SELECT q.comment_id, s.source_key, s.author_key, p.source_key, p.author_key, 'quote'
FROM comment_quotes q
JOIN current_comments s ON s.comment_id = q.comment_id
JOIN current_posts p ON p.post_id = q.post_id
WHERE q.source_kind = 'post'
"""


def expected_network(db_url: str, as_of: datetime | None) -> AuthorNetwork:
    """The author network the views describe as of `as_of` (None: now)."""
    engine = open_engine(db_url, read_only=True)
    try:
        with snapshot_connection(engine, as_of) as conn:
            counts = Counter(
                (r.source_key, r.author_key)
                for r in conn.execute(sa.text(
                    "SELECT source_key, author_key FROM current_comments WHERE author_key IS NOT NULL"
                ))
            )
            pairs: dict[tuple[Node, Node, str], set[int]] = {}
            for r in conn.execute(sa.text(_EDGES)):
                if r.author_key is None or r.t_key is None:
                    continue
                key = ((r.source_key, r.author_key), (r.t_source, r.t_key), r.kind)
                pairs.setdefault(key, set()).add(r.comment_id)
    finally:
        engine.dispose()
    nodes = dict(counts)
    for _, target, _ in pairs:
        nodes.setdefault(target, 0)  # a post's author who wrote no comment
    return AuthorNetwork(nodes, {k: len(v) for k, v in pairs.items()})


def _network(node_rows: list[tuple[str, dict[str, Any]]],
             edge_rows: list[tuple[str, str, dict[str, Any]]]) -> AuthorNetwork:
    names = {n: (str(a["source_key"]), str(a["author_key"])) for n, a in node_rows}
    assert len(set(names.values())) == len(names), "one node per author"
    nodes = {names[n]: int(a["comment_count"]) for n, a in node_rows}
    edges: dict[tuple[Node, Node, str], int] = {}
    for u, v, a in edge_rows:
        key = (names[u], names[v], str(a["kind"]))
        assert key not in edges, f"edge {key} twice"
        edges[key] = int(a["weight"])
    return AuthorNetwork(nodes, edges)


def read_with_networkx(path: Path) -> AuthorNetwork:
    """A .graphml or .gexf file read by networkx."""
    g = nx.read_graphml(path) if path.suffix == ".graphml" else nx.read_gexf(path)
    assert g.is_directed()
    return _network(list(g.nodes(data=True)), list(g.edges(data=True)))


def read_graphml_with_igraph(path: Path) -> AuthorNetwork:
    g = igraph.Graph.Read_GraphML(str(path))
    assert g.is_directed()
    ids = g.vs["id"]
    return _network(
        [(ids[v.index], v.attributes()) for v in g.vs],
        [(ids[e.source], ids[e.target], e.attributes()) for e in g.es],
    )


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_edges_with_networkx(nodes_csv: Path, edges_csv: Path) -> AuthorNetwork:
    g = nx.MultiDiGraph()
    for row in _csv(nodes_csv):
        g.add_node(row.pop("id"), **row)
    for row in _csv(edges_csv):
        g.add_edge(row.pop("source"), row.pop("target"), **row)
    return _network(list(g.nodes(data=True)), list(g.edges(data=True)))


def read_edges_with_igraph(nodes_csv: Path, edges_csv: Path) -> AuthorNetwork:
    vertices = _csv(nodes_csv)
    edges = _csv(edges_csv)
    g = igraph.Graph.DictList(vertices, edges, directed=True, vertex_name_attr="id",
                              edge_foreign_keys=("source", "target"))
    ids = g.vs["id"]
    return _network(
        [(ids[v.index], v.attributes()) for v in g.vs],
        [(ids[e.source], ids[e.target], e.attributes()) for e in g.es],
    )


def read_every_way(out: Path, stem: str = "network") -> dict[str, AuthorNetwork]:
    """The network of export `out` as each library reads each of its files."""
    nodes, edges = out / f"{stem}_nodes.csv", out / f"{stem}_edges.csv"
    return {
        "graphml/networkx": read_with_networkx(out / f"{stem}.graphml"),
        "graphml/igraph": read_graphml_with_igraph(out / f"{stem}.graphml"),
        "gexf/networkx": read_with_networkx(out / f"{stem}.gexf"),
        "edges/networkx": read_edges_with_networkx(nodes, edges),
        "edges/igraph": read_edges_with_igraph(nodes, edges),
    }
