"""The archive as researchers see it, for comparing two archives row for row.

Every row of every view, without what differs between two archives of the same pages
by construction: surrogate keys (ids, crawl ids) and the times of the crawls
(valid_from, first/last seen). What is left is what was archived.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import create_engine, inspect, text

CRAWL_TIMES = {"valid_from", "valid_to", "first_seen_at", "last_seen_at", "crawl_started_at"}


def _kept(column: str) -> bool:
    surrogate = (column == "id" or column.endswith("_id")) and "external" not in column
    return not surrogate and column not in CRAWL_TIMES


def view_rows(db_url: str) -> dict[str, Counter[tuple[tuple[str, Any], ...]]]:
    """View name -> its rows (volatile columns dropped), as a multiset."""
    engine = create_engine(db_url)
    try:
        views = sorted(inspect(engine).get_view_names())
        found = {}
        with engine.connect() as conn:
            for view in views:
                rows = conn.execute(text(f'SELECT * FROM "{view}"')).mappings().all()
                found[view] = Counter(
                    tuple((k, repr(v)) for k, v in sorted(row.items()) if _kept(k))
                    for row in rows
                )
    finally:
        engine.dispose()
    return found
