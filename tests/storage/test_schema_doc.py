"""docs/schema.md documents every column of every public view (the test proves it)."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"
VIEWS = (
    "current_posts",
    "current_comments",
    "post_history",
    "comment_history",
    "comment_replies",
    "comment_quotes",
    "changes",
    "thread_problems",
)


def test_every_view_column_is_documented(engine: sa.Engine) -> None:
    text = DOC.read_text(encoding="utf-8")
    sections = re.split(r"^### ", text, flags=re.MULTILINE)
    insp = sa.inspect(engine)
    assert set(VIEWS) <= set(insp.get_view_names())
    for view in VIEWS:
        section = next(s for s in sections if s.startswith(f"`{view}`"))
        missing = [
            c["name"]
            for c in insp.get_columns(view)
            if f"`{c['name']}`" not in section
            and not re.search(rf"[`,]\s*{c['name']}[,`]", section)
        ]
        assert missing == [], f"{view}: undocumented columns {missing}"
