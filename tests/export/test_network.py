"""The network export (graphml, gexf, edges) on the sample archive: what the views say,
read back by networkx and igraph, per thread and whole, deterministic, pseudonymized."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import networkx as nx
import sqlalchemy as sa

from storage.engine import open_engine
from storage.export import snapshot_connection
from storage.models import format_utc
from tests.export.conftest import AUTHORS, SampleArchive
from tests.export.helpers import all_files, cli
from tests.export.networks import expected_network, read_every_way, read_with_networkx

NETWORK = ("--format", "graphml", "--format", "gexf", "--format", "edges")


def export_network(db_url: str, out: Path, *args: str, as_of: datetime | None = None) -> Path:
    when = ("--as-of", format_utc(as_of)) if as_of else ()
    result = cli("export", "--db", db_url, "--out", str(out), *NETWORK, *when, *args)
    assert result.exit_code == 0, result.output
    return out


def test_author_network_is_what_the_views_say(sample: SampleArchive, tmp_path: Path) -> None:
    # night 1: comment 5 @-replies to Zorblat, comment 3 quotes the post and mentions
    # Mirabel, comments 2 and 4 nest under Zorblat's; night 2 deleted comment 3.
    known = {sample.night1: 5, sample.night2: 3, None: 3}
    for as_of, edge_count in known.items():
        out = export_network(sample.url, tmp_path / f"at-{as_of and as_of.day}", as_of=as_of)
        expected = expected_network(sample.url, as_of)
        assert len(expected.edges) == edge_count
        for way, got in read_every_way(out).items():
            assert got == expected, (as_of, way)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["row_counts"]["network_edges"] == edge_count
        assert manifest["network"]["nodes"] == "authors"
        assert manifest["network"]["edges"] == ["threaded", "at_reply", "mention", "quote"]


def test_edge_kinds_choose_the_edges(sample: SampleArchive, tmp_path: Path) -> None:
    out = export_network(sample.url, tmp_path / "q", "--edges", "quote,mention", as_of=sample.night1)
    expected = expected_network(sample.url, sample.night1)
    got = read_with_networkx(out / "network.graphml")
    assert got.edges == {k: w for k, w in expected.edges.items() if k[2] in ("quote", "mention")}
    assert {k[2] for k in got.edges} == {"quote", "mention"}


def test_comment_network_has_one_node_per_comment_and_post(
    sample: SampleArchive, tmp_path: Path
) -> None:
    out = export_network(sample.url, tmp_path / "c", "--nodes", "comments", as_of=sample.night1)
    engine = open_engine(sample.url, read_only=True)
    with snapshot_connection(engine, sample.night1) as conn:
        comments = conn.execute(sa.text("SELECT count(*) FROM current_comments")).scalar_one()
        posts = conn.execute(sa.text("SELECT count(*) FROM current_posts")).scalar_one()
    engine.dispose()
    expected_edges = sum(read_every_way(export_network(
        sample.url, tmp_path / "a", as_of=sample.night1)).popitem()[1].edges.values())
    for path in (out / "network.graphml", out / "network.gexf"):
        g = nx.read_graphml(path) if path.suffix == ".graphml" else nx.read_gexf(path)
        kinds = [a["kind"] for _, a in g.nodes(data=True)]
        assert kinds.count("comment") == comments == 7
        assert kinds.count("post") == posts == 3
        # every comment makes at most one edge of a kind to one target, so the comment
        # network's edges are the author network's weights added up
        assert g.number_of_edges() == expected_edges
        assert {int(a["weight"]) for _, _, a in g.edges(data=True)} == {1}


def test_per_thread_networks_add_up_to_the_whole(sample: SampleArchive, tmp_path: Path) -> None:
    whole = read_every_way(export_network(sample.url, tmp_path / "w", as_of=sample.night1))
    out = export_network(sample.url, tmp_path / "t", "--per-thread", as_of=sample.night1)
    threads = sorted(p.stem for p in (out / "networks").glob("*.graphml"))
    assert len(threads) == 3  # the live posts at night 1
    summed: dict[tuple[object, ...], int] = {}
    for stem in threads:
        per = read_every_way(out / "networks", stem)
        first = per.pop("graphml/networkx")
        assert all(other == first for other in per.values()), stem
        for key, weight in first.edges.items():
            summed[key] = summed.get(key, 0) + weight
    assert summed == whole["graphml/networkx"].edges


def test_same_archive_same_bytes(sample: SampleArchive, tmp_path: Path) -> None:
    a = export_network(sample.url, tmp_path / "a", "--per-thread", as_of=sample.night1)
    b = export_network(sample.url, tmp_path / "b", "--per-thread", as_of=sample.night1)
    files = [p.relative_to(a) for p in all_files(a)]
    assert files == [p.relative_to(b) for p in all_files(b)]
    assert len(files) == 2 + 3 * 4  # manifest, codebook; graphml, gexf, two CSVs per thread
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    codebook = (a / "CODEBOOK.md").read_text(encoding="utf-8")
    assert "## `network_edges`" in codebook and "| `weight` | integer |" in codebook


def test_pseudonymized_network_names_nobody(sample: SampleArchive, tmp_path: Path) -> None:
    out = export_network(sample.url, tmp_path / "p", "--pseudonymize", "--salt", "s3cret",
                         "--format", "csv", as_of=sample.night1)
    for path in all_files(out):
        text = path.read_text(encoding="utf-8").casefold()
        for name in AUTHORS:
            assert name.casefold() not in text, (path.name, name)
    got = read_with_networkx(out / "network.gexf")
    comments = (out / "comments.csv").read_text(encoding="utf-8")
    assert len(got.nodes) == 6
    for _, key in got.nodes:
        assert key.startswith("author-") and key in comments


def test_bad_edge_kind_is_an_error_and_writes_nothing(sample: SampleArchive, tmp_path: Path) -> None:
    out = tmp_path / "bad"
    result = cli("export", "--db", sample.url, "--out", str(out), "--format", "graphml",
                 "--edges", "threaded,likes")
    assert result.exit_code == 2
    assert "--edges 'threaded,likes': likes is not one of threaded, at_reply, mention, quote" in result.output
    assert not out.exists()
