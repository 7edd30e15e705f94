"""quotebot's Slack channel end to end: real bolt App, real WebClient, real pipeline, SQLite store, against the
local Web API peer, with events delivered over Socket Mode or as signed HTTP requests."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.limits import Limits
from bot.logs import correlation_id
from bot.pipeline import Deps
from bot.slack.translate import to_thread_key
from parsers import ParsedDrawing
from tests.conftest import ROOT, fixture_path
from tests.slack.conftest import HttpDriver, Slack, sign
from tests.slack.events import app_mention, block_actions, event_callback, message_event
from tests.slack.peer import APP_TOKEN, BOT_ID, BOT_TOKEN, BOT_USER, SlackPeer
from tests.slack.socket_peer import SocketModePeer

CHANNEL = "C0SALES"
BRACKET = fixture_path("dxf/bracket.dxf").read_bytes()


def blocks_with(message: dict[str, Any], block_id: str) -> bool:
    return any(b.get("block_id") == block_id for b in message.get("blocks", ()))


def header(message: dict[str, Any]) -> str:
    return next((b["text"]["text"] for b in message.get("blocks", ()) if b.get("type") == "header"), "")


def wait_reply(slack: Slack, root_ts: str, probe: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
    return slack.peer.wait_for(lambda: next((m for m in slack.peer.bot_replies(CHANNEL, root_ts) if probe(m)), None),
                               what=what)


def share_bracket(slack: Slack, **file_options: Any) -> dict[str, Any]:
    """A buyer shares bracket.dxf in the channel, mentioning the bot; Slack sends app_mention and message."""
    file = slack.peer.add_file("bracket.dxf", BRACKET, **file_options)
    root = slack.peer.user_message(channel=CHANNEL, text=f"<@{BOT_USER}> could you quote this?", files=[file])
    slack.driver.deliver(event_callback(app_mention(root)))
    slack.driver.deliver(event_callback(message_event(root)))
    return root


def test_drawing_to_volume_buttons_to_quote_to_requote(slack: Slack) -> None:
    root = share_bracket(slack)
    ask = wait_reply(slack, root["ts"], lambda m: blocks_with(m, "volume"), "the reply with volume buttons")
    # acknowledged at once ("Reading bracket.dxf..."), then that message was replaced by the reply
    first_post = slack.peer.calls_to("chat.postMessage")[0].args
    assert first_post["thread_ts"] == root["ts"] and "bracket.dxf" in first_post["text"]
    assert any(c.args["ts"] == ask["ts"] for c in slack.peer.calls_to("chat.update"))
    assert "edited" in ask

    slack.driver.click(block_actions(ask, channel=CHANNEL, action_id="qty_500", value="500"))
    quote = wait_reply(slack, root["ts"], lambda m: "500" in header(m), "the quote for 500 pcs")
    assert blocks_with(quote, "quote_actions")

    if slack.socket is not None:  # Slack refreshes Socket Mode connections; the conversation carries on
        slack.socket.request_refresh()
        assert slack.socket.urls_issued == 2

    follow = slack.peer.user_message(channel=CHANNEL, text="make it 2000", thread_ts=root["ts"])
    slack.driver.deliver(event_callback(message_event(follow)))
    requote = wait_reply(slack, root["ts"], lambda m: "2,000" in header(m), "the re-quote for 2,000 pcs")

    replies = slack.peer.bot_replies(CHANNEL, root["ts"])
    assert [m["ts"] for m in replies] == [ask["ts"], quote["ts"], requote["ts"]]
    assert all(m["thread_ts"] == root["ts"] for m in replies)
    state = slack.deps.store.load_state(to_thread_key(CHANNEL, root["ts"]))
    assert state.last_quote is not None and state.last_quote.quantity == 2000
    assert slack.peer.files[root["files"][0]["id"]].downloads == 1  # app_mention + message: one answer


def test_redelivered_event_is_answered_once(slack: Slack) -> None:
    file = slack.peer.add_file("bracket.dxf", BRACKET)
    root = slack.peer.user_message(channel=CHANNEL, text=f"<@{BOT_USER}> 500 pcs please", files=[file])
    body = event_callback(app_mention(root))
    slack.driver.deliver(body)
    slack.driver.deliver(body, retry_num=1)  # Slack retries with the same event_id
    wait_reply(slack, root["ts"], lambda m: "500" in header(m), "the quote")
    slack.driver.deliver(body, retry_num=2)
    slack.service.close()  # waits for every listener in flight

    assert len(slack.peer.bot_replies(CHANNEL, root["ts"])) == 1
    assert len(slack.peer.calls_to("chat.postMessage")) == 1
    assert slack.peer.files[file["id"]].downloads == 1


def test_redelivery_after_a_restart_is_answered_once(start: Callable[..., Slack]) -> None:
    first = start("http")
    file = first.peer.add_file("bracket.dxf", BRACKET)
    root = first.peer.user_message(channel=CHANNEL, text=f"<@{BOT_USER}> 500 pcs", files=[file])
    body = event_callback(app_mention(root))
    first.driver.deliver(body)
    wait_reply(first, root["ts"], lambda m: "500" in header(m), "the quote")
    first.service.close()

    second = start("http", peer=first.peer)
    second.driver.deliver(body, retry_num=1)
    second.service.close()
    assert len(first.peer.bot_replies(CHANNEL, root["ts"])) == 1


def test_oversized_file_gets_a_polite_reply_without_downloading(start: Callable[..., Slack], deps: Deps) -> None:
    slack = start("http", deps=replace(deps, limits=Limits(max_attachment_bytes=len(BRACKET) - 1)))
    root = share_bracket(slack)
    reply = wait_reply(slack, root["ts"], lambda m: "edited" in m, "the reply")
    assert "bracket.dxf" in json.dumps(reply["blocks"]) and not header(reply)
    assert slack.peer.files[root["files"][0]["id"]].downloads == 0


def test_files_past_the_message_limit_are_listed_not_downloaded(start: Callable[..., Slack], deps: Deps) -> None:
    slack = start("http", deps=replace(deps, limits=Limits(max_attachments=1)))
    files = [slack.peer.add_file(name, BRACKET) for name in ("bracket.dxf", "copy.dxf")]
    root = slack.peer.user_message(channel=CHANNEL, text=f"<@{BOT_USER}> could you quote these?", files=files)
    slack.driver.deliver(event_callback(app_mention(root)))
    reply = wait_reply(slack, root["ts"], lambda m: "edited" in m, "the reply")
    assert "I read at most *1* file per message, so this one was not read: *copy.dxf*." in json.dumps(reply["blocks"])
    assert [slack.peer.files[f["id"]].downloads for f in files] == [1, 0]


@pytest.mark.parametrize("mode", ["socket", "http"])
def test_file_larger_than_stated_is_cut_off(start: Callable[..., Slack], deps: Deps, mode: str) -> None:
    slack = start(mode, deps=replace(deps, limits=Limits(max_attachment_bytes=len(BRACKET) - 1)))
    root = share_bracket(slack, size=10)  # Slack's stated size is small; the bytes are not
    reply = wait_reply(slack, root["ts"], lambda m: "edited" in m, "the reply")
    assert "bracket.dxf" in json.dumps(reply["blocks"]) and not header(reply)
    assert slack.peer.files[root["files"][0]["id"]].downloads == 1


def test_sign_in_page_instead_of_the_file_gets_a_polite_reply(slack: Slack) -> None:
    root = share_bracket(slack, sign_in_page=True)  # Slack's answer to a token without files:read
    reply = wait_reply(slack, root["ts"], lambda m: "edited" in m, "the reply")
    assert "bracket.dxf" in json.dumps(reply["blocks"]) and not header(reply)
    assert not blocks_with(reply, "volume")
    assert slack.peer.files[root["files"][0]["id"]].downloads == 1


def test_direct_message_with_a_file_known_only_by_id(slack: Slack) -> None:
    file = slack.peer.add_file("bracket.dxf", BRACKET, check_file_info=True)
    dm = slack.peer.user_message(channel="D0BUYER", text="price for 50 please", files=[file])
    slack.driver.deliver(event_callback(message_event(dm, channel_type="im")))
    reply = slack.peer.wait_for(
        lambda: next((m for m in slack.peer.bot_replies("D0BUYER", dm["ts"]) if "50" in header(m)), None),
        what="the quote in the DM thread")
    assert reply["thread_ts"] == dm["ts"]
    assert [c.args["file"] for c in slack.peer.calls_to("files.info")] == [file["id"]]


def test_other_quantity_button_asks_to_type_it(slack: Slack) -> None:
    root = share_bracket(slack)
    ask = wait_reply(slack, root["ts"], lambda m: blocks_with(m, "volume"), "the reply with volume buttons")
    slack.driver.click(block_actions(ask, channel=CHANNEL, action_id="qty_other", value="other"))
    prompt = wait_reply(slack, root["ts"], lambda m: m["ts"] != ask["ts"], "the prompt for a quantity")
    assert prompt["thread_ts"] == root["ts"] and not prompt["blocks"]


def test_a_thread_the_bot_posted_in_is_followed_without_a_mention(slack: Slack) -> None:
    root = slack.peer.user_message(channel=CHANNEL, text=f"<@{BOT_USER}> hello")
    slack.driver.deliver(event_callback(app_mention(root)))
    wait_reply(slack, root["ts"], lambda m: "edited" in m, "the first answer")  # nothing to price yet
    file = slack.peer.add_file("bracket.dxf", BRACKET)
    follow = slack.peer.user_message(channel=CHANNEL, text="this one, 50 pcs", thread_ts=root["ts"], files=[file])
    slack.driver.deliver(event_callback(message_event(follow)))
    wait_reply(slack, root["ts"], lambda m: "50" in header(m), "the quote")
    assert [c.args["ts"] for c in slack.peer.calls_to("conversations.replies")] == [root["ts"]]


def test_bots_itself_and_unrelated_messages_are_ignored(slack: Slack) -> None:
    root = share_bracket(slack)
    wait_reply(slack, root["ts"], lambda m: blocks_with(m, "volume"), "the first reply")
    posts_before = len(slack.peer.calls_to("chat.postMessage"))
    own = {**slack.peer.user_message(channel=CHANNEL, text="500", thread_ts=root["ts"], user=BOT_USER),
           "bot_id": BOT_ID}
    other_bot = {**slack.peer.user_message(channel=CHANNEL, text="500", thread_ts=root["ts"], user="U0OTHERBOT"),
                 "bot_id": "B0OTHER", "subtype": "bot_message"}
    unrelated = slack.peer.user_message(channel=CHANNEL, text="lunch at 12?")
    other_thread = slack.peer.user_message(channel=CHANNEL, text="500 pcs", thread_ts=unrelated["ts"])
    for event in (own, other_bot, unrelated, other_thread):
        slack.driver.deliver(event_callback(message_event(event)))
    slack.service.close()
    assert len(slack.peer.calls_to("chat.postMessage")) == posts_before
    assert slack.peer.bot_replies(CHANNEL, unrelated["ts"]) == []


def test_forged_signature_and_stale_timestamp_are_rejected(slack_http: Slack) -> None:
    driver = slack_http.driver
    assert isinstance(driver, HttpDriver)
    file = slack_http.peer.add_file("bracket.dxf", BRACKET)
    root = slack_http.peer.user_message(channel=CHANNEL, text=f"<@{BOT_USER}> 500 pcs", files=[file])
    body = json.dumps(event_callback(app_mention(root))).encode()
    now = int(time.time())
    forged = sign(body, timestamp=now, secret="not-the-signing-secret")
    stale = now - 6 * 60  # Slack's guidance: reject requests older than five minutes
    assert driver.post(body, content_type="application/json", signature=forged) == 401
    assert driver.post(body, content_type="application/json", timestamp=stale,
                       signature=sign(body, timestamp=stale)) == 401
    assert driver.post(body, content_type="application/json", signature="v0=") == 401
    slack_http.service.close()
    assert slack_http.peer.calls_to("chat.postMessage") == []
    assert slack_http.peer.files[file["id"]].downloads == 0


def test_request_url_verification_is_answered(slack_http: Slack) -> None:
    driver = slack_http.driver
    assert isinstance(driver, HttpDriver)
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"}).encode()
    now = int(time.time())
    request = urllib.request.Request(driver.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": str(now),
        "X-Slack-Signature": sign(body, timestamp=now)})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read()) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


@pytest.fixture
def slack_http(start: Callable[..., Slack]) -> Slack:
    return start("http")


def test_a_bug_is_logged_and_the_user_gets_an_apology(start: Callable[..., Slack], deps: Deps,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    def broken_parser(data: bytes, filename: str) -> tuple[ParsedDrawing, ...]:
        raise RuntimeError("parser bug")

    slack = start("http", deps=replace(deps, parse=broken_parser))
    root = share_bracket(slack)
    slack.service.close()
    [reply] = slack.peer.bot_replies(CHANNEL, root["ts"])
    assert "edited" in reply and reply["blocks"] == [] and "bracket.dxf" not in reply["text"]
    # the reference the user can quote is the correlation id of every log line about the message
    key = f"slack:{CHANNEL}:{root['ts']}"
    assert reply["text"].endswith(f"(Reference: {correlation_id(key)})")
    assert any(r.exc_info and "parser bug" in str(r.exc_info[1]) for r in caplog.records)
    # the message stays stored and unanswered, for recovery after the fix
    assert [m.dedupe_key for m in deps.store.pending_inbound()] == [f"slack:{CHANNEL}:{root['ts']}"]


RUN_SLACK = """
import os, sys
from bot.limits import Limits
from bot.pipeline import Deps
from bot.render import make_environment
from bot.slack import SlackSettings, run_slack
from bot.store import SqlThreadStore
from estimator import load_rate_card
with SqlThreadStore(sys.argv[1]) as store:
    run_slack(SlackSettings.from_env(os.environ),
              Deps(store=store, card=load_rate_card(), env=make_environment()))
