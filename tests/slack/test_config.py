"""SlackSettings from the environment; the manifest and the docs agree with the code."""

from __future__ import annotations

import re

import pytest

from bot.slack.config import DEFAULT_API_URL, SlackConfigError, SlackSettings
from tests.conftest import ROOT


def test_settings_from_environment() -> None:
    s = SlackSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": " xapp-1 ",
                                "QUOTEBOT_SLACK_API_URL": "http://127.0.0.1:9/api"})
    assert s.bot_token.get_secret_value() == "xoxb-1" and s.require_socket_mode() == "xapp-1"
    assert (s.api_url, s.signing_secret) == ("http://127.0.0.1:9/api/", None)
    assert "xoxb-1" not in repr(s)


def test_defaults() -> None:
    s = SlackSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"})
    assert s.api_url == DEFAULT_API_URL == "https://slack.com/api/"
    with pytest.raises(SlackConfigError, match="^SLACK_APP_TOKEN is not set"):
        s.require_socket_mode()
    with pytest.raises(SlackConfigError, match="^SLACK_SIGNING_SECRET is not set"):
        s.require_signing_secret()


@pytest.mark.parametrize(("environ", "message"), [
    ({}, "SLACK_BOT_TOKEN is not set (the xoxb- token from OAuth & Permissions)."),
])
def test_bad_settings_name_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SlackConfigError) as info:
        SlackSettings.from_env(environ)
    assert str(info.value) == message


def test_docs_name_every_setting() -> None:
    source = (ROOT / "bot/slack/config.py").read_text()
    names = set(re.findall(r'(?:get|secret)\("([A-Z_]+)"\)', source))
    assert names >= {"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "QUOTEBOT_SLACK_API_URL"}
    docs = (ROOT / "docs/slack.md").read_text()
    assert sorted(n for n in names if n not in docs) == []


def test_manifest_subscribes_to_what_the_app_listens_for() -> None:
    manifest = re.sub(r"\s*#.*$", "", (ROOT / "slack/manifest.yaml").read_text(), flags=re.M)  # no comments
    for event in ("app_mention", "message.channels", "message.groups", "message.im"):
        assert re.search(rf"^\s+- {re.escape(event)}$", manifest, re.M), event
    for scope in ("app_mentions:read", "chat:write", "files:read", "channels:history", "im:history"):
        assert re.search(rf"^\s+- {re.escape(scope)}$", manifest, re.M), scope
    assert re.search(r"^\s+socket_mode_enabled: true$", manifest, re.M)
    assert re.search(r"^\s+is_enabled: true$", manifest, re.M)  # interactivity, for the buttons
