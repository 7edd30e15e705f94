"""Slack payloads -> InboundMessage, RenderedReply -> Web API arguments (pure, no Slack)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.models import Channel, RenderedReply, ThreadKey
from bot.slack.app import ack_text
from bot.slack.translate import (
    SlackFile,
    to_channel_and_thread_ts,
    to_file_refs,
    to_inbound_message,
    to_post_kwargs,
    to_thread_key,
    to_update_kwargs,
)
from tests.slack.events import app_mention, block_actions, event_callback, message_event

ROOT_TS = "1764201000.000100"


def message(**fields: Any) -> dict[str, Any]:
    return {"type": "message", "user": "U0BUYER", "text": "hello", "ts": ROOT_TS, "channel": "C0SALES", **fields}


def test_mention_with_a_file_is_a_message_in_its_own_thread() -> None:
    file = {"id": "F1", "name": "bracket.dxf", "size": 10, "url_private_download": "https://files.slack.com/x"}
    body = event_callback(app_mention(message(text="<@UQUOTEBOT> quote 500 &amp; 1,000 pcs &lt;rev B&gt;",
                                              files=[file])))
    inbound = to_inbound_message(body)
    assert inbound is not None
    assert inbound.thread == ThreadKey(channel=Channel.SLACK, id=f"C0SALES:{ROOT_TS}")
    assert inbound.text == "quote 500 & 1,000 pcs <rev B>"
    assert inbound.sender == "U0BUYER"
    assert inbound.received_at == datetime.fromtimestamp(float(ROOT_TS), UTC)
    assert to_file_refs(body) == (SlackFile(id="F1", name="bracket.dxf", size=10,
                                            url_private_download="https://files.slack.com/x"),)


def test_the_mention_and_message_events_of_one_message_share_a_dedupe_key() -> None:
    msg = message(subtype="file_share", files=[{"id": "F1"}])
    keys = {to_inbound_message(event_callback(e)).dedupe_key  # type: ignore[union-attr]
            for e in (app_mention(msg), message_event(msg))}
    assert keys == {f"slack:C0SALES:{ROOT_TS}"}


def test_a_reply_in_a_thread_belongs_to_the_root_thread() -> None:
    inbound = to_inbound_message(event_callback(message_event(message(ts="1764201999.000200", thread_ts=ROOT_TS))))
    assert inbound is not None and inbound.thread == to_thread_key("C0SALES", ROOT_TS)


@pytest.mark.parametrize("fields", [
    pytest.param({"bot_id": "B1"}, id="bot"),
    pytest.param({"subtype": "bot_message", "bot_id": "B1"}, id="bot-message"),
    pytest.param({"subtype": "message_changed"}, id="edit"),
    pytest.param({"subtype": "channel_join"}, id="join"),
    pytest.param({"user": None}, id="no-user"),
])
def test_messages_not_written_by_a_person_are_not_answered(fields: dict[str, Any]) -> None:
    assert to_inbound_message(event_callback(message_event(message(**fields)))) is None


def test_other_payloads_are_not_answered() -> None:
    assert to_inbound_message({"type": "url_verification", "challenge": "x"}) is None
    assert to_inbound_message(event_callback({"type": "reaction_added", "ts": ROOT_TS})) is None


BOT_MESSAGE = {"type": "message", "user": "UQUOTEBOT", "bot_id": "BQUOTEBOT", "ts": "1764201001.000300",
               "thread_ts": ROOT_TS, "blocks": [{"type": "actions", "block_id": "volume", "elements": [
                   {"type": "button", "action_id": "qty_5000", "value": "5000"}]}]}


@pytest.mark.parametrize(("action_id", "value", "text"), [
    ("qty_10", "10", "10 pcs"), ("qty_5000", "5000", "5000 pcs"), ("breakdown", "breakdown", "breakdown"),
])
def test_a_button_click_continues_the_thread_like_a_typed_reply(action_id: str, value: str, text: str) -> None:
    body = block_actions(BOT_MESSAGE, channel="C0SALES", action_id=action_id, value=value,
                         action_ts="1764201002.000400")
    inbound = to_inbound_message(body)
    assert inbound is not None
    assert (inbound.thread, inbound.text, inbound.sender) == (to_thread_key("C0SALES", ROOT_TS), text, "U0BUYER")
    assert inbound.dedupe_key == f"slack-action:C0SALES:{ROOT_TS}:1764201002.000400"


def test_other_quantity_and_unknown_buttons_are_not_messages() -> None:
    for action_id in ("qty_other", "approve"):
        assert to_inbound_message(block_actions(BOT_MESSAGE, channel="C0SALES", action_id=action_id, value="x")) is None


def reply(**fields: Any) -> RenderedReply:
    return RenderedReply(thread=to_thread_key("C0SALES", ROOT_TS), in_reply_to="slack:C0SALES:1", outcome="estimate",
                         subject="s", text="BRACKET - 500 pcs", html="<p>x</p>",
                         blocks=({"type": "section", "text": {"type": "mrkdwn", "text": "x"}},), **fields)


def test_replies_go_into_their_thread_with_blocks_and_a_text_fallback() -> None:
    kwargs = to_post_kwargs(reply())
    assert kwargs["channel"] == "C0SALES" and kwargs["thread_ts"] == ROOT_TS
    assert kwargs["text"] == "BRACKET - 500 pcs" and kwargs["blocks"][0]["type"] == "section"
    assert to_update_kwargs(reply(), ts="1764201001.000300") == {
        "channel": "C0SALES", "ts": "1764201001.000300", "text": "BRACKET - 500 pcs", "blocks": kwargs["blocks"]}


def test_only_slack_thread_keys_name_a_slack_thread() -> None:
    assert to_channel_and_thread_ts(to_thread_key("D0BUYER", ROOT_TS)) == ("D0BUYER", ROOT_TS)
    with pytest.raises(ValueError, match="^chat:x is not a Slack thread key"):
        to_channel_and_thread_ts(ThreadKey(channel=Channel.CHAT, id="x"))


def test_the_acknowledgement_escapes_file_names() -> None:
    files = (SlackFile(id="F1", name="<!channel> a&b.dxf"), SlackFile(id="F2", name="shaft.pdf"))
    assert ack_text(files) == "Reading &lt;!channel&gt; a&amp;b.dxf, shaft.pdf..."