print("stopped")
"""


def test_run_slack_serves_socket_mode_until_interrupted(tmp_path: Path) -> None:
    with SocketModePeer() as socket, SlackPeer(socket_mode_url=socket.url) as peer:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SLACK_BOT_TOKEN": BOT_TOKEN,
               "SLACK_APP_TOKEN": APP_TOKEN, "QUOTEBOT_SLACK_API_URL": peer.api_url}
        with subprocess.Popen([sys.executable, "-c", RUN_SLACK, f"sqlite:///{tmp_path}/q.db"], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
            try:
                socket.active(timeout_s=30)
                file = peer.add_file("bracket.dxf", BRACKET)
                root = peer.user_message(channel=CHANNEL, text=f"<@{BOT_USER}> 50 pcs", files=[file])
                socket.wait_ack(socket.send("events_api", event_callback(app_mention(root))))
                peer.wait_for(lambda: next((m for m in peer.bot_replies(CHANNEL, root["ts"]) if header(m)), None),
                              what="the quote")
            finally:
                proc.send_signal(signal.SIGINT)
                out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert out == "stopped\n"


def test_quote_files_are_uploaded_into_the_thread(start: Callable[..., Slack], deps: Deps) -> None:
    slack = start("http", deps=replace(deps, visuals=True))
    root = share_bracket(slack)
    ask = wait_reply(slack, root["ts"], lambda m: blocks_with(m, "volume"), "the reply with volume buttons")
    slack.driver.click(block_actions(ask, channel=CHANNEL, action_id="qty_500", value="500"))
    wait_reply(slack, root["ts"], lambda m: "500" in header(m), "the quote for 500 pcs")
    complete = slack.peer.wait_for(lambda: slack.peer.calls_to("files.completeUploadExternal") or None,
                                   what="the upload of the quote files")
    args = complete[0].args
    assert args["thread_ts"] == root["ts"]
    files = json.loads(args["files"]) if isinstance(args["files"], str) else args["files"]
    titles = sorted(f["title"] for f in files)
    assert titles == ["chart.png", "preview.png", "quote.pdf"]
    assert len(slack.peer.uploads) == 3 and all(slack.peer.uploads.values())


def test_file_slack_would_not_give_us_gets_a_precise_reply(start: Callable[..., Slack], deps: Deps) -> None:
    slack = start("http", deps=replace(deps, limits=Limits(max_attachment_bytes=1000)))
    root = share_bracket(slack)
    reply = wait_reply(slack, root["ts"], lambda m: "larger than *1,000 bytes*, the most I accept" in json.dumps(m),
                       "the size reply")
    assert "bracket.dxf" in json.dumps(reply)
