"""The worker fleet's job queue: procrastinate's schema, host_pace and fleet_worker (PostgreSQL only).

procrastinate keeps its jobs, workers and events in PostgreSQL tables, types, functions
and triggers of its own (procrastinate_*). They are created here, from the schema file
of the procrastinate release pyproject.toml pins, so that the schema still changes only
through migrations; a later procrastinate release with schema changes gets a revision
of its own that applies that release's migration files. SQLite archives have no fleet:
on SQLite this revision changes nothing.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TIMESTAMP

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # Run as one script through the driver: it defines PL/pgSQL functions, whose bodies
    # SQLAlchemy's text() would scan for bind parameters.
    bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))
    op.create_table(
        "host_pace",
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("next_at", TIMESTAMP(timezone=True), nullable=False),
        sa.Column("crawl_delay", sa.Double(), server_default=sa.text("0"), nullable=False),
        sa.Column("crawl_delay_until", TIMESTAMP(timezone=True), nullable=True),
        sa.Column("resume_at", TIMESTAMP(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_host_pace")),
    )
    op.create_table(
        "fleet_worker",
        sa.Column("worker_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("queues", sa.Text(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("started_at", TIMESTAMP(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_fleet_worker")),
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.drop_table("fleet_worker")
    op.drop_table("host_pace")
    # procrastinate ships no uninstall script: drop what its schema made, by name.
    for table in ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs",
                  "procrastinate_workers"):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    functions = (
        "SELECT p.oid::regprocedure::text FROM pg_proc p"
        " JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%%'"
    )
    types = (
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
        " WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%%'"
        " AND t.typtype IN ('e', 'c')"
    )
    for kind, names in (("FUNCTION", functions), ("TYPE", types)):
        for name in bind.exec_driver_sql(names).scalars().all():
            op.execute(f"DROP {kind} IF EXISTS {name} CASCADE")
