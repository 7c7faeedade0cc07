"""The archive's tables: identity rows, version rows, crawl runs (SQLAlchemy 2.0 models).

Identity tables hold one row per thing in the world (`source`, `author`, `post`,
`comment`); version tables (`post_version`, `comment_version`) hold one row per distinct
state, insert-only, with `valid_from`/`valid_to` (NULL = current). The schema changes
only through `migrations/`; `docs/schema.md` explains every column.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Dialect,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

__all__ = [
    "CRAWL_STATUSES",
    "CRAWL_TRIGGERS",
    "Author",
    "AuthorAlias",
    "Base",
    "Comment",
    "CommentVersion",
    "Crawl",
    "CrawlLock",
    "Fetch",
    "FleetWorker",
    "HostPace",
    "Post",
    "PostState",
    "PostVersion",
    "Quote",
    "Redaction",
    "Reply",
    "SchedulerJob",
    "Source",
    "ThreadProblem",
    "UTCDateTime",
    "format_utc",
    "parse_utc",
    "tables_on",
]

CRAWL_TRIGGERS = ("manual", "schedule", "reparse", "demo", "test")
CRAWL_STATUSES = ("running", "ok", "partial", "failed", "aborted")


# format_utc's results by (value, type, tzinfo, fold): a writer formats the same few
# times (the crawl's fetch time, seen-times) for every row it binds. Equal datetimes
# with the same type, tzinfo and fold have the same UTC text; fold is in the key because
# same-zone comparison ignores it, and the type in case a subclass formats differently.
_formatted: dict[tuple[datetime, type, Any, int], str] = {}
_FORMATTED_MAX = 4096


def format_utc(value: datetime) -> str:
    """The SQLite text form of an aware datetime (naive values are taken as UTC).

    The one text format of a timestamp on SQLite: fixed width, always microseconds, 'Z',
    e.g. 2024-03-01T22:00:00.000000Z. Fixed width is what makes plain text comparison
    (`valid_from <= '2024-03-02'`) order like time.
    """
    key = (value, type(value), value.tzinfo, value.fold)
    try:
        return _formatted[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable tzinfo
        return _format_utc(value)
    text = _format_utc(value)
    if len(_formatted) >= _FORMATTED_MAX:
        _formatted.clear()
    _formatted[key] = text
    return text


def _format_utc(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # isoformat, not strftime: strftime("%Y") does not zero-pad years before 1000.
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


# parse_utc's results by text: a thread's rows share a few timestamps (valid_from).
_parsed: dict[str, datetime] = {}


def parse_utc(value: str) -> datetime:
    """Read a stored timestamp back as an aware UTC datetime (tolerates other ISO forms)."""
    found = _parsed.get(value)
    if found is None:
        found = _parse_utc(value)
        if len(_parsed) >= _FORMATTED_MAX:
            _parsed.clear()
        _parsed[value] = found
    return found


def _parse_utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


# The last time bound on SQLite and its text: a thread's rows bind one fetch time each.
_last_bound: tuple[datetime | None, str] = (None, "")


def _sqlite_text(value: datetime) -> str:
    """format_utc(value), without its cache for UTC datetimes (hashing an aware datetime
    costs more than formatting it, and every comment binds a distinct published_at)."""
    global _last_bound
    last = _last_bound  # one read: another thread may replace the pair meanwhile
    if last[0] is value:
        return last[1]
    if value.tzinfo is UTC and type(value) is datetime:
        text = value.isoformat(timespec="microseconds")[:-6] + "Z"
    else:
        text = format_utc(value)
    _last_bound = (value, text)
    return text


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp: `timestamptz` on PostgreSQL, fixed-width ISO text on SQLite."""

    impl = TIMESTAMP(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(27))
        return dialect.type_descriptor(TIMESTAMP(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}: {value!r}")
        if dialect.name == "sqlite":
            return _sqlite_text(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return parse_utc(value)
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSONB on PostgreSQL so researchers can index and use its operators; JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")

intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
utc = Annotated[datetime, mapped_column(UTCDateTime())]
utc_null = Annotated[datetime | None, mapped_column(UTCDateTime(), nullable=True)]
str_key = Annotated[str, mapped_column(String(255))]
text_ = Annotated[str, mapped_column(Text)]
text_null = Annotated[str | None, mapped_column(Text, nullable=True)]
sha_hex = Annotated[str, mapped_column(String(64))]


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Source(Base):
    __tablename__ = "source"

    id: Mapped[intpk]
    key: Mapped[str_key] = mapped_column(unique=True)
    name: Mapped[text_]
    url: Mapped[text_]
    platform: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[utc]


class Crawl(Base):
    __tablename__ = "crawl"
    __table_args__ = (
        CheckConstraint(_one_of("trigger", CRAWL_TRIGGERS), name="trigger"),
        CheckConstraint(_one_of("status", CRAWL_STATUSES), name="status"),
        Index(None, "source_id", "started_at"),
    )

    id: Mapped[intpk]
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    trigger: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[utc]
    finished_at: Mapped[utc_null]
    software_version: Mapped[str | None] = mapped_column(String(64))
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    error: Mapped[text_null]
    # sha256 of each WARC file written by the crawl, {file name: hex digest}
    warc_sha256: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    pid: Mapped[int | None]
    heartbeat_at: Mapped[utc_null]


class Fetch(Base):
    __tablename__ = "fetch"
    __table_args__ = (Index(None, "crawl_id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    crawl_id: Mapped[int] = mapped_column(ForeignKey("crawl.id"))
    url: Mapped[text_]
    method: Mapped[str] = mapped_column(String(16))
    status: Mapped[int]
    fetched_at: Mapped[utc]
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    elapsed_ms: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(String(255))
    encoding: Mapped[str | None] = mapped_column(String(32))  # codec the body is read with
    error: Mapped[text_null]
    warc_file: Mapped[text_null]
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)


class Author(Base):
    __tablename__ = "author"
    __table_args__ = (UniqueConstraint("source_id", "key"),)

    id: Mapped[intpk]
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    key: Mapped[text_]
    display_name: Mapped[text_]
    profile_url: Mapped[text_null]
    external_id: Mapped[text_null]
    first_seen_at: Mapped[utc]
    last_seen_at: Mapped[utc]


class AuthorAlias(Base):
    __tablename__ = "author_alias"
    __table_args__ = (UniqueConstraint("author_id", "raw_name"),)

    id: Mapped[intpk]
    author_id: Mapped[int] = mapped_column(ForeignKey("author.id"))
    raw_name: Mapped[text_]
    first_seen_at: Mapped[utc]
    last_seen_at: Mapped[utc]


class Post(Base):
    __tablename__ = "post"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)

    id: Mapped[intpk]
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    external_id: Mapped[str_key]
    url: Mapped[text_]
    first_seen_at: Mapped[utc]
    last_seen_at: Mapped[utc]


class PostState(Base):
    """Crawl bookkeeping per post (cheap recrawls, revisit policy); not content, not versioned."""

    __tablename__ = "post_state"

    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), primary_key=True)
    fingerprint: Mapped[str | None] = mapped_column(String(128))
    etag: Mapped[text_null]
    last_modified: Mapped[text_null]
    gone_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    last_checked_at: Mapped[utc_null]
    last_activity_at: Mapped[utc_null]
    last_complete_crawl_id: Mapped[int | None] = mapped_column(ForeignKey("crawl.id"))
    # [{url, fingerprint, etag, last_modified}] of each page at the last complete crawl.
    pages: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    # When a complete check last saw the whole thread (every page fetched and read): the
    # "last seen" of each of its live comments (current_comments), so that an unchanged
    # thread writes no comment row.
    last_complete_at: Mapped[utc_null]
    # When a crawl last fetched every page of the thread (none taken on a vouching
    # page's word: crawler.thread_fetch); NULL: never, or not known.
    last_full_at: Mapped[utc_null]


