"""Rewriting WARC captures after a takedown: records that held redacted content are replaced.

Every response record is decoded (transfer and content encoding undone) and read as
text, with HTML entities decoded, tags dropped, and JSON strings unescaped; when any
reading holds a redacted name or passage (`storage.redaction.takedown.Forbidden`), the
record is replaced by a `metadata` record naming the URL and saying it was redacted. The
other records are copied byte for byte. A reparse of the crawl then finds no capture for
that URL and records its thread as partial (no deletion is inferred), so nothing comes
back from the capture either.

The rewritten file is written beside the original (`NAME.redacted-tmp`); the takedown
replaces the original with it after its transaction commits, and re-points the fetch
rows at the records' new offsets.
"""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path
from typing import Any

from storage.redaction.takedown import Forbidden, RewrittenWarc

from .warc import REDACTED_NOTE, _sha256

__all__ = ["readings", "rewrite_warcs"]

_TAG = re.compile(r"<[^>]*>")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def readings(body: bytes) -> list[str]:
    """The ways a decoded body can be read as text: as is, unescaped, without tags, and
    the strings of a JSON document."""
    text = body.decode("utf-8", errors="replace")
    unescaped = html.unescape(text)
    found = [text, unescaped, _TAG.sub(" ", unescaped)]
    try:
        strings = "\n".join(_strings(json.loads(text)))
    except ValueError:
        return found
    unescaped = html.unescape(strings)
    return [*found, strings, unescaped, _TAG.sub(" ", unescaped)]


def _scan(path: Path, forbidden: Forbidden) -> list[tuple[int, int, Any]]:
    """(offset, length, None or the WARC headers of a record to replace), in file order."""
    from warcio.archiveiterator import ArchiveIterator

    records: list[tuple[int, int, Any]] = []
    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        for record in it:
            hit = None
            if record.rec_type == "response" and record.http_headers is not None:
                body = record.content_stream().read()
                if any(forbidden.found_in(t) for t in readings(body)):
                    hit = record.rec_headers
            # the offset and length are known once the record is read to its end
            it.read_to_end(record)
            records.append((it.get_record_offset(), it.get_record_length(), hit))
    return records


def _rewrite(path: Path, forbidden: Forbidden) -> RewrittenWarc | None:
    from warcio.warcwriter import WARCWriter

    records = _scan(path, forbidden)
    if not any(hit is not None for _, _, hit in records):
        return None
    out = path.with_name(path.name + ".redacted-tmp")
    offsets: dict[int, int] = {}
    replaced = 0
    with path.open("rb") as src, out.open("wb") as dst:
        writer = WARCWriter(dst, gzip=path.name.endswith(".gz"), warc_version="1.1")
        for offset, length, hit in records:
            if dst.tell() != offset:
                offsets[offset] = dst.tell()
            if hit is None:
                src.seek(offset)
                dst.write(src.read(length))
                continue
            replaced += 1
            note = writer.create_warc_record(
                hit.get_header("WARC-Target-URI"), "metadata", payload=io.BytesIO(REDACTED_NOTE),
                warc_content_type="text/plain",
                warc_headers_dict={"WARC-Date": hit.get_header("WARC-Date"),
                                   "WARC-Refers-To": hit.get_header("WARC-Record-ID")},
            )  # fmt: skip
            writer.write_record(note)
    return RewrittenWarc(name=path.name, path=path, rewritten=out, sha256=_sha256(out),
                         offsets=offsets, records_redacted=replaced)  # fmt: skip


def rewrite_warcs(paths: list[Path], forbidden: Forbidden) -> list[RewrittenWarc]:
    """The files among `paths` that held redacted content, rewritten beside them."""
    done = []
    for path in paths:
        rewritten = _rewrite(path, forbidden)
        if rewritten is not None:
            done.append(rewritten)
    return done
