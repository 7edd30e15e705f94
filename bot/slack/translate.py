"""Edge translation: Slack event and interaction payloads to InboundMessage, replies to Web API arguments.

Pure functions over dicts; nothing here talks to Slack. A Slack thread is keyed by ``channel:thread_ts``
(the root message's ``ts``), so a reply's ThreadKey alone says where it goes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.filenames import safe_filename
from bot.models import Channel, InboundMessage, RenderedReply, ThreadKey
from bot.render import mrkdwn

# Message subtypes that are a person writing (files arrive as "file_share"); edits, joins and bot posts are not.
USER_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
VOLUME_ACTIONS = re.compile(r"^qty_(\d{1,7})$")
ACTION_IDS = re.compile(r"^(qty_\d{1,7}|qty_other|breakdown)$")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# Slack's text limit for a message's fallback ``text`` is 40,000 characters; stay well under it.
MAX_TEXT_CHARS = 39_000


class SlackFile(BaseModel):
    """The fields of a Slack file object quotebot uses (the rest is ignored)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    name: str = ""
    size: int | None = None
    mimetype: str | None = None
    filetype: str | None = None
    url_private_download: str | None = None
    file_access: str | None = None

    @property
    def filename(self) -> str:
        return safe_filename(self.name, default=safe_filename(f"{self.id}.{self.filetype or 'bin'}"))


def to_thread_key(channel: str, thread_ts: str) -> ThreadKey:
    return ThreadKey(channel=Channel.SLACK, id=f"{channel}:{thread_ts}")


def to_channel_and_thread_ts(key: ThreadKey) -> tuple[str, str]:
    """The (channel, thread_ts) a Slack ThreadKey stands for.

    Raises:
        ValueError: the key is not a Slack thread.
    """
    channel, sep, thread_ts = key.id.partition(":")
    if key.channel is not Channel.SLACK or not sep:
        raise ValueError(f"{key} is not a Slack thread key (expected slack:CHANNEL:THREAD_TS)")
    return channel, thread_ts


def to_received_at(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC)


def mentioned_users(text: str) -> set[str]:
    return set(_MENTION.findall(text))


def is_from_bot(event: Mapping[str, Any]) -> bool:
    """Bots (this one included) post with ``bot_id`` or the ``bot_message`` subtype."""
    return bool(event.get("bot_id") or event.get("bot_profile") or event.get("subtype") == "bot_message")


def to_plain_text(text: str) -> str:
    """Slack's message text without user mentions and with its three escaped characters restored."""
    return html.unescape(_MENTION.sub("", text)).strip()


def to_inbound_message(body: Mapping[str, Any]) -> InboundMessage | None:
    """The InboundMessage for a message event or a button click; None for anything quotebot does not answer.

    Attachments are left empty: the files (see ``to_file_refs``) are downloaded by the caller. The dedupe key
    names the Slack message (``channel:ts``), so a retried delivery and the ``app_mention`` + ``message`` pair
    Slack sends for one mention both map to one key.
    """
    if body.get("type") == "block_actions":
        return _action_to_inbound(body)
    event = body.get("event")
    if body.get("type") != "event_callback" or not isinstance(event, Mapping):
        return None
    if event.get("type") not in ("message", "app_mention") or is_from_bot(event):
        return None
    if event.get("subtype") not in USER_SUBTYPES or not event.get("user") or not event.get("channel"):
        return None
    channel, ts = str(event["channel"]), str(event["ts"])
    return InboundMessage(
        thread=to_thread_key(channel, str(event.get("thread_ts") or ts)),
        dedupe_key=f"slack:{channel}:{ts}",
        sender=str(event["user"]),
        text=to_plain_text(str(event.get("text") or "")),
        received_at=to_received_at(ts),
    )


def _action_to_inbound(body: Mapping[str, Any]) -> InboundMessage | None:
    actions = body.get("actions") or []
    if not actions:
        return None
    action = actions[0]
    action_id = str(action.get("action_id", ""))
    if action_id == "breakdown":
        text = "breakdown"
    elif m := VOLUME_ACTIONS.match(action_id):
        text = f"{int(m.group(1))} pcs"
    else:
        return None  # "Other..." asks the user to type the quantity
    channel, thread_ts = action_thread(body)
    action_ts = str(action.get("action_ts") or body.get("trigger_id") or "")
    return InboundMessage(
        thread=to_thread_key(channel, thread_ts),
        dedupe_key=f"slack-action:{channel}:{thread_ts}:{action_ts}",
        sender=str((body.get("user") or {}).get("id", "")),
        text=text,
        received_at=to_received_at(action_ts) if _is_ts(action_ts) else to_received_at(thread_ts),
    )


def action_thread(body: Mapping[str, Any]) -> tuple[str, str]:
    """(channel, thread_ts) of the message whose button was clicked."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id", ""))
    thread_ts = message.get("thread_ts") or container.get("thread_ts") or message.get("ts") or container.get(
        "message_ts")
    return channel, str(thread_ts)


def _is_ts(value: str) -> bool:
    return bool(re.fullmatch(r"\d+(\.\d+)?", value))


def to_file_refs(body: Mapping[str, Any]) -> tuple[SlackFile, ...]:
    """The files shared with a message event (ids only when Slack says ``check_file_info``)."""
    event = body.get("event") or {}
    refs: list[SlackFile] = []
    for raw in event.get("files") or ():
        try:
            refs.append(SlackFile.model_validate(raw))
        except ValidationError:
            continue  # a malformed file entry is skipped, not fatal: the rest of the message is answered
    return tuple(refs)


def to_post_kwargs(reply: RenderedReply) -> dict[str, Any]:
    """Arguments for ``chat.postMessage``: the reply's blocks in its thread, plain text as the fallback."""
    channel, thread_ts = to_channel_and_thread_ts(reply.thread)
    return {
        "channel": channel,
        "thread_ts": thread_ts,
        # the fallback text is mrkdwn too (notifications, screen readers): "<!channel>" in it would notify
        "text": mrkdwn(reply.text[:MAX_TEXT_CHARS]),
        "blocks": [dict(b) for b in reply.blocks],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def to_update_kwargs(reply: RenderedReply, *, ts: str) -> dict[str, Any]:
    """Arguments for ``chat.update`` of the message ``ts`` (the "Reading ..." acknowledgement) with the reply."""
    post = to_post_kwargs(reply)
    return {"channel": post["channel"], "ts": ts, "text": post["text"], "blocks": post["blocks"]}