class PostVersion(Base):
    __tablename__ = "post_version"
    __table_args__ = (
        UniqueConstraint("post_id", "version"),
        # At most one current version per post, enforced by the database on both engines.
        Index(
            "uq_post_version_current",
            "post_id",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
        Index(None, "crawl_id"),
    )

    id: Mapped[intpk]
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    version: Mapped[int]
    valid_from: Mapped[utc]
    valid_to: Mapped[utc_null]
    crawl_id: Mapped[int] = mapped_column(ForeignKey("crawl.id"))
    content_hash: Mapped[sha_hex]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[text_]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("author.id"))
    author_raw: Mapped[text_]
    published_at: Mapped[utc_null]
    published_raw: Mapped[text_null]  # as the page or API showed it (migration 0009)
    modified_at: Mapped[utc_null]
    tags: Mapped[list[str]] = mapped_column(JSONType)
    categories: Mapped[list[str]] = mapped_column(JSONType)
    body_html: Mapped[text_]
    body_text: Mapped[text_]
    comment_count_displayed: Mapped[int | None]


class Comment(Base):
    __tablename__ = "comment"
    __table_args__ = (UniqueConstraint("post_id", "external_id"),)

    id: Mapped[intpk]
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    external_id: Mapped[str_key]
    first_seen_at: Mapped[utc]
    last_seen_at: Mapped[utc]


