"""The crawl lock: at most one crawl of a source at a time, across processes and machines.

`crawl_lock(engine, source_key)` is held for the whole life of one crawl process.

* PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a 64-bit hash
  of the key, held on a connection of its own. The server releases it when that
  connection ends, so a crashed or killed crawl never leaves the lock behind. A row in
  `crawl_lock` names the holder, for messages and `palimpsest schedule list` only. A
  keeper thread checks that the session still holds the lock (a server restart ends it).
* SQLite: the row in `crawl_lock` *is* the lock. Taking it is one atomic INSERT (or a
  compare-and-swap UPDATE of a stale row); a heartbeat thread refreshes `heartbeat_at`,
  and a row whose heartbeat is older than `stale_after` seconds, or whose holder is a
  process on this host that no longer exists, is taken over.

A second acquirer gets `CrawlLocked`, naming the source and the holder. A holder that
loses the lock is told through `CrawlLockHandle.lost` and must stop (crawler.runner does).

`mark_stale_crawls_aborted` closes the crawl rows that a dead crawl left `running`;
the crawl runner calls it right after taking the lock.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from storage.errors import CrawlLocked
from storage.models import Crawl, CrawlLock, Source

__all__ = [
    "DEFAULT_HEARTBEAT_EVERY",
    "DEFAULT_STALE_AFTER",
    "CrawlLockHandle",
    "LockHolder",
    "crawl_lock",
    "database_lock",
    "lock_holder",
    "mark_stale_crawls_aborted",
]

log = logging.getLogger(__name__)

# A heartbeat every 15 s and takeover after 120 s: eight missed beats, so a crawl whose
# SQLite writes keep the file busy for a while is not mistaken for a dead one.
DEFAULT_HEARTBEAT_EVERY = 15.0
DEFAULT_STALE_AFTER = 120.0

ABORTED_MESSAGE = "the crawl process ended without finishing (found by a later crawl)"


@dataclass(frozen=True, kw_only=True)
class LockHolder:
    """Who holds a lock, as recorded in `crawl_lock`."""

    key: str
    pid: int
    host: str
    token: str
    acquired_at: datetime  # UTC, aware
    heartbeat_at: datetime  # UTC, aware

    def describe(self) -> str:
        """One line for a user: `pid 4242 on lab1 since 2026-11-27 03:00:12 UTC`."""
        since = self.acquired_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"pid {self.pid} on {self.host} since {since}"


@dataclass(kw_only=True)
class CrawlLockHandle:
    """The lock as held by this process; `lost` is set, with `why`, when it is no longer
    ours (another process took the SQLite row over, or the PostgreSQL session holding the
    advisory lock ended). The holder must then stop: someone else may be crawling."""

    key: str
    token: str
    lost: threading.Event
    why: str = ""

    def mark_lost(self, why: str) -> None:
        self.why = why
        log.error("the lock on %r is lost: %s", self.key, why)
        self.lost.set()


def _now() -> datetime:
    return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything this module writes is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _advisory_key(key: str) -> int:
    """A stable signed 64-bit number for `key` (Python's hash() changes per process)."""
    digest = hashlib.blake2b(f"palimpsest.crawl_lock:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def lock_holder(
    engine: Engine, key: str, *, stale_after: float = DEFAULT_STALE_AFTER
) -> LockHolder | None:
    """The live holder of the lock on `key`, or None when nobody holds it.

    On PostgreSQL the row counts only while the advisory lock is really held; on SQLite
    a row that the next acquirer would take over (see `crawl_lock`) does not count.
    """
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql" and not _pg_lock_taken(conn, key):
            return None
        holder = _read_holder(conn, key)
    if holder is not None and _abandoned(holder, stale_after):
        return None
    return holder


def _abandoned(holder: LockHolder, stale_after: float) -> bool:
    """Whether a SQLite lock row may be taken over: heartbeat too old, or holder gone."""
    stale = _now() - holder.heartbeat_at > timedelta(seconds=stale_after)
    dead = holder.host == socket.gethostname() and not _pid_alive(holder.pid)
    return stale or dead


def _holder_from_tuple(row: object) -> LockHolder:
    # Core rows from `select(table)`, read by column name.
    m = row._mapping  # type: ignore[attr-defined]
    return LockHolder(
        key=m["source_key"],
        pid=m["owner_pid"],
        host=m["owner_host"],
        token=m["owner_token"],
        acquired_at=_as_utc(m["acquired_at"]),
        heartbeat_at=_as_utc(m["heartbeat_at"]),
    )


def _read_holder(conn: Connection, key: str) -> LockHolder | None:
    row = conn.execute(select(CrawlLock.__table__).where(CrawlLock.source_key == key)).first()
    return None if row is None else _holder_from_tuple(row)


def _pg_lock_taken(conn: Connection, key: str) -> bool:
    """Whether any session holds the advisory lock on `key` (read from pg_locks)."""
    number = _advisory_key(key)
    # A bigint advisory key shows in pg_locks split into two 32-bit oids, objsubid 1.
    found = conn.execute(
        text(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = :hi AND objid = :lo AND objsubid = 1"
        ),
        {"hi": (number >> 32) & 0xFFFFFFFF, "lo": number & 0xFFFFFFFF},
    ).first()
    return found is not None


def _locked_error(what: str, holder: LockHolder | None) -> CrawlLocked:
    by = holder.describe() if holder is not None else "another process"
    return CrawlLocked(f"{what} is already running ({by}); not starting a second one")


def _write_row(conn: Connection, key: str, token: str) -> None:
    now = _now()
    conn.execute(
        insert(CrawlLock).values(
            source_key=key,
            owner_pid=os.getpid(),
            owner_host=socket.gethostname(),
            owner_token=token,
            acquired_at=now,
            heartbeat_at=now,
        )
    )


def _take_row(engine: Engine, key: str, token: str, stale_after: float) -> LockHolder | None:
    """Try to take the SQLite lock row; return None on success, else the live holder."""
    try:
        with engine.begin() as conn:
            _write_row(conn, key, token)
        return None
    except IntegrityError:
        pass
    with engine.begin() as conn:
        holder = _read_holder(conn, key)
        if holder is None:  # released between our INSERT and this read: try once more
            try:
                _write_row(conn, key, token)
                return None
            except IntegrityError:
                return _read_holder(conn, key)
        if not _abandoned(holder, stale_after):
            return holder
        # Compare-and-swap on the old token: of two processes recovering the same stale
        # lock, exactly one UPDATE matches.
        now = _now()
        taken = conn.execute(
            update(CrawlLock)
            .where(CrawlLock.source_key == key, CrawlLock.owner_token == holder.token)
            .values(
                owner_pid=os.getpid(),
                owner_host=socket.gethostname(),
                owner_token=token,
                acquired_at=now,
                heartbeat_at=now,
            )
        ).rowcount
        if taken == 1:
            log.warning("took over the stale lock on %r from %s", key, holder.describe())
            return None
        return _read_holder(conn, key) or holder


def _heartbeat(
    engine: Engine, handle: CrawlLockHandle, every: float, stop: threading.Event
) -> None:
    while not stop.wait(every):
        try:
            with engine.begin() as conn:
                kept = conn.execute(
                    update(CrawlLock)
                    .where(
                        CrawlLock.source_key == handle.key, CrawlLock.owner_token == handle.token
                    )
                    .values(heartbeat_at=_now())
                ).rowcount
        except OperationalError as exc:  # busy file: the next beat will do
            log.debug("lock heartbeat on %r failed: %s", handle.key, exc)
            continue
        if kept == 0:
            with engine.connect() as conn:
                holder = _read_holder(conn, handle.key)
            by = holder.describe() if holder is not None else "another process"
            handle.mark_lost(f"taken over by {by}")
            return


@contextmanager
def _sqlite_lock(
    engine: Engine, key: str, what: str, heartbeat_every: float, stale_after: float
) -> Iterator[CrawlLockHandle]:
    handle = CrawlLockHandle(key=key, token=uuid.uuid4().hex, lost=threading.Event())
    holder = _take_row(engine, key, handle.token, stale_after)
    if holder is not None:
        raise _locked_error(what, holder)
    stop = threading.Event()
    beat = threading.Thread(
        target=_heartbeat,
        args=(engine, handle, heartbeat_every, stop),
        name=f"lock-heartbeat-{key}",
        daemon=True,
    )
    beat.start()
    try:
        yield handle
    finally:
        stop.set()
        beat.join()
        try:
            with engine.begin() as conn:
                conn.execute(
                    delete(CrawlLock).where(
                        CrawlLock.source_key == key, CrawlLock.owner_token == handle.token
                    )
                )
        except DBAPIError as exc:
            # The work is done; a row left behind names a dead pid and is taken over.
            log.warning("could not release the lock on %r: %s", key, exc)


def _pg_keeper(
    conn: Connection, handle: CrawlLockHandle, number: int, every: float, stop: threading.Event
) -> None:
    """Check now and then that this session still holds the advisory lock.

    A server restart, a network cut or an idle-session timeout ends the session, and
    with it the lock, without a word to this process. The lock's connection is used by
    nothing else until release, so this thread may query it.
    """
    while not stop.wait(every):
        try:
            held = conn.execute(
                text(
                    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND pid = pg_backend_pid() AND classid = :hi AND objid = :lo"
                    " AND objsubid = 1"
                ),
                {"hi": (number >> 32) & 0xFFFFFFFF, "lo": number & 0xFFFFFFFF},
            ).first()
            conn.rollback()  # not idle in a transaction between checks
        except DBAPIError as exc:
            first_line = str(exc.orig or exc).strip().splitlines()[0]
            handle.mark_lost(f"the database session holding it ended ({first_line})")
            return
        if held is None:
            handle.mark_lost("the database session no longer holds it")
            return


@contextmanager
def _postgres_lock(
    engine: Engine, key: str, what: str, check_every: float
) -> Iterator[CrawlLockHandle]:
    handle = CrawlLockHandle(key=key, token=uuid.uuid4().hex, lost=threading.Event())
    number = _advisory_key(key)
    # The advisory lock belongs to this connection's session: it stays checked out
    # until release, and the server frees the lock if the process dies.
    conn = engine.connect()
    try:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": number}).scalar()
        conn.commit()
        if not got:
            holder = _read_holder(conn, key)
            conn.rollback()
            raise _locked_error(what, holder)
        try:
            # The row only describes the holder; a leftover from a killed holder is
            # replaced, which is safe because we hold the advisory lock.
            conn.execute(delete(CrawlLock).where(CrawlLock.source_key == key))
            _write_row(conn, key, handle.token)
            conn.commit()
            stop = threading.Event()
            keeper = threading.Thread(
                target=_pg_keeper,
                args=(conn, handle, number, check_every, stop),
                name=f"lock-keeper-{key}",
                daemon=True,
            )
            keeper.start()
            try:
                yield handle
            finally:
                stop.set()
                keeper.join()
        finally:
            try:
                conn.rollback()
                conn.execute(
                    delete(CrawlLock).where(
                        CrawlLock.source_key == key, CrawlLock.owner_token == handle.token
                    )
                )
                conn.commit()
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": number})
                conn.commit()
            except DBAPIError as exc:
                # The connection died (server restart): the server has freed the lock.
                log.warning("could not release the lock on %r: %s", key, exc)
    finally:
        conn.close()


@contextmanager
def database_lock(
    engine: Engine,
    key: str,
    *,
    what: str,
    heartbeat_every: float = DEFAULT_HEARTBEAT_EVERY,
    stale_after: float = DEFAULT_STALE_AFTER,
) -> Iterator[CrawlLockHandle]:
    """Hold the named lock `key` in the archive database, or raise `CrawlLocked`.

    `what` names the guarded activity in the error message ("the crawl of source 'x'").
    Every `heartbeat_every` seconds the lock is renewed (SQLite) or checked (PostgreSQL);
    `handle.lost` tells the holder when it is no longer held.
    """
    if engine.dialect.name == "postgresql":
        with _postgres_lock(engine, key, what, heartbeat_every) as handle:
            yield handle
    else:
        with _sqlite_lock(engine, key, what, heartbeat_every, stale_after) as handle:
            yield handle


@contextmanager
def crawl_lock(
    engine: Engine,
    source_key: str,
    *,
    heartbeat_every: float = DEFAULT_HEARTBEAT_EVERY,
    stale_after: float = DEFAULT_STALE_AFTER,
) -> Iterator[CrawlLockHandle]:
    """Hold the crawl lock of `source_key` for the duration of the block.

    Raises `CrawlLocked` (exit status 3) naming the source and the holder when another
    crawl of that source runs, in this or any other process or machine.
    """
    with database_lock(
        engine,
        source_key,
        what=f"a crawl of source {source_key!r}",
        heartbeat_every=heartbeat_every,
        stale_after=stale_after,
    ) as handle:
        yield handle


def mark_stale_crawls_aborted(
    engine: Engine, source_key: str, *, exclude_crawl_id: int | None = None
) -> int:
    """Mark `aborted` the crawls of `source_key` still `running`; return how many.

    Call it while holding `crawl_lock(engine, source_key)`: then no other crawl of the
    source is alive, so a `running` row can only be the remains of a process that was
    killed or crashed. This is what stops a crashed crawl from looking busy forever,
    and the next scheduled slot simply runs again (no retry loop).
    """
    source_ids = select(Source.id).where(Source.key == source_key).scalar_subquery()
    stmt = (
        update(Crawl)
        .where(Crawl.source_id == source_ids, Crawl.status == "running")
        .values(
            status="aborted",
            finished_at=_now(),
            error=func.coalesce(Crawl.error, ABORTED_MESSAGE),
        )
    )
    if exclude_crawl_id is not None:
        stmt = stmt.where(Crawl.id != exclude_crawl_id)
    with engine.begin() as conn:
        count = conn.execute(stmt).rowcount
    if count:
        log.warning("marked %d unfinished crawl(s) of %r as aborted", count, source_key)
    return count
