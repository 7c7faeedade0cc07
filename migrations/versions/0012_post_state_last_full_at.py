"""post_state.last_full_at: when a crawl last fetched every page of the thread.

A comment service's first page may vouch for the pages after it (Disqus with an API
key: an unchanged first page and total stand for the rest, which are not fetched).
What such a page cannot show (an edit or a moderator's mark on a later page) waits for
the next read of the whole thread; `last_full_at` says when that was, so a crawl reads
the thread whole again once it is a week old (crawler.thread_fetch). NULL: never, or
not known (an archive from before this revision: its next crawl reads each thread whole).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("post_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_full_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    # In place on both engines (no view reads post_state.last_full_at).
    op.execute("ALTER TABLE post_state DROP COLUMN last_full_at")