class CommentVersion(Base):
    __tablename__ = "comment_version"
    __table_args__ = (
        UniqueConstraint("comment_id", "version"),
        Index(
            "uq_comment_version_current",
            "comment_id",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
        Index(None, "crawl_id"),
    )

    id: Mapped[intpk]
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"))
    version: Mapped[int]
    valid_from: Mapped[utc]
    valid_to: Mapped[utc_null]
    crawl_id: Mapped[int] = mapped_column(ForeignKey("crawl.id"))
    content_hash: Mapped[sha_hex]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("author.id"))
    author_raw: Mapped[text_]
    author_url: Mapped[text_null]
    published_at: Mapped[utc_null]
    # The date as shown (the only date where the site's zone is unknown) and whether
    # published_at was resolved from a relative one ("3 days ago"); migration 0009.
    published_raw: Mapped[text_null]
    published_approximate: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    threaded_parent_external_id: Mapped[str | None] = mapped_column(String(255))
    parent_external_id: Mapped[str | None] = mapped_column(String(255))
    body_html: Mapped[text_]
    body_text: Mapped[text_]
    own_text: Mapped[text_]
    position: Mapped[int]
    page: Mapped[int | None]
    # What the comment service says (migration 0011), not content (not hashed). On a
    # tombstone, the service's own word for the removal ("deleted", "hidden", "spam",
    # ...); NULL on live versions and on a tombstone inferred from absence.
    removed_as: Mapped[text_null]
    # Whether the service marks the comment edited (NULL: it says nothing), and when.
    edited: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    edited_at: Mapped[utc_null]


def _edge_indexes(table: str) -> tuple[Index, Index]:
    # One current edge per ordinal of a version; closed ones are its re-derivations.
    current = Index(
        f"uq_{table}_current",
        "comment_version_id",
        "ordinal",
        unique=True,
        sqlite_where=text("valid_to IS NULL"),
        postgresql_where=text("valid_to IS NULL"),
    )
    return current, Index(None, "comment_version_id")


class _EdgeValidity:
    """An edge is derived from the whole thread, so it has a validity of its own within its
    comment version's (docs/schema.md, "Re-derived edges")."""

    valid_from: Mapped[utc]
    valid_to: Mapped[utc_null]
    crawl_id: Mapped[int] = mapped_column(ForeignKey("crawl.id"))


class Reply(_EdgeValidity, Base):
    __tablename__ = "reply"
    __table_args__ = _edge_indexes("reply")

    id: Mapped[intpk]
    comment_version_id: Mapped[int] = mapped_column(ForeignKey("comment_version.id"))
    ordinal: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    raw_name: Mapped[text_null]
    target_kind: Mapped[str | None] = mapped_column(String(16))
    target_external_id: Mapped[str | None] = mapped_column(String(255))
    resolved_by: Mapped[str | None] = mapped_column(String(16))


class Quote(_EdgeValidity, Base):
    __tablename__ = "quote"
    __table_args__ = _edge_indexes("quote")

    id: Mapped[intpk]
    comment_version_id: Mapped[int] = mapped_column(ForeignKey("comment_version.id"))
    ordinal: Mapped[int]
    quoted_text: Mapped[text_]
    source_kind: Mapped[str] = mapped_column(String(16))
    source_external_id: Mapped[str | None] = mapped_column(String(255))
    source_url: Mapped[text_null]


class ThreadProblem(Base):
    """One problem a crawl found with a thread (why it is partial), naming a URL."""

    __tablename__ = "thread_problem"
    __table_args__ = (UniqueConstraint("crawl_id", "post_id", "ordinal"),)

    id: Mapped[intpk]
    crawl_id: Mapped[int] = mapped_column(ForeignKey("crawl.id"))
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"), index=True)
    ordinal: Mapped[int]  # order of the problem within the thread's list, from 0
    problem: Mapped[text_]


