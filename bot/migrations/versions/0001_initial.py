"""Threads, messages (inbound and the outbox), attachments, quote numbers, parsed drawings by content hash.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "threads",
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("thread", sa.String(512), nullable=False, index=True),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("dedupe_key", sa.String(512), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id"), nullable=False, index=True),
        sa.Column("filename", sa.String(1024), nullable=False),
        sa.Column("content_type", sa.String(255)),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "parsed_drawings",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("parser", sa.String(64), primary_key=True),
        sa.Column("result", sa.Text, nullable=False),
    )
    op.create_table(
        "quote_numbers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("thread", sa.String(512), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("quote_numbers", "parsed_drawings", "blobs", "attachments", "messages", "threads"):
        op.drop_table(table)
