"""Archive.archived_texts: every archived text of a thread's comments, for its quotes' sources."""

from __future__ import annotations

from typing import Any

from storage.archive import Archive
from tests.factories import SOURCE_KEY, at, make_comment, make_post, make_thread, record


def test_every_version_of_every_comment_once_deleted_ones_included(archive: Archive, crawl: Any) -> None:
    first = [make_comment("1", "Said first."), make_comment("2", "Later deleted.")]
    record(archive, make_thread(first, fetched_at=at(0)), crawl())
    edited = [make_comment("1", "Said again."), make_comment("2", "Later deleted.")]
    record(archive, make_thread(edited, fetched_at=at(1)), crawl())
    record(archive, make_thread([make_comment("1", "Said again.")], fetched_at=at(2)), crawl())
    # Another post's comments are not this thread's.
    record(archive, make_thread([make_comment("1", "Elsewhere.")], post=make_post("101"),
                                fetched_at=at(2)), crawl())  # fmt: skip

    texts = archive.archived_texts(SOURCE_KEY, "100")
    assert sorted((t.external_id, t.body_text, t.body_html) for t in texts) == [
        ("1", "Said again.", "<p>Said again.</p>"),
        ("1", "Said first.", "<p>Said first.</p>"),
        ("2", "Later deleted.", "<p>Later deleted.</p>"),  # its tombstone repeats it: once
    ]
    assert {t.published_at for t in texts if t.external_id == "2"} == {make_comment("2").published_at}
    assert archive.archived_texts(SOURCE_KEY, "999") == []
    assert archive.archived_texts("no-such-source", "100") == []
