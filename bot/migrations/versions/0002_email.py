"""The email adapter's envelopes: reply address, subject and Message-IDs per message (bot/email/envelopes.py).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "email_envelopes",
        sa.Column("message_id", sa.String(512), primary_key=True),
        sa.Column("thread_id", sa.String(512), nullable=False, index=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("reply_to", sa.String(512), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("refs", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("email_envelopes")
