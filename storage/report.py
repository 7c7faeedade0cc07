"""`palimpsest report`: one self-contained HTML page about one thread.

The page draws the reply graph (authors as nodes, "A answered B" as arrows), a
histogram of comments over time, the thread's change history and its comments, all
as inline SVG, CSS and a few lines of JS: no external URL, so the file can be mailed,
archived or opened offline. Data comes only from the public views, so the report shows
exactly what a researcher's SQL would.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from string import Template
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from storage.errors import InputError
from storage.export.manifest import palimpsest_version
from storage.export.values import as_datetime

__all__ = ["ThreadData", "load_thread", "render_report"]

_E = html.escape


@dataclass
class ThreadData:
    """What a report shows, read from the views."""

    post: dict[str, Any]
    comments: list[dict[str, Any]]
    replies: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    as_of: datetime | None = None


def _rows(conn: Connection, sql: str, **params: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]


def _find_post(conn: Connection, ref: str) -> dict[str, Any]:
    ref = ref.strip()
    if ref.isdigit():
        found = _rows(conn, "SELECT * FROM current_posts WHERE post_id = :id", id=int(ref))
    else:
        bare = ref.rstrip("/")
        found = _rows(
            conn,
            "SELECT * FROM current_posts WHERE url = :u OR url = :s ORDER BY post_id",
            u=bare,
            s=bare + "/",
        )
    if not found:
        raise InputError(
            f"no live post {ref!r} in the archive: give an archive post id "
            "(current_posts.post_id) or the post's URL"
        )
    return found[0]


def load_thread(conn: Connection, ref: str) -> ThreadData:
    """The post `ref` (archive id or URL) with its comments, replies and history."""
    post = _find_post(conn, ref)
    pid = post["post_id"]
    comments = _rows(
        conn,
        "SELECT * FROM current_comments WHERE post_id = :p ORDER BY position, comment_id",
        p=pid,
    )
    replies = _rows(
        conn, "SELECT * FROM comment_replies WHERE post_id = :p ORDER BY comment_id, ordinal", p=pid
    )
    changes = _rows(
        conn,
        "SELECT ch.*, h.author_name, h.body_text FROM changes ch"
        " LEFT JOIN comment_history h ON h.comment_id = ch.comment_id AND h.version = ch.version"
        " WHERE ch.post_id = :p"
        # the post first at equal times: NULLs sort first on SQLite, last on PostgreSQL
        " ORDER BY ch.valid_from, CASE WHEN ch.comment_id IS NULL THEN 0 ELSE 1 END,"
        " ch.comment_id, ch.version",
        p=pid,
    )
    return ThreadData(post=post, comments=comments, replies=replies, changes=changes)


# -- the reply graph ------------------------------------------------------------------


def _edges(
    data: ThreadData,
) -> tuple[list[str], Counter[tuple[str, str]], Counter[str], str]:
    """Authors (most comments first), answer counts per (from, to), comments per author,
    and the post author's node name."""
    by_ext = {c["external_id"]: c for c in data.comments}
    by_id = {c["comment_id"]: c for c in data.comments}
    # One node per person: spellings with one author key ("JohnD", "johnd") are one
    # author, shown under the first spelling in the thread.
    labels: dict[str, str] = {}

    def who(row: dict[str, Any], fallback: str = "(anonymous)") -> str:
        name = row.get("author_name") or fallback
        return labels.setdefault(row.get("author_key") or name, name)

    post_author = who(data.post, "(post)")
    written: Counter[str] = Counter(who(c) for c in data.comments)
    edges: Counter[tuple[str, str]] = Counter()
    seen: set[tuple[Any, str, str]] = set()
    for r in data.replies:
        src = by_id.get(r["comment_id"])
        if src is None or r["target_kind"] is None:
            continue
        if r["target_kind"] == "post":
            target = post_author
        else:
            tgt = by_ext.get(r["target_external_id"])
            if tgt is None:
                continue
            target = who(tgt)
        source = who(src)
        key = (r["comment_id"], source, target)
        if key in seen:  # a threaded edge and an @-reply to the same person count once
            continue
        seen.add(key)
        edges[(source, target)] += 1
    authors = sorted(set(written) | {a for e in edges for a in e}, key=lambda a: (-written[a], a))
    return authors, edges, written, post_author


