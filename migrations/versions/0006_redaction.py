"""redaction: the takedowns done by `palimpsest redact`, and the deny-list later writes honour.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from storage.models import UTCDateTime

# As in 0001: jsonb on PostgreSQL, JSON text elsewhere (written here, so this revision
# stays what it was whatever the models become).
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "redaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("author_hash", sa.String(length=64), nullable=True),
        sa.Column("post_external_id", sa.String(length=255), nullable=True),
        sa.Column("comment_external_id", sa.String(length=255), nullable=True),
        sa.Column("name_hashes", JSON_TYPE, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("command", sa.Text(), nullable=False),
        sa.Column("redacted_at", UTCDateTime(), nullable=False),
        sa.Column("changes", JSON_TYPE, nullable=True),
        sa.CheckConstraint(
            "kind IN ('author', 'comment', 'post')", name=op.f("ck_redaction_kind")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_redaction_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redaction")),
    )
    op.create_index(op.f("ix_redaction_source_id"), "redaction", ["source_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_redaction_source_id"), table_name="redaction")
    op.drop_table("redaction")
