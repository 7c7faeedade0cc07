"""published_raw beside published_at: the date as the page showed it, and whether it was approximate.

A theme that prints a comment's date only as text ("19. Juni 2018 um 15:28 Uhr") in a
site whose zone the page does not say gives no UTC time: the raw text is then the only
date the archive has. A relative date ("3 days ago") resolved against the fetch time is
marked approximate. Neither is content (not hashed): a change alone writes no version.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("comment_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_raw", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("published_approximate", sa.Boolean(), nullable=True))
    with op.batch_alter_table("post_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_raw", sa.Text(), nullable=True))


def downgrade() -> None:
    # Not through batch mode: on SQLite that would rebuild the tables under the views
    # that read them (current_posts, ...), which SQLite refuses; SQLite 3.35+ drops a
    # column in place, as PostgreSQL does.
    for table, column in (("post_version", "published_raw"), ("comment_version", "published_approximate"),
                          ("comment_version", "published_raw")):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
