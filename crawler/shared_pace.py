"""The crawl's side of the shared host pace (storage/host_pace.py): when it is on, and its door.

On when the setting PALIMPSEST_SHARED_PACE is true (env PALIMPSEST_SHARED_PACE=1;
`palimpsest worker` sets it for its crawls) and the archive is PostgreSQL. Then every
HTTP request reserves its start time on its host in the archive before it leaves
(`PacedDownloadHandler`), and the Crawl-delay and Retry-After a crawl hears are written
back for all (`crawler.middlewares.hosts`). Off, nothing here touches the database.
"""

from __future__ import annotations

import logging
from typing import Any

from storage.host_pace import HostPace

__all__ = ["PACE_ATTR", "shared_pace"]

logger = logging.getLogger(__name__)

# The crawl's one HostPace rides on its Crawler, built by whichever component asks first.
PACE_ATTR = "_palimpsest_host_pace"


def shared_pace(crawler: Any) -> HostPace | None:
    """The crawl's HostPace, or None when the shared pace is off."""
    if not hasattr(crawler, PACE_ATTR):
        setattr(crawler, PACE_ATTR, _open(crawler.settings))
    pace: HostPace | None = getattr(crawler, PACE_ATTR)
    return pace


def _open(settings: Any) -> HostPace | None:
    if not settings.getbool("PALIMPSEST_SHARED_PACE"):
        return None
    from storage.engine import connect

    engine = connect(settings.get("PALIMPSEST_DB_URL"))
    if engine.dialect.name != "postgresql":
        engine.dispose()
        logger.info("shared host pace: off (the archive is not PostgreSQL)")
        return None
    return HostPace(engine, margin=settings.getfloat("PALIMPSEST_SHARED_PACE_MARGIN"))
