"""The network files: GraphML and GEXF (written by networkx) and an edge-list CSV pair.

Each `Network` becomes a networkx MultiDiGraph (one edge per source, target and kind,
keyed `kind:source:target`), with the attributes of `network_tables.py`: timestamps as
UTC text, counts as integers, empty values left out (GraphML and GEXF have no NULL).
Nodes and edges go in sorted, so the files are byte-identical for the same archive and
options; GEXF's `lastmodifieddate`, which networkx sets to today, is the as-of date.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from .csv_format import CsvTable
from .network import Network
from .network_tables import NETWORK_EDGES, NETWORK_NODES
from .tables import Column
from .values import json_cell

__all__ = ["network_graph", "write_network"]


def _attributes(
    row: dict[str, Any], columns: tuple[Column, ...], skip: tuple[str, ...]
) -> dict[str, Any]:
    values = {c.name: json_cell(c.kind, row.get(c.name)) for c in columns if c.name not in skip}
    return {k: v for k, v in values.items() if v is not None}


def network_graph(network: Network, graph: dict[str, Any]) -> nx.MultiDiGraph:
    """The network as a networkx MultiDiGraph; `graph` becomes its graph attributes."""
    g = nx.MultiDiGraph(**graph)
    for row in network.nodes:
        g.add_node(row["id"], **_attributes(row, NETWORK_NODES.columns, ("id",)))
    for row in network.edges:
        key = f"{row['kind']}:{row['source']}:{row['target']}"
        g.add_edge(row["source"], row["target"], key=key,
                   **_attributes(row, NETWORK_EDGES.columns, ("source", "target")))
    return g


def _write_gexf(g: nx.MultiDiGraph, path: Path, as_of: datetime) -> None:
    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    meta = writer.xml.find("meta")
    assert meta is not None
    meta.set("lastmodifieddate", as_of.date().isoformat())  # not today: determinism
    writer.add_graph(g)
    with path.open("wb") as fh:
        writer.write(fh)


def write_network(
    network: Network, directory: Path, stem: str, formats: tuple[str, ...], graph: dict[str, Any],
    as_of: datetime,
) -> list[Path]:
    """Write `network` as DIR/STEM.graphml, .gexf and STEM_nodes.csv + STEM_edges.csv."""
    directory.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    g = network_graph(network, graph)
    if "graphml" in formats:
        path = directory / f"{stem}.graphml"
        nx.write_graphml(g, path, encoding="utf-8", prettyprint=True)
        files.append(path)
    if "gexf" in formats:
        path = directory / f"{stem}.gexf"
        _write_gexf(g, path, as_of)
        files.append(path)
    if "edges" in formats:
        for spec, rows in ((NETWORK_NODES, network.nodes), (NETWORK_EDGES, network.edges)):
            suffix = spec.name.removeprefix("network")
            table = CsvTable(directory, dataclasses.replace(spec, name=f"{stem}{suffix}"))
            table.write(rows)
            files += table.close()
    return files