def _graph_svg(data: ThreadData) -> str:
    authors, edges, written, post_author = _edges(data)
    if not authors:
        return '<svg id="reply-graph-svg" viewBox="0 0 600 80"><text x="10" y="40">No comments.</text></svg>'
    w, h = 640, 460
    cx, cy, radius = w / 2, h / 2, min(w, h) / 2 - 70
    pos: dict[str, tuple[float, float]] = {}
    for i, a in enumerate(authors):
        angle = -math.pi / 2 + 2 * math.pi * i / len(authors)
        pos[a] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    ids = {a: f"n{i}" for i, a in enumerate(authors)}
    parts = [
        f'<svg id="reply-graph-svg" viewBox="0 0 {w} {h}" role="img" aria-label="reply graph">',
        (
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            'fill="#8aa4c8"/></marker></defs>'
        ),
    ]

    def r_of(a: str) -> float:
        return 7 + 4 * math.sqrt(written[a])

    for (s, t), n in sorted(edges.items()):
        (x1, y1), (x2, y2) = pos[s], pos[t]
        width = 1 + 1.5 * math.log2(1 + n)
        title = f"<title>{_E(s)} → {_E(t)}: {n}</title>"
        attrs = f'class="edge" data-from="{ids[s]}" data-to="{ids[t]}" stroke-width="{width:.1f}"'
        if s == t:  # answering oneself: a small loop
            parts.append(
                f'<path {attrs} d="M{x1:.1f},{y1 - r_of(s):.1f} c -30,-40 30,-40 0,0" '
                f'marker-end="url(#arrow)">{title}</path>'
            )
            continue
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1
        # bend every edge to its right, so A→B and B→A stay apart
        mx, my = (x1 + x2) / 2 - dy / dist * 24, (y1 + y2) / 2 + dx / dist * 24
        ex, ey = x2 - (x2 - mx) / math.hypot(x2 - mx, y2 - my) * (r_of(t) + 2), y2 - (y2 - my) / math.hypot(x2 - mx, y2 - my) * (r_of(t) + 2)
        parts.append(
            f'<path {attrs} d="M{x1:.1f},{y1:.1f} Q{mx:.1f},{my:.1f} {ex:.1f},{ey:.1f}" '
            f'marker-end="url(#arrow)">{title}</path>'
        )
    for a in authors:
        x, y = pos[a]
        klass = "node post" if a == post_author and not written[a] else "node"
        anchor = "start" if x >= cx else "end"
        lx = x + (r_of(a) + 5) * (1 if x >= cx else -1)
        parts.append(
            f'<g class="{klass}" data-author="{ids[a]}"><title>{_E(a)}: {written[a]} comment(s)</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r_of(a):.1f}"/>'
            f'<text x="{lx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}">{_E(a)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


# -- comments over time ---------------------------------------------------------------


def _histogram_svg(data: ThreadData) -> tuple[str, str]:
    times = sorted(
        t for t in (as_datetime(c["published_at"]) or as_datetime(c["first_seen_at"]) for c in data.comments) if t
    )
    if not times:
        return '<svg id="timeline-svg" viewBox="0 0 600 60"><text x="10" y="30">No dated comments.</text></svg>', "no dates"
    span = times[-1] - times[0]
    step, label, fmt = (
        (timedelta(hours=1), "per hour", "%m-%d %H:00")
        if span <= timedelta(days=3)
        else (timedelta(days=1), "per day", "%Y-%m-%d")
    )
    start = times[0].replace(minute=0, second=0, microsecond=0)
    if step == timedelta(days=1):
        start = start.replace(hour=0)
    n = int((times[-1] - start) / step) + 1
    counts = [0] * n
    for t in times:
        counts[int((t - start) / step)] += 1
    w, h, left, bottom = 640, 220, 34, 30
    bar_w = (w - left - 10) / n
    top = max(counts)
    parts = [f'<svg id="timeline-svg" viewBox="0 0 {w} {h}" role="img" aria-label="comments over time">']
    parts.append(f'<line class="axis" x1="{left}" y1="{h - bottom}" x2="{w - 5}" y2="{h - bottom}"/>')
    parts.append(f'<text class="tick" x="{left - 4}" y="14" text-anchor="end">{top}</text>')
    parts.append(f'<text class="tick" x="{left - 4}" y="{h - bottom}" text-anchor="end">0</text>')
    every = max(1, n // 6)
    for i, c in enumerate(counts):
        x = left + i * bar_w
        bh = (h - bottom - 12) * c / top
        when = start + i * step
        parts.append(
            f'<rect class="bar" x="{x + 1:.1f}" y="{h - bottom - bh:.1f}" width="{max(bar_w - 2, 1):.1f}" '
            f'height="{bh:.1f}"><title>{when.strftime(fmt)}: {c}</title></rect>'
        )
        if i % every == 0:
            parts.append(f'<text class="tick" x="{x + 1:.1f}" y="{h - bottom + 14}">{when.strftime(fmt)}</text>')
    parts.append("</svg>")
    return "".join(parts), label


# -- tables -----------------------------------------------------------------------------


def _ts(value: Any) -> str:
    t = as_datetime(value)
    return t.strftime("%Y-%m-%d %H:%M UTC") if t else "—"


def norm_ts(value: Any) -> str:
    """A timestamp from either engine as comparable UTC text."""
    t = as_datetime(value)
    return t.isoformat() if t else ""


def _snippet(text: str | None, n: int = 160) -> str:
    text = " ".join((text or "").split())
    return _E(text if len(text) <= n else text[: n - 1] + "…")


def _history_table(data: ThreadData) -> str:
    def order(ch: dict[str, Any]) -> tuple[Any, ...]:
        ext = str(ch["comment_external_id"] or "")
        # the post first, then comments by their platform id (numerically when numeric)
        return (norm_ts(ch["valid_from"]), ch["comment_id"] is not None,
                (0, int(ext), "") if ext.isdigit() else (1, 0, ext), ch["version"])

    rows = []
    for ch in sorted(data.changes, key=order):
        what = "post" if ch["comment_id"] is None else f"comment {_E(str(ch['comment_external_id']))}"
        text = "" if ch["comment_id"] is None else _snippet(ch.get("body_text"))
        rows.append(
            f'<tr class="change"><td>{_ts(ch["valid_from"])}</td><td>{what}</td>'
            f'<td class="kind"><span class="{_E(ch["kind"])}">{_E(ch["kind"])}</span></td>'
            f'<td>v{ch["version"]}</td><td>{_E(ch.get("author_name") or "")}</td>'
            f'<td class="text">{text}</td></tr>'
        )
    head = "<tr><th>seen</th><th>item</th><th>change</th><th>version</th><th>author</th><th>text</th></tr>"
    return f'<table id="history-table"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _comments_table(data: ThreadData) -> str:
    depth: dict[str, int] = {}
    rows = []
    for c in data.comments:
        parent = c.get("parent_external_id")
        d = depth.get(parent, -1) + 1 if parent else 0
        depth[c["external_id"]] = d
        rows.append(
            f'<tr class="comment"><td>{_E(c["external_id"])}</td><td>{_ts(c["published_at"])}</td>'
            f'<td>{_E(c["author_name"] or "")}</td>'
            f'<td class="text"><span class="indent">{"↳ " * d}</span>{_snippet(c["own_text"] or c["body_text"])}</td></tr>'
        )
    head = "<tr><th>#</th><th>published</th><th>author</th><th>own text</th></tr>"
    return f'<table id="comments-table"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def render_report(data: ThreadData) -> str:
    """The HTML page for a thread."""
    template = Template(
        resources.files("storage").joinpath("templates/report.html").read_text(encoding="utf-8")
    )
    _, edges, _, _ = _edges(data)
    histogram, bucket = _histogram_svg(data)
    post = data.post
    stats = "".join(
        f'<div class="stat"><b>{v}</b><span>{k}</span></div>'
        for k, v in (
            ("live comments", len(data.comments)),
            ("commenters", len({c["author_key"] or c["author_name"] for c in data.comments})),
            ("reply edges", sum(edges.values())),
            ("recorded changes", len(data.changes)),
            ("post version", post["version"]),
        )
    )
    return template.substitute(
        version=_E(palimpsest_version()),
        title=_E(post["title"] or "(untitled)"),
        source_key=_E(post["source_key"]),
        external_id=_E(str(post["external_id"])),
        author=_E(post["author_name"] or "unknown"),
        published=_ts(post["published_at"]),
        url=_E(post["url"]),
        stats=stats,
        graph=_graph_svg(data),
        histogram=histogram,
        bucket_label=bucket,
        history=_history_table(data),
        comments=_comments_table(data),
        as_of_note=f"as of {_ts(data.as_of)}" if data.as_of else "as it stands now",
    )
