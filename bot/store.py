"""Durable thread storage: every inbound message, every reply and each thread's state.

SQLAlchemy Core over SQLite (the default) or PostgreSQL (by URL). The contract that keeps a crash from
dropping or double-answering a message:

1. ``record_inbound`` stores the message and its attachments before any work (False for a redelivery);
2. ``commit_turn`` saves the new state, the reply (as *pending*) and marks the inbound *answered*, in
   one transaction;
3. the channel marks a pending reply ``sending`` (``begin_send``), sends it and marks it ``sent``; after a
   restart ``pending_inbound`` and ``pending_outbound`` tell what is left to do, and a reply found ``sending``
   is in doubt: the channel checks whether it arrived before sending it again.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any, Protocol

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlalchemy.engine import Connection, Engine

from bot.conversation import ThreadState
from bot.models import Attachment, InboundMessage, RenderedReply, ThreadKey
from parsers import ParsedDrawing

metadata = sa.MetaData()
_DRAWINGS = TypeAdapter(tuple[ParsedDrawing, ...])

threads = sa.Table(
    "threads",
    metadata,
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("thread", sa.String(512), nullable=False, index=True),
    sa.Column("direction", sa.String(3), nullable=False),  # "in" | "out"
    sa.Column("dedupe_key", sa.String(512), nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False),  # in: received|answered; out: pending|sending|sent
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True)),  # out: when the channel accepted it
)
attachments = sa.Table(
    "attachments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id"), nullable=False, index=True),
    sa.Column("filename", sa.String(1024), nullable=False),
    sa.Column("content_type", sa.String(255)),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("fetch_error", sa.String(32)),  # why the channel could not get the file (Attachment.fetch_error)
)
# File contents by SHA-256: the same drawing sent twice is stored (and parsed) once.
blobs = sa.Table(
    "blobs",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)
parsed_drawings = sa.Table(
    "parsed_drawings",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("parser", sa.String(64), primary_key=True),
    sa.Column("result", sa.Text, nullable=False),
)
quote_numbers = sa.Table(
    "quote_numbers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("thread", sa.String(512), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


MIGRATION_LOCK_ID = 0x71756F7465626F74  # "quotebot"


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (bot/migrations/versions)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("bot") / "migrations"))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # a serve and its workers starting at once migrate one at a time
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


class ThreadStore(Protocol):
    def record_inbound(self, message: InboundMessage) -> bool: ...
    def load_state(self, key: ThreadKey) -> ThreadState: ...
    def commit_turn(self, state: ThreadState, reply: RenderedReply) -> None: ...
    def next_quote_number(self, key: ThreadKey, *, now: datetime) -> str: ...
    def load_blob(self, sha256: str) -> bytes | None: ...
    def load_parsed(self, sha256: str, *, parser: str) -> tuple[ParsedDrawing, ...] | None: ...
    def save_parsed(self, sha256: str, *, parser: str, drawings: tuple[ParsedDrawing, ...]) -> None: ...
    def pending_inbound(self, thread: ThreadKey | None = None) -> list[InboundMessage]: ...
    def pending_outbound(self, thread: ThreadKey | None = None) -> list[RenderedReply]: ...
    def mark_sent(self, reply: RenderedReply) -> None: ...
    def begin_send(self, reply: RenderedReply) -> bool: ...
    def retry_send(self, reply: RenderedReply) -> None: ...
    def pending_threads(self) -> list[ThreadKey]: ...
    def thread_lock(self, key: ThreadKey) -> AbstractContextManager[None]: ...


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


# out: pending (committed), sending (handed to the channel, not confirmed), sent
UNSENT = ("pending", "sending")


def _out_key(in_reply_to: str) -> str:
    return f"reply:{in_reply_to}"


class SqlThreadStore:
    """ThreadStore on any SQLAlchemy URL (``sqlite:///path.db``, ``postgresql+psycopg://...``)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = sa.create_engine(url)
        self._local_locks: dict[str, threading.Lock] = {}
        self._local_guard = threading.Lock()
        migrate(self.engine)

    @property
    def shared(self) -> bool:
        """Whether several processes can share this store safely (PostgreSQL), as queue workers do."""
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def thread_lock(self, key: ThreadKey) -> Iterator[None]:
        """Answer one thread's messages in one place at a time, so turns apply in order to the same state.

        On PostgreSQL a session advisory lock, shared by every process on the database and released by the
        server when its holder dies (a killed worker never leaves a thread locked). Elsewhere a lock in this
        process, which is all an embedded SQLite store has.
        """
        if not self.shared:
            with self._local_guard:
                lock = self._local_locks.setdefault(str(key), threading.Lock())
            with lock:
                yield
            return
        lock_id = int.from_bytes(hashlib.sha256(str(key).encode()).digest()[:8], "big", signed=True)
        with self.engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
                conn.commit()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> SqlThreadStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def record_inbound(self, message: InboundMessage) -> bool:
        payload = message.model_dump(mode="json", exclude={"attachments"})
        with self._tx() as conn:
            exists = conn.execute(
                sa.select(messages.c.id).where(messages.c.dedupe_key == message.dedupe_key)
            ).first()
            if exists:
                return False
            msg_id = _new_id(conn.execute(
                messages.insert().values(
                    thread=str(message.thread),
                    direction="in",
                    dedupe_key=message.dedupe_key,
                    status="received",
                    payload=json.dumps(payload),
                    created_at=message.received_at,
                )
            ))
            for a in message.attachments:
                sha = a.sha256
                if conn.execute(sa.select(blobs.c.sha256).where(blobs.c.sha256 == sha)).first() is None:
                    conn.execute(blobs.insert().values(sha256=sha, data=a.data))
                conn.execute(
                    attachments.insert().values(
                        message_id=msg_id, filename=a.filename, content_type=a.content_type, sha256=sha,
                        fetch_error=a.fetch_error,
                    )
                )
        return True

    def load_state(self, key: ThreadKey) -> ThreadState:
        with self._tx() as conn:
            row = conn.execute(sa.select(threads.c.state).where(threads.c.key == str(key))).first()
        if row is None:
            return ThreadState(key=key)
        return ThreadState.model_validate_json(row[0])

    def commit_turn(self, state: ThreadState, reply: RenderedReply) -> None:
        now = datetime.now(UTC)
        body = state.model_dump_json(round_trip=True)
        with self._tx() as conn:
            updated = conn.execute(
                threads.update().where(threads.c.key == str(state.key)).values(state=body, updated_at=now)
            ).rowcount
            if not updated:
                conn.execute(threads.insert().values(key=str(state.key), state=body, updated_at=now))
            conn.execute(
                messages.update()
                .where(messages.c.dedupe_key == reply.in_reply_to)
                .values(status="answered")
            )
            conn.execute(
                messages.insert().values(
                    thread=str(state.key),
                    direction="out",
                    dedupe_key=_out_key(reply.in_reply_to),
                    status="pending",
                    payload=reply.model_dump_json(),
                    created_at=now,
                )
            )

    def next_quote_number(self, key: ThreadKey, *, now: datetime) -> str:
        with self._tx() as conn:
            number = _new_id(conn.execute(quote_numbers.insert().values(thread=str(key), created_at=now)))
        return f"Q-{now.year}-{number:04d}"

    def load_blob(self, sha256: str) -> bytes | None:
        """A file stored with an inbound message, by content hash."""
        with self._tx() as conn:
            row = conn.execute(sa.select(blobs.c.data).where(blobs.c.sha256 == sha256)).first()
        return None if row is None else bytes(row[0])

    def load_parsed(self, sha256: str, *, parser: str) -> tuple[ParsedDrawing, ...] | None:
        """The drawings parsed earlier from the same bytes by the same parser version, if any."""
        with self._tx() as conn:
            row = conn.execute(
                sa.select(parsed_drawings.c.result).where(
                    parsed_drawings.c.sha256 == sha256, parsed_drawings.c.parser == parser
                )
            ).first()
        return None if row is None else _DRAWINGS.validate_json(row[0])

    def save_parsed(self, sha256: str, *, parser: str, drawings: tuple[ParsedDrawing, ...]) -> None:
        body = _DRAWINGS.dump_json(drawings, round_trip=True).decode()
        try:
            with self._tx() as conn:
                conn.execute(parsed_drawings.insert().values(sha256=sha256, parser=parser, result=body))
        except sa.exc.IntegrityError:
            pass  # another worker parsed the same file first

    def pending_inbound(self, thread: ThreadKey | None = None) -> list[InboundMessage]:
        """Stored messages not yet answered (all threads, or one), oldest first."""
        query = sa.select(messages.c.id, messages.c.payload).where(
            messages.c.direction == "in", messages.c.status == "received"
        )
        if thread is not None:
            query = query.where(messages.c.thread == str(thread))
        with self._tx() as conn:
            rows = conn.execute(query.order_by(messages.c.id)).all()
            found = []
            for msg_id, payload in rows:
                files = conn.execute(
                    sa.select(attachments.c.filename, attachments.c.content_type, attachments.c.fetch_error,
                              blobs.c.data)
                    .join(blobs, blobs.c.sha256 == attachments.c.sha256)
                    .where(attachments.c.message_id == msg_id)
                    .order_by(attachments.c.id)
                ).all()
                data = json.loads(payload)
                data["attachments"] = [
                    Attachment(filename=f, content_type=ct, fetch_error=err, data=bytes(d)) for f, ct, err, d in files
                ]
                found.append(InboundMessage.model_validate(data))
        return found

    def pending_threads(self) -> list[ThreadKey]:
        """Threads with a stored message not yet answered or a reply not yet sent, oldest work first."""
        pending = sa.or_(
            sa.and_(messages.c.direction == "in", messages.c.status == "received"),
            sa.and_(messages.c.direction == "out", messages.c.status.in_(UNSENT)),
        )
        query = (sa.select(messages.c.thread, sa.func.min(messages.c.id).label("first"))
                 .where(pending).group_by(messages.c.thread).order_by("first"))
        with self._tx() as conn:
            return [ThreadKey.parse(row[0]) for row in conn.execute(query)]

    def pending_outbound(self, thread: ThreadKey | None = None) -> list[RenderedReply]:
        """Replies committed but not yet sent (all threads, or one), oldest first."""
        query = sa.select(messages.c.payload).where(
            messages.c.direction == "out", messages.c.status.in_(UNSENT)
        )
        if thread is not None:
            query = query.where(messages.c.thread == str(thread))
        with self._tx() as conn:
            rows = conn.execute(query.order_by(messages.c.id)).all()
        return [RenderedReply.model_validate_json(r[0]) for r in rows]

    def begin_send(self, reply: RenderedReply) -> bool:
        """Record that the reply is being handed to its channel; True when an earlier attempt was (so it may have
        reached the customer before a crash, and the channel should check before sending it again)."""
        with self._tx() as conn:
            fresh = conn.execute(
                messages.update()
                .where(messages.c.dedupe_key == _out_key(reply.in_reply_to), messages.c.status == "pending")
                .values(status="sending")
            ).rowcount
        return not fresh

    def retry_send(self, reply: RenderedReply) -> None:
        """The channel failed to take the reply (an error, not a crash): it is pending again, not in doubt."""
        with self._tx() as conn:
            conn.execute(
                messages.update()
                .where(messages.c.dedupe_key == _out_key(reply.in_reply_to), messages.c.status == "sending")
                .values(status="pending")
            )

    def mark_sent(self, reply: RenderedReply) -> None:
        with self._tx() as conn:
            conn.execute(
                messages.update()
                .where(messages.c.dedupe_key == _out_key(reply.in_reply_to))
                .values(status="sent", sent_at=datetime.now(UTC))
            )

    def history(self, key: ThreadKey) -> list[tuple[str, str]]:
        """(direction, text) of every message in a thread, oldest first."""
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(messages.c.direction, messages.c.payload)
                .where(messages.c.thread == str(key))
                .order_by(messages.c.id)
            ).all()
        return [(d, json.loads(p).get("text", "")) for d, p in rows]
