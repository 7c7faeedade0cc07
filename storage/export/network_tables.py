"""The columns of the network export's node and edge files, with their meanings.

The same `TableSpec`s the other tables use: the edge-list CSVs are written from them,
the GraphML and GEXF attributes take their names and kinds from them, and CODEBOOK.md
documents them, so a network attribute cannot be exported without being described.
"""

from __future__ import annotations

from .tables import Column, TableSpec

__all__ = ["EDGE_KINDS", "NETWORK_EDGES", "NETWORK_FORMATS", "NETWORK_NODES", "NODE_KINDS"]

NETWORK_FORMATS = ("graphml", "gexf", "edges")
NODE_KINDS = ("authors", "comments")
EDGE_KINDS = ("threaded", "at_reply", "mention", "quote")

NETWORK_NODES = TableSpec(
    name="network_nodes",
    row=(
        "one node: with `--nodes authors`, an author of a live comment in scope, or of a post "
        "that a comment answers or quotes; with `--nodes comments`, a live comment or a live post"
    ),
    order="node kind (author, post, comment), then archive id",
    columns=(
        Column("id", "text", "Node id: `a<author_id>`, `p<post_id>` or `c<comment_id>` (archive ids, stable within one archive)."),
        Column("kind", "text", "`author`, `post` or `comment`."),
        Column("label", "text", "What Gephi shows: the author's name, or `<source_key>:<external_id>` of a post or comment.", True),
        Column("source_key", "text", "Key of the blog."),
        Column("author_id", "id", "The archive's id of the author (of the comment or post, for those nodes); empty when anonymous."),
        Column("author_key", "text", "Normalized identity key of the author.", True),
        Column("name", "text", "Author nodes: the first spelling of the name seen (as authors.name); comment and post nodes: the name displayed on it.", True),
        Column("comment_count", "int", "Author nodes: the author's live comments in the network's scope (the thread, for a per-thread network); 1 for a comment node, 0 for a post node."),
        Column("first_comment_at", "ts", "Author nodes: the earliest published_at of those comments; comment nodes: its own published_at. Empty when none is known."),
        Column("last_comment_at", "ts", "Author nodes: the latest published_at of those comments; comment nodes: its own published_at."),
        Column("post_id", "id", "Comment and post nodes: the post (thread); empty for author nodes."),
        Column("external_id", "text", "Comment and post nodes: the platform's id; empty for author nodes."),
    ),
)

NETWORK_EDGES = TableSpec(
    name="network_edges",
    row=(
        "one directed edge of one kind, from the answering or quoting node to the node it "
        "answers, mentions or quotes (the author of the target, with `--nodes authors`)"
    ),
    order="source, target, kind (node ids compared as in network_nodes)",
    columns=(
        Column("source", "text", "Node id of the answering, mentioning or quoting side (see network_nodes.id)."),
        Column("target", "text", "Node id of the side answered, mentioned or quoted."),
        Column("kind", "text", "`threaded` (platform nesting), `at_reply` (a leading @Name), `mention` (an @Name later in the text) or `quote` (a blockquote of an earlier comment or of the post); `replies.kind` and `quotes.source_kind`."),
        Column("weight", "int", "Number of comments that make this edge (a comment that names the same person twice counts once); always 1 between comment nodes."),
        Column("first_at", "ts", "The earliest published_at of those comments; empty when none is known."),
        Column("last_at", "ts", "The latest published_at of those comments."),
    ),
)
