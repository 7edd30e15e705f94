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
    subtype = event.get("subtype")
    if not (subtype is None or isinstance(subtype, str)) or subtype not in USER_SUBTYPES:
        return None
    channel, ts, user = _str(event.get("channel")), _str(event.get("ts")), _str(event.get("user"))
    received_at = _received_at(ts)
    if not user or not channel or received_at is None:
        return None
    return InboundMessage(
        thread=to_thread_key(channel, _str(event.get("thread_ts")) or ts),
        dedupe_key=f"slack:{channel}:{ts}",
        sender=user,
        text=to_plain_text(_str(event.get("text"))),
        received_at=received_at,
    )


def _action_to_inbound(body: Mapping[str, Any]) -> InboundMessage | None:
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], Mapping):
        return None
    action = actions[0]
    action_id = _str(action.get("action_id"))
    if action_id == "breakdown":
        text = "breakdown"
    elif m := VOLUME_ACTIONS.match(action_id):
        text = f"{int(m.group(1))} pcs"
    else:
        return None  # "Other..." asks the user to type the quantity
    channel, thread_ts = action_thread(body)
    action_ts = _str(action.get("action_ts")) or _str(body.get("trigger_id"))
    received_at = _received_at(action_ts) or _received_at(thread_ts)
    if not channel or not thread_ts or received_at is None:
        return None
    return InboundMessage(
        thread=to_thread_key(channel, thread_ts),
        dedupe_key=f"slack-action:{channel}:{thread_ts}:{action_ts}",
        sender=_str(_mapping(body.get("user")).get("id")),
        text=text,
        received_at=received_at,
    )


def action_thread(body: Mapping[str, Any]) -> tuple[str, str]:
    """(channel, thread_ts) of the message whose button was clicked; empty strings where the body lacks them."""
    container, message = _mapping(body.get("container")), _mapping(body.get("message"))
    channel = _str(container.get("channel_id")) or _str(_mapping(body.get("channel")).get("id"))
    thread_ts = (_str(message.get("thread_ts")) or _str(container.get("thread_ts")) or _str(message.get("ts"))
                 or _str(container.get("message_ts")))
    return channel, thread_ts


def _is_ts(value: str) -> bool:
    return bool(re.fullmatch(r"\d+(\.\d+)?", value))


def _received_at(ts: str) -> datetime | None:
    """The time of a Slack timestamp ("1764201001.000100"); None when the value is not one."""
    if not _is_ts(ts):
        return None
    try:
        return to_received_at(ts)
    except (OverflowError, ValueError, OSError):  # out of datetime's range
        return None


def _str(value: object) -> str:
    """A payload field Slack sends as a string (ids, timestamps, text); any other type reads as empty."""
    return value if isinstance(value, str) else ""


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def to_file_refs(body: Mapping[str, Any]) -> tuple[SlackFile, ...]:
    """The files shared with a message event (ids only when Slack says ``check_file_info``)."""
    files = _mapping(body.get("event")).get("files")
    refs: list[SlackFile] = []
    for raw in files if isinstance(files, list) else ():
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
