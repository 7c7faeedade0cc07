"""Per-host politeness shared by every crawl process, on every machine (table `host_pace`).

Scrapy keeps its per-host delay in one process. Crawls of different sources on one
host (two blogs on one server, a Disqus or Substack API) run in different processes,
often on different workers, and would each keep their own delay: together they would
send the host requests closer than any of them is allowed to. So on a PostgreSQL
archive each request first reserves its start time in the host's row, in one
statement under the row's lock:

    start      = greatest(the row's next_at, now, resume_at)
    next_at    = start + greatest(this crawl's delay, the host's Crawl-delay) + margin

and waits until `start`. `crawl_delay` (robots.txt, remembered for a day) and
`resume_at` (Retry-After) are written by whichever crawl heard them, and slow every
crawl of that host. All times are the database server's clock, so the workers' clocks
need not agree; `margin` absorbs the jitter between a reservation and the request
leaving the machine.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

__all__ = ["CRAWL_DELAY_KEPT_SECONDS", "HostPace"]

# A Crawl-delay is the site's standing wish: kept a day, then read again from robots.txt.
CRAWL_DELAY_KEPT_SECONDS = 86_400.0

_SPACING = (
    "greatest(:delay, CASE WHEN host_pace.crawl_delay_until > now()"
    " THEN host_pace.crawl_delay ELSE 0 END) + :margin"
)

# One statement: the first request to a host creates its row and starts at once.
_RESERVE = text(
    "INSERT INTO host_pace (host, next_at, crawl_delay)"
    " VALUES (:host, now() + make_interval(secs => :delay + :margin), 0)"
    " ON CONFLICT (host) DO UPDATE SET next_at ="
    " greatest(host_pace.next_at, now(), coalesce(host_pace.resume_at, '-infinity'))"
    f" + make_interval(secs => {_SPACING})"
    f" RETURNING extract(epoch FROM host_pace.next_at - make_interval(secs => {_SPACING})"
    " - now())::float8"
)

_CRAWL_DELAY = text(
    "INSERT INTO host_pace (host, next_at, crawl_delay, crawl_delay_until)"
    " VALUES (:host, now(), :delay, now() + make_interval(secs => :kept))"
    " ON CONFLICT (host) DO UPDATE SET crawl_delay = :delay,"
    " crawl_delay_until = now() + make_interval(secs => :kept)"
)

_RESUME_AT = text(
    "INSERT INTO host_pace (host, next_at, crawl_delay, resume_at)"
    " VALUES (:host, now(), 0, now() + make_interval(secs => :wait))"
    " ON CONFLICT (host) DO UPDATE SET resume_at ="
    " greatest(coalesce(host_pace.resume_at, '-infinity'), now() + make_interval(secs => :wait))"
)


class HostPace:
    """The shared reservations of request start times, per host, on a PostgreSQL engine."""

    def __init__(self, engine: Engine, *, margin: float) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the shared host pace needs PostgreSQL")
        self.engine = engine
        self.margin = margin

    def reserve(self, host: str, delay: float) -> float:
        """Reserve the next start on `host`, `delay` after the one before; seconds to wait."""
        with self.engine.begin() as conn:
            wait = conn.execute(
                _RESERVE, {"host": host, "delay": delay, "margin": self.margin}
            ).scalar_one()
        return max(0.0, float(wait))

    def note_crawl_delay(self, host: str, delay: float) -> None:
        """robots.txt asked for `delay` seconds between requests: every crawl keeps it."""
        with self.engine.begin() as conn:
            conn.execute(_CRAWL_DELAY, {"host": host, "delay": delay,
                                        "kept": CRAWL_DELAY_KEPT_SECONDS})

    def note_retry_after(self, host: str, wait: float) -> None:
        """The host said Retry-After `wait` seconds: no crawl sends it anything before."""
        with self.engine.begin() as conn:
            conn.execute(_RESUME_AT, {"host": host, "wait": wait})
