"""One `palimpsest redact`: find the targets, rewrite the archive and the WARC captures in
one transaction, show what changed, commit only when confirmed, then reclaim the space.

The WARC rewrite is the caller's (`crawler.warc_redact`, as storage reads no WARC): it
gets the files and a `Forbidden` test and returns the rewritten copies, which replace
the originals only after the commit. Bad input raises InputError before anything changes.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from storage.errors import InputError
from storage.models import crawl_t, fetch_t
from storage.names import MIN_BARE_NAME

from .apply import Changes, LinksOf, apply_target
from .denylist import record_rule
from .rules import NameFinder, RuleKind, words
from .targets import Target, find_targets

__all__ = ["Forbidden", "RewrittenWarc", "TakedownResult", "run_takedown"]

# the tables a takedown rewrites (vacuumed after it on PostgreSQL); the WARC rewrite
# touches fetch and crawl too
TOUCHED = ("comment_version", "post_version", "reply", "quote", "author", "author_alias")
_MIN_PASSAGE = 12  # shorter pieces of a redacted text are not looked for alone


@dataclass(frozen=True)
class Forbidden:
    """What must not remain in a capture: the names and the redacted passages."""

    names: tuple[str, ...]
    passages: tuple[str, ...]
    hashed: NameFinder

    @classmethod
    def of(cls, names: Iterable[str], texts: Iterable[str], hashes: Iterable[str]) -> Forbidden:
        keep = {" ".join(n.split()).casefold() for n in names}
        pieces: set[str] = set()
        for text in texts:
            # each sentence, as words (see rules.words), when long enough to mean it
            parts = [words(p) for p in re.split(r"[.!?\n]", text)]
            long = [p for p in parts if len(p) >= _MIN_PASSAGE]
            whole = words(text)
            pieces.update(long or ([whole] if len(whole.strip()) >= 4 else []))
        return cls(tuple(sorted(n for n in keep if len(n) >= MIN_BARE_NAME)), tuple(sorted(pieces)),
                   NameFinder(hashes))

    def found_in(self, text: str) -> bool:
        """Whether `text` (a decoded capture, in any of its readings) holds any of it."""
        flat, spoken = " ".join(text.split()).casefold(), words(text)
        return (any(n in flat for n in self.names) or any(p in spoken for p in self.passages)
                or bool(self.hashed.spans(text)))  # fmt: skip


@dataclass(frozen=True)
class RewrittenWarc:
    """A WARC file rewritten without the records that held redacted content."""

    name: str
    path: Path  # the original
    rewritten: Path  # the new copy, beside it
    sha256: str
    offsets: dict[int, int]  # old record offset -> new, for records that moved
    records_redacted: int


RewriteWarcs = Callable[[list[Path], Forbidden], list[RewrittenWarc]]


@dataclass
class TakedownResult:
    targets: list[Target]
    changes: list[Changes]
    redaction_ids: list[int] = field(default_factory=list)
    warcs: list[RewrittenWarc] = field(default_factory=list)
    committed: bool = False

    def summary(self) -> str:
        lines = []
        for target, changes in zip(self.targets, self.changes, strict=True):
            rule = target.rule
            what = {"author": "the author", "comment": f"comment {rule.comment_external_id} on "
                    f"post {rule.post_external_id}", "post": f"post {rule.post_external_id}"}[rule.kind]
            counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in changes.counts().items())
            lines.append(f"{rule.source_key}: {what}: {counts}")
        for w in self.warcs:
            lines.append(f"WARC {w.name}: {w.records_redacted} response records replaced")
        return "\n".join(lines)


def _warc_files(conn: Connection, source_ids: list[int], warc_dir: Path) -> list[Path]:
    names: set[str] = set()
    for digests in conn.scalars(
        sa.select(crawl_t.c.warc_sha256).where(crawl_t.c.source_id.in_(source_ids),
                                               crawl_t.c.warc_sha256.is_not(None))
    ):  # fmt: skip
        names.update(digests or {})
    paths = [warc_dir / n for n in sorted(names)]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise InputError(
            f"--warc {str(warc_dir)!r}: WARC file {missing[0].name} of this source is not there; "
            "give the directory the crawls wrote to (nothing was changed)"
        )
    return paths


def _relocate(conn: Connection, warc: RewrittenWarc) -> None:
    """Point fetch rows at the records' new offsets; record the file's new digest."""
    for old, new in warc.offsets.items():
        conn.execute(sa.update(fetch_t).where(fetch_t.c.warc_file == warc.name,
                                              fetch_t.c.warc_offset == old).values(warc_offset=new))
    for crawl in conn.execute(sa.select(crawl_t.c.id, crawl_t.c.warc_sha256)
                              .where(crawl_t.c.warc_sha256.is_not(None))).all():  # fmt: skip
        digests: dict[str, Any] = dict(crawl.warc_sha256 or {})
        if warc.name in digests:
            digests[warc.name] = warc.sha256
            conn.execute(sa.update(crawl_t).where(crawl_t.c.id == crawl.id).values(warc_sha256=digests))


def run_takedown(
    engine: Engine, kind: RuleKind, value: str, *, reason: str, command: Callable[[Target], str],
    links_of: LinksOf, warc_dir: Path, rewrite_warcs: RewriteWarcs,
    confirm: Callable[[TakedownResult], bool],
) -> TakedownResult:
    """Redact what `--KIND VALUE` names; see the module docstring."""
    if not reason.strip():
        raise InputError("--reason must say why (it is recorded in the redaction table)")
    with engine.connect() as conn:
        trans = conn.begin()
        result: TakedownResult | None = None
        try:
            targets = find_targets(conn, kind, value)
            result = TakedownResult(targets, [apply_target(conn, t, links_of) for t in targets])
            for target, changes in zip(targets, result.changes, strict=True):
                result.redaction_ids.append(
                    record_rule(conn, target, reason=reason, command=command(target), changes=changes)
                )
            forbidden = Forbidden.of(
                [n for t in targets for n in t.names],
                [text for c in result.changes for text in c.texts],
                [h for t in targets for h in t.rule.name_hashes],
            )
            files = _warc_files(conn, sorted({t.source_id for t in targets}), warc_dir)
            result.warcs = rewrite_warcs(files, forbidden)
            for warc in result.warcs:
                _relocate(conn, warc)
            if not confirm(result):
                trans.rollback()
                _discard(result.warcs)
                return result
            trans.commit()
        except BaseException:
            trans.rollback()
            if result is not None:
                _discard(result.warcs)
            raise
    for warc in result.warcs:
        warc.rewritten.replace(warc.path)
    result.committed = True
    reclaim(engine, TOUCHED + (("fetch", "crawl") if result.warcs else ()))
    return result


def _discard(warcs: list[RewrittenWarc]) -> None:
    for warc in warcs:
        with contextlib.suppress(FileNotFoundError):
            warc.rewritten.unlink()


def reclaim(engine: Engine, tables: tuple[str, ...]) -> None:
    """Make the old text unrecoverable from the database's files.

    SQLite: VACUUM rewrites the file without free pages, and a checkpoint empties the
    write-ahead log. PostgreSQL: VACUUM FULL rewrites each touched table without its dead
    rows (it locks the table meanwhile: a crawl writing waits).
    """
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("VACUUM")  # type: ignore[union-attr]
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.exec_driver_sql(f'VACUUM FULL "{table}"')
