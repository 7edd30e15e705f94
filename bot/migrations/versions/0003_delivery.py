"""When each reply was sent, and why an attachment could not be fetched (so a stored message reads the same later).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("fetch_error", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        batch.drop_column("fetch_error")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("sent_at")
