"""Slack payloads as Slack sends them: event_callback envelopes, the events inside, block_actions."""

from __future__ import annotations

import itertools
from typing import Any

from tests.slack.peer import APP_ID, BOT_USER, TEAM

_ids = itertools.count(1)


def event_callback(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token", "team_id": TEAM, "api_app_id": APP_ID, "event": event,
        "type": "event_callback", "event_id": event_id or f"Ev{next(_ids):010d}",
        "event_time": int(float(event.get("event_ts", event["ts"]))),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False, "event_context": f"4-ctx-{next(_ids)}",
    }


def message_event(message: dict[str, Any], *, channel_type: str = "channel") -> dict[str, Any]:
    return {**message, "event_ts": message["ts"], "channel_type": channel_type}


def app_mention(message: dict[str, Any]) -> dict[str, Any]:
    event = {k: v for k, v in message.items() if k not in ("subtype", "channel_type")}
    return {**event, "type": "app_mention", "event_ts": message["ts"]}


def block_actions(bot_message: dict[str, Any], *, channel: str, action_id: str, value: str,
                  user: str = "U0BUYER", action_ts: str | None = None) -> dict[str, Any]:
    """A click on a button of ``bot_message`` (a message the bot posted in a thread)."""
    block_id = next((b.get("block_id", "") for b in bot_message.get("blocks", ())
                     for e in b.get("elements", ()) if isinstance(e, dict) and e.get("action_id") == action_id), "")
    n = next(_ids)
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "buyer", "name": "buyer", "team_id": TEAM},
        "api_app_id": APP_ID, "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": bot_message["ts"], "channel_id": channel,
                      "is_ephemeral": False, "thread_ts": bot_message.get("thread_ts")},
        "trigger_id": f"{n}.{n}.trigger", "team": {"id": TEAM, "domain": "quotebot-test"},
        "enterprise": None, "is_enterprise_install": False,
        "channel": {"id": channel, "name": "sales"},
        "message": bot_message, "state": {"values": {}},
        "response_url": f"https://hooks.slack.com/actions/{TEAM}/{n}/x",
        "actions": [{"action_id": action_id, "block_id": block_id, "value": value, "type": "button",
                     "text": {"type": "plain_text", "text": value},
                     "action_ts": action_ts or f"1764209{n:03d}.000100"}],
    }
