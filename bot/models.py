"""Messages as they cross the channel edge: what came in and what goes out."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.filenames import safe_filename


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Channel(StrEnum):
    CHAT = "chat"
    SLACK = "slack"
    EMAIL = "email"


class ThreadKey(Frozen):
    """Where a conversation lives: chat thread name, Slack channel+thread_ts, or an email root Message-ID."""

    channel: Channel
    id: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> ThreadKey:
        """The key ``str(key)`` printed: ``slack:C1:1700000000.0001`` -> (slack, C1:1700000000.0001)."""
        channel, _, id_ = text.partition(":")
        return cls(channel=Channel(channel), id=id_)


class Attachment(Frozen):
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")

    filename: str
    data: bytes = Field(repr=False)
    content_type: str | None = None
    # set by a channel that could not get the file: "too-large" or "fetch-failed"
    fetch_error: str | None = None

    @field_validator("filename")
    @classmethod
    def _safe_filename(cls, value: str) -> str:
        """Names come from users: one name, no path, nothing invisible, bounded (bot.filenames)."""
        return safe_filename(value)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class InboundMessage(Frozen):
    """One message from a user. ``dedupe_key`` is unique per delivery (Slack event_id, email Message-ID)."""

    thread: ThreadKey
    dedupe_key: str
    sender: str = ""
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    received_at: datetime
    # the channel's handle on its "working on it" message (Slack ts), which the reply replaces
    ack_ref: str | None = None


class RenderedReply(Frozen):
    """A reply rendered for every channel; each channel sends the parts it uses."""

    thread: ThreadKey
    in_reply_to: str
    outcome: str
    subject: str
    text: str
    html: str
    blocks: tuple[dict[str, object], ...] = ()
    files: tuple[Attachment, ...] = ()  # preview.png, chart.png, quote.pdf with a quote
    ack_ref: str | None = None  # InboundMessage.ack_ref of the message answered
