"""post_state.pages: each thread page's validators and fingerprint, for conditional requests.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("post_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pages", JSON_TYPE, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("post_state", schema=None) as batch_op:
        batch_op.drop_column("pages")