class Redaction(Base):
    """One takedown (`palimpsest redact`): what was redacted, when, why, by which command.

    Never the content: an author is named by a hash of their key, an item by its ids. The
    rows are also the deny-list every later write honours (`storage.redaction`).
    """

    __tablename__ = "redaction"
    __table_args__ = (
        CheckConstraint(_one_of("kind", ("author", "comment", "post")), name="kind"),
        Index(None, "source_id"),
    )

    id: Mapped[intpk]
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    kind: Mapped[str] = mapped_column(String(16))
    author_hash: Mapped[str | None] = mapped_column(String(64))  # of the author key
    post_external_id: Mapped[str | None] = mapped_column(String(255))
    comment_external_id: Mapped[str | None] = mapped_column(String(255))
    # hashes of the names found and replaced in other people's text (author kind)
    name_hashes: Mapped[list[str] | None] = mapped_column(JSONType)
    reason: Mapped[text_]
    command: Mapped[text_]
    redacted_at: Mapped[utc]
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # counts of what changed


class CrawlLock(Base):
    """Who holds the crawl lock of a source (`storage.locks`).

    On SQLite the row is the lock itself (heartbeat, stale takeover); on PostgreSQL the
    lock is an advisory lock and the row only names its holder.
    """

    __tablename__ = "crawl_lock"

    source_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    owner_pid: Mapped[int]
    owner_host: Mapped[str] = mapped_column(String(255))
    owner_token: Mapped[str] = mapped_column(String(64))
    acquired_at: Mapped[utc]
    heartbeat_at: Mapped[utc]


class SchedulerJob(Base):
    """APScheduler's persistent job store (`scheduler.py`), one row per scheduled source.

    The layout is the one APScheduler's SQLAlchemyJobStore reads and writes; it is
    declared here so that the table, like every other, comes only from a migration.
    """

    __tablename__ = "scheduler_job"

    id: Mapped[str] = mapped_column(String(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Double, index=True)  # UTC epoch seconds
    job_state: Mapped[bytes] = mapped_column(LargeBinary)  # pickled by APScheduler


# The worker fleet's tables exist on PostgreSQL only (migration 0008, beside the job
# queue's own procrastinate_* tables): an SQLite archive has no fleet. migrations/env.py
# leaves tables marked so out of the drift check on other databases.
POSTGRESQL_ONLY = {"dialects": ("postgresql",)}


def tables_on(dialect: str) -> list[Table]:
    """The archive's tables that a database of `dialect` has, in dependency order."""
    return [t for t in Base.metadata.sorted_tables
            if dialect in t.info.get("dialects", (dialect,))]


class HostPace(Base):
    """When the fleet may next send a request to a host (`storage.host_pace`).

    One row per host, shared by every worker's crawls: a request reserves its start time
    with one UPDATE, so crawls of different sources on one host keep its delay between
    them. `crawl_delay` (robots.txt) and `resume_at` (Retry-After) are what any crawl
    heard from the host, and slow every crawl of it.
    """

    __tablename__ = "host_pace"
    __table_args__ = ({"info": POSTGRESQL_ONLY},)

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(TIMESTAMP(timezone=True))
    crawl_delay: Mapped[float] = mapped_column(Double, server_default=text("0"))
    crawl_delay_until: Mapped[datetime | None] = mapped_column(TIMESTAMP(timezone=True))
    resume_at: Mapped[datetime | None] = mapped_column(TIMESTAMP(timezone=True))


class FleetWorker(Base):
    """Where a `palimpsest worker` runs, by its id in procrastinate's procrastinate_workers.

    procrastinate keeps only an id and a heartbeat per worker; `queue status` shows the
    host and pid from here. A row whose worker procrastinate has pruned is ignored by the
    status and deleted by the next worker to start (no foreign key: procrastinate's
    tables are not the archive's models).
    """

    __tablename__ = "fleet_worker"
    __table_args__ = ({"info": POSTGRESQL_ONLY},)

    worker_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    queues: Mapped[str] = mapped_column(Text)
    concurrency: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(TIMESTAMP(timezone=True))


# Core handles of the tables the writer and the reads use, typed as Tables (each model's
# __table__ is a FromClause to the type checker): one place instead of one per module.
def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


source_t = _table(Source)
crawl_t = _table(Crawl)
fetch_t = _table(Fetch)
author_t = _table(Author)
post_t = _table(Post)
post_version_t = _table(PostVersion)
post_state_t = _table(PostState)
comment_t = _table(Comment)
comment_version_t = _table(CommentVersion)
reply_t = _table(Reply)
quote_t = _table(Quote)
redaction_t = _table(Redaction)
author_alias_t = _table(AuthorAlias)
