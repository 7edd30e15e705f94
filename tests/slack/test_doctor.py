"""quotebot doctor's Slack checks against the local Web API peer: auth.test and apps.connections.open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.slack.doctor import check_slack
from tests.slack.conftest import SIGNING_SECRET
from tests.slack.peer import APP_TOKEN, BOT_TOKEN, BOT_USER, SlackPeer


@pytest.fixture
def peer() -> Iterator[SlackPeer]:
    with SlackPeer(socket_mode_url=lambda: "ws://127.0.0.1:9/link") as running:
        yield running


def test_good_tokens(peer: SlackPeer) -> None:
    checks = check_slack({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
                          "SLACK_SIGNING_SECRET": SIGNING_SECRET, "QUOTEBOT_SLACK_API_URL": peer.api_url})
    assert [c.ok for c in checks] == [True, True, True]
    assert checks[0].message == (f"the bot token works: bot user {BOT_USER} in workspace 'Quotebot Test' "
                                 "(https://quotebot-test.slack.com/)")
    assert checks[1].message == "the app-level token (SLACK_APP_TOKEN) can open Socket Mode connections"
    assert [c.method for c in peer.calls] == ["auth.test", "apps.connections.open"]


def test_a_rejected_bot_token_says_where_to_get_a_new_one(peer: SlackPeer) -> None:
    [check] = check_slack({"SLACK_BOT_TOKEN": "xoxb-revoked", "QUOTEBOT_SLACK_API_URL": peer.api_url})
    assert not check.ok
    assert check.message == ("the bot token (SLACK_BOT_TOKEN) was rejected (invalid_auth); create a new one at "
                             "https://api.slack.com/apps > your app > OAuth & Permissions (Bot User OAuth Token, "
                             "xoxb-...)")


def test_a_rejected_app_token(peer: SlackPeer) -> None:
    checks = check_slack({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xapp-wrong",
                          "QUOTEBOT_SLACK_API_URL": peer.api_url})
    assert [c.ok for c in checks] == [True, False]
    assert checks[1].message.startswith("the app-level token (SLACK_APP_TOKEN) was rejected (invalid_auth); create "
                                        "one at https://api.slack.com/apps > your app > Basic Information")


def test_socket_mode_not_available_for_the_app() -> None:
    with SlackPeer() as peer:  # answers not_allowed_token_type, as Slack does for a token of the wrong kind
        checks = check_slack({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
                              "QUOTEBOT_SLACK_API_URL": peer.api_url})
    assert not checks[1].ok and "is not an app-level token (not_allowed_token_type)" in checks[1].message


def test_slack_out_of_reach() -> None:
    with SlackPeer() as peer:
        url = peer.api_url
    [check] = check_slack({"SLACK_BOT_TOKEN": BOT_TOKEN, "QUOTEBOT_SLACK_API_URL": url}, timeout_s=2)
    assert not check.ok and check.message.startswith(f"cannot reach Slack at {url} (")
