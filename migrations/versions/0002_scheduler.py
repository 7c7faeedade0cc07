"""Scheduler: APScheduler's job store and the crawl lock.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

`scheduler_job` has exactly the columns APScheduler's SQLAlchemyJobStore uses (it is
handed this table name and never creates it itself). `crawl_lock` holds the crawl lock
on SQLite and names the holder on PostgreSQL (see `storage.locks`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduler_job",
        sa.Column("id", sa.String(191), nullable=False),
        sa.Column("next_run_time", sa.Double(), nullable=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_job")),
    )
    op.create_index(op.f("ix_scheduler_job_next_run_time"), "scheduler_job", ["next_run_time"])
    op.create_table(
        "crawl_lock",
        sa.Column("source_key", sa.String(255), nullable=False),
        sa.Column("owner_pid", sa.Integer(), nullable=False),
        sa.Column("owner_host", sa.String(255), nullable=False),
        sa.Column("owner_token", sa.String(64), nullable=False),
        sa.Column("acquired_at", UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source_key", name=op.f("pk_crawl_lock")),
    )


def downgrade() -> None:
    op.drop_table("crawl_lock")
    op.drop_index(op.f("ix_scheduler_job_next_run_time"), table_name="scheduler_job")
    op.drop_table("scheduler_job")
