"""A pseudonymized export holds no author name or key from the archive, in any file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.engine import open_engine
from storage.export.pseudonymize import Pseudonymizer, name_key
from tests.export.conftest import SampleArchive
from tests.export.helpers import all_files, cli


def _archive_names(url: str) -> set[str]:
    engine = open_engine(url, read_only=True)
    try:
        with engine.connect() as conn:
            names = {r[0] for r in conn.exec_driver_sql("SELECT display_name FROM author")}
            names |= {r[0] for r in conn.exec_driver_sql("SELECT key FROM author")}
            names |= {r[0] for r in conn.exec_driver_sql("SELECT raw_name FROM author_alias")}
            names |= {r[0] for r in conn.exec_driver_sql(
                "SELECT raw_name FROM reply WHERE raw_name IS NOT NULL")}
    finally:
        engine.dispose()
    return names


def _texts(path: Path) -> str:
    """Everything a reader could see in a file, as text (Parquet is compressed: decode it)."""
    if path.suffix == ".parquet":
        return json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False)
    if path.suffix == ".sqlite":
        db = sqlite3.connect(path)
        dump = "\n".join(db.iterdump())
        db.close()
        return dump + path.read_bytes().decode("utf-8", "replace")
    return path.read_bytes().decode("utf-8")


def test_no_author_name_or_key_survives(sample: SampleArchive, tmp_path: Path) -> None:
    out = tmp_path / "pseudo"
    result = cli("export", "--db", sample.url, "--out", str(out), "--as-of",
                 "2024-03-02T23:00:00Z", "--pseudonymize", "--format", "parquet",
                 "--format", "csv", "--format", "jsonl", "--format", "sqlite")
    assert result.exit_code == 0, result.output
    names = _archive_names(sample.url)
    assert {"Zorblat Quux", "zorblat quux", "Quillon Drax", "mirabel fennimore"} <= names
    files = all_files(out)
    assert len(files) >= 20
    for path in files:
        text = _texts(path).casefold()
        for name in names:
            assert name.casefold() not in text, f"{name!r} found in {path.name}"
        # slugs of names in URLs too (people.example/quillon-drax/)
        assert "quillon-drax" not in text, path.name
    # the salt is beside the export, never in it
    salt_file = tmp_path / "pseudo.salt"
    salt = salt_file.read_text().strip()
    assert len(salt) == 64
    for path in files:
        assert salt not in _texts(path)
    # the same person has the same pseudonym in every table
    comments = pq.read_table(out / "comments.parquet").to_pylist()
    authors = {r["author_key"]: r for r in pq.read_table(out / "authors.parquet").to_pylist()}
    for c in comments:
        assert c["author_key"] in authors and c["author_name"] == c["author_key"]
        assert c["author_key"].startswith("author-")
    replies = pq.read_table(out / "replies.parquet").to_pylist()
    zorblat = next(c["author_key"] for c in comments if c["external_id"] == "1")
    assert any(r["raw_name"] == zorblat for r in replies)  # "@Zorblat Quux" -> his pseudonym
    assert f"@{zorblat}" in next(c["body_text"] for c in comments if c["external_id"] == "5")


def test_given_salt_makes_pseudonyms_reproducible(sqlite_sample: SampleArchive, tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = cli("export", "--db", sqlite_sample.url, "--out", str(tmp_path / name),
                     "--as-of", "2024-03-02T23:00:00Z", "--pseudonymize", "--salt", "s3cret",
                     "--format", "csv")
        assert result.exit_code == 0, result.output
    for a, b in zip(all_files(tmp_path / "a"), all_files(tmp_path / "b"), strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert not (tmp_path / "a.salt").exists()  # a given salt is not written anywhere


def test_text_replacement_rules() -> None:
    p = Pseudonymizer("salt", ["Zorblat Quux", "Al", "mirabel"])
    z = p.pseudonym("Zorblat Quux")
    assert p.pseudonym("zorblat   QUUX") == z  # same key, same pseudonym
    assert p.text("@Zorblat Quux: yes") == f"@{z}: yes"
    assert p.text("as Zorblat\nQuux said") == f"as {z} said"
    assert p.text("Also, Al said") == "Also, Al said"  # too short to replace bare ...
    assert p.text("@Al said") == f"@{p.pseudonym('Al')} said"  # ... but not after '@'
    assert p.text("mail me@example.org") == "mail me@example.org"
    unknown = p.text("thanks @someone_else!")
    assert unknown == f"thanks @{p.pseudonym('someone_else')}!"
    assert p.text(unknown) == unknown  # a pseudonym is never hashed again


names = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=3, max_size=12)


@settings(max_examples=200, deadline=None)
@given(first=names, last=names, others=st.lists(names, max_size=5),
       case=st.sampled_from(["as is", "upper", "lower", "@"]))
def test_a_known_name_never_survives_in_text(first: str, last: str, others: list[str],
                                             case: str) -> None:
    name = f"{first} {last}"
    p = Pseudonymizer("salt", [name, *others])
    shown = {"as is": name, "upper": name.upper(), "lower": name.lower(), "@": "@" + name}[case]
    out = p.text(f"Reply to {shown}: thanks, {shown}!") or ""
    assert name_key(name) not in name_key(out)
