"""manifest.json: how an export was made, what it holds, and the hash of every file.

No wall-clock time goes in: the manifest, like the files, depends only on the archive,
the as-of time and the options, so two exports compare equal byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from .options import ExportOptions
from .values import format_utc

__all__ = ["FILE_NAME", "CrawlSpan", "palimpsest_version", "verify_manifest", "write_manifest"]

FILE_NAME = "manifest.json"


def palimpsest_version() -> str:
    """The installed palimpsest version ("unknown" when run from an uninstalled tree)."""
    try:
        return metadata.version("palimpsest-archive")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass
class CrawlSpan:
    """The crawls in an export, gathered as the crawls table streams past."""

    ids: list[str] = field(default_factory=list)
    first_started_at: datetime | None = None
    last_started_at: datetime | None = None
    last_finished_at: datetime | None = None

    def add(self, started: datetime | None, finished: datetime | None, crawl_id: str) -> None:
        self.ids.append(crawl_id)
        if started is not None:
            if self.first_started_at is None or started < self.first_started_at:
                self.first_started_at = started
            if self.last_started_at is None or started > self.last_started_at:
                self.last_started_at = started
        if finished is not None and (self.last_finished_at is None or finished > self.last_finished_at):
            self.last_finished_at = finished


def _ts(value: datetime | None) -> str | None:
    return format_utc(value) if value is not None else None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _network(options: ExportOptions) -> dict[str, Any] | None:
    """How the network files were made (None when no network format was asked for)."""
    if not options.network_formats:
        return None
    return {
        "formats": sorted(options.network_formats),
        "nodes": options.nodes,
        "edges": list(options.edges),
        "per_thread": options.per_thread,
        "directed": True,
        "weight": "number of comments",
    }


def write_manifest(
    out: Path,
    options: ExportOptions,
    *,
    dialect: str,
    revision: str | None,
    sources: list[dict[str, Any]],
    crawls: CrawlSpan,
    row_counts: dict[str, int],
    files: list[Path],
    redactions: list[dict[str, Any]] | None = None,
) -> Path:
    """Write manifest.json over the finished files (which must all be in `out`)."""
    manifest = {
        "palimpsest_version": palimpsest_version(),
        "database": {"dialect": dialect, "revision": revision},
        "as_of": format_utc(options.as_of),
        "scope": {
            "sources": list(options.sources) or None,
            "since": options.since.isoformat() if options.since else None,
            "until": options.until.isoformat() if options.until else None,
        },
        "formats": sorted(options.formats),
        "pseudonymized": options.pseudonymize,
        "topic": options.topic,
        "sources": sources,
        "crawls": {
            "count": len(crawls.ids),
            "ids": crawls.ids,
            "first_started_at": _ts(crawls.first_started_at),
            "last_started_at": _ts(crawls.last_started_at),
            "last_finished_at": _ts(crawls.last_finished_at),
        },
        "network": _network(options),
        # the takedowns (palimpsest redact) honoured: their content is in no file here
        "redactions": redactions or [],
        "row_counts": row_counts,
        "files": [
            {"path": p.relative_to(out).as_posix(), "bytes": p.stat().st_size, "sha256": sha256_file(p)}
            for p in sorted(files, key=lambda p: p.relative_to(out).as_posix())
        ],
    }
    path = out / FILE_NAME
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2, default=str)
    path.write_text(text + "\n", encoding="utf-8", newline="\n")
    return path


def verify_manifest(out: Path) -> list[str]:
    """Problems found checking an export's files against its manifest (empty: all good)."""
    manifest = json.loads((out / FILE_NAME).read_text(encoding="utf-8"))
    problems = []
    listed = set()
    for entry in manifest["files"]:
        path = out / entry["path"]
        listed.add(entry["path"])
        if not path.is_file():
            problems.append(f"{entry['path']}: missing")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: SHA-256 differs from the manifest")
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if path.is_file() and rel != FILE_NAME and rel not in listed:
            problems.append(f"{rel}: not listed in the manifest")
    return problems
