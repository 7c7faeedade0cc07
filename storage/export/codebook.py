"""CODEBOOK.md: every column of every exported table, with type, meaning and caveats.

Written from `tables.py`, the same specs the writers use, so it cannot fall behind.
"""

from __future__ import annotations

from pathlib import Path

from .network_tables import NETWORK_EDGES, NETWORK_NODES
from .options import ExportOptions
from .tables import TABLES, Kind, TableSpec
from .values import format_utc

__all__ = ["FILE_NAME", "write_codebook"]

FILE_NAME = "CODEBOOK.md"

_TYPES: dict[Kind, str] = {
    "id": "id (text)",
    "text": "text",
    "int": "integer",
    "bool": "boolean",
    "ts": "timestamp (UTC)",
    "list": "list of text",
    "json": "JSON object",
}

_FORMATS = """\
## Files and encodings

| format | files | notes |
|---|---|---|
| parquet | `<table>.parquet` | explicit Arrow schema: ids as strings, `timestamp[us, tz=UTC]`, lists as `list<string>`; zstd |
| csv | `<table>.csv` | UTF-8, RFC 4180 (comma, CRLF, `"` doubled), header row; NULL is an empty cell; lists and objects as JSON text; booleans `true`/`false` |
| jsonl | `threads.jsonl`, `authors.jsonl`, `versions.jsonl`, `crawls.jsonl` | one thread per line: a post with `comments` in thread order, each with `replies` and `quotes` |
| graphml | `network.graphml`, or `networks/post-<post_id>.graphml` with `--per-thread` | a directed multigraph (one edge per source, target and kind), written by networkx; attributes as in `network_nodes` / `network_edges` below, empty ones left out |
| gexf | `network.gexf`, or `networks/post-<post_id>.gexf` | GEXF 1.2 for Gephi, same graph; node `label` and edge `weight` are GEXF's own |
| edges | `network_nodes.csv` + `network_edges.csv`, or `networks/post-<post_id>_nodes.csv` + `_edges.csv` | the same network as two CSV tables (encoded as the csv format) |
| sqlite | `palimpsest.sqlite` | the tables plus the archive's views (`current_posts`, `current_comments`, `post_history`, `comment_history`, `comment_replies`, `comment_quotes`, `changes`) |

Timestamps are written `YYYY-MM-DDTHH:MM:SS.ffffffZ` (always UTC, always microseconds)
wherever they are text. Rows are sorted by the order given for each table, so two
exports of the same archive with the same options are byte-identical; `manifest.json`
holds the SHA-256 of every file.
"""

_CAVEATS = """\
## Caveats

- **Snapshot semantics.** A row is in `posts`/`comments` when its version valid at the
  as-of time T (`valid_from <= T < valid_to`) is live. Deleted items (tombstones) appear
  only in `versions`, with `deleted = true`. A tombstone inferred from absence comes only
  from a thread fetched completely (an item missing from a partially fetched thread is
  kept as it was); one the comment service stated (its word in `removed_as`) comes from
  any fetch.
- **Time of a version** is when a crawl saw it, not when the author wrote or edited it
  (see `published_at`/`modified_at` for what the site claims).
- **Unresolved @-replies**: an `@Name` that matches nobody earlier in the thread stays
  with an empty target (`replies.target_kind` empty); `comments.parent_external_id` is
  then empty too.
- **Scope**: `--source` keeps those blogs; `--since`/`--until` keep posts whose
  `published_at` (as of T) falls in those UTC days, and the comments of those posts.
  Posts without a publication date are left out when either is given.
- **Takedowns**: `[redacted]` stands for content removed by `palimpsest redact` (a
  redacted comment or post keeps its place, time and parents; a redacted author is the
  source's author `[redacted]`). `manifest.json` lists the redactions under `redactions`.
"""

_PSEUDONYMIZED = """\
## Pseudonymization

This export is pseudonymized. Author names, keys and aliases, the names in @-replies,
and every known name or `@handle` in titles, bodies, own text and quotes are replaced
by `author-` + 12 hex digits of HMAC-SHA256(salt, normalized name). The same person has
the same pseudonym in every table. Author website links are empty. The salt is not in
this directory; whoever holds it can re-identify, so keep it apart. Text columns are
NFKC-normalized so names in compatibility characters are found too. Caveats: names
shorter than three characters are replaced only after an `@`; a name spelled with HTML
entities in raw HTML, or a nickname never seen as an author or @-reply, is not found.
"""


def _network_text(options: ExportOptions) -> str:
    nodes = "authors (one node per author)" if options.nodes == "authors" else "comments and posts"
    scope = "one network per thread" if options.per_thread else "one network for the whole scope"
    return f"""\
## Reply network

Nodes are {nodes}; edges are {", ".join(f"`{k}`" for k in options.edges)}; {scope}.
An edge runs from the answering (mentioning, quoting) side to the side it answers; its
`weight` is the number of comments that make it. Only edges that resolve inside the
snapshot count: an unresolved @-name, an anonymous commenter (with author nodes), a
target deleted by the as-of time, or a quote of outside text makes no edge. A person who
answers or quotes themselves makes a loop. `threaded` edges follow the platform's
nesting; `at_reply`, `mention` and `quote` come from the text (see `replies` and
`quotes`). The node and edge attributes are the columns below.
"""


def write_codebook(out: Path, options: ExportOptions) -> Path:
    """Write CODEBOOK.md into the export directory."""
    lines = [
        "# Codebook",
        "",
        (
            f"Snapshot of a palimpsest archive as of **{format_utc(options.as_of)}**"
            f"{' (pseudonymized)' if options.pseudonymize else ''}. `manifest.json` records how"
        ),
        "it was made (software and database revision, sources, crawls, row counts, file hashes).",
        "",
        _FORMATS,
    ]
    specs: list[TableSpec] = list(TABLES)
    if options.network_formats:
        lines.append(_network_text(options))
        specs += [NETWORK_NODES, NETWORK_EDGES]
    for spec in specs:
        lines += [
            f"## `{spec.name}`",
            "",
            f"One row: {spec.row}. Order: {spec.order}.",
            "",
            "| column | type | meaning |",
            "|---|---|---|",
        ]
        for col in spec.columns:
            meaning = col.meaning.replace("|", "\\|")
            if col.pseudonymized:
                meaning += " *(pseudonymized)*"
            lines.append(f"| `{col.name}` | {_TYPES[col.kind]} | {meaning} |")
        lines.append("")
    lines.append(_CAVEATS)
    if options.pseudonymize:
        lines.append(_PSEUDONYMIZED)
    path = out / FILE_NAME
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    return path
