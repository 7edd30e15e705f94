"""The email adapter's own record: the threading facts (reply address, subject, Message-IDs) of each message.

RenderedReply carries no email headers, so the adapter keeps, per Message-ID, what a threaded reply needs.
The table lives in the bot's database (Alembic revision 0002) and is written before the pipeline runs, so a
reply committed before a crash can still be sent, correctly threaded, after the restart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.email.translate import Envelope

metadata = sa.MetaData()

envelopes = sa.Table(
    "email_envelopes",
    metadata,
    sa.Column("message_id", sa.String(512), primary_key=True),
    sa.Column("thread_id", sa.String(512), nullable=False, index=True),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("reply_to", sa.String(512), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("refs", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


class Kind(StrEnum):
    INBOUND = "in"  # a customer's message the pipeline answers
    REPLY = "out"  # a reply we sent (so a customer's answer to it finds its thread)
    ACKNOWLEDGED = "ack"  # a message from outside the allowlist, acknowledged once


class EnvelopeStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, envelope: Envelope, *, kind: Kind) -> bool:
        """Record a message's envelope; False when the Message-ID was already recorded."""
        with self.engine.begin() as conn:
            found = conn.execute(
                sa.select(envelopes.c.message_id).where(envelopes.c.message_id == envelope.message_id)
            ).first()
            if found is not None:
                return False
            conn.execute(envelopes.insert().values(
                message_id=envelope.message_id, thread_id=envelope.thread_id, kind=kind.value,
                reply_to=envelope.reply_to, subject=envelope.subject, refs=" ".join(envelope.references),
                created_at=datetime.now(UTC),
            ))
        return True

    def load(self, message_id: str) -> Envelope | None:
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(envelopes).where(envelopes.c.message_id == message_id)).first()
        if row is None:
            return None
        return Envelope(message_id=row.message_id, thread_id=row.thread_id, reply_to=row.reply_to,
                        subject=row.subject, references=tuple(row.refs.split()))

    def thread_of(self, message_ids: tuple[str, ...]) -> str | None:
        """The thread of the first of ``message_ids`` already recorded (customers' clients trim References)."""
        if not message_ids:
            return None
        with self.engine.begin() as conn:
            rows = dict(conn.execute(
                sa.select(envelopes.c.message_id, envelopes.c.thread_id).where(envelopes.c.message_id.in_(message_ids))
            ).all())
        return next((rows[m] for m in message_ids if m in rows), None)
