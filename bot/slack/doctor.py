"""Slack checks for ``quotebot doctor``: the bot token (auth.test) and the app-level token (apps.connections.open)."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.doctor import Check
from bot.slack.config import SlackConfigError, SlackSettings

APPS_URL = "https://api.slack.com/apps"
_REJECTED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission"}


def check_slack(environ: Mapping[str, str], *, timeout_s: int = 10) -> list[Check]:
    """auth.test with the bot token; apps.connections.open with the app-level token when one is set."""
    try:
        settings = SlackSettings.from_env(environ)
    except SlackConfigError as exc:
        return [Check("slack", False, str(exc))]
    checks = [_check_bot_token(settings, timeout_s=timeout_s)]
    if settings.app_token is not None:
        checks.append(_check_app_token(settings, timeout_s=timeout_s))
    if settings.signing_secret is not None:
        checks.append(Check("slack", True, "SLACK_SIGNING_SECRET is set (Slack proves it with the first event "
                            "it sends to serve --slack-http)"))
    return checks


def _check_bot_token(settings: SlackSettings, *, timeout_s: int) -> Check:
    client = WebClient(token=settings.bot_token.get_secret_value(), base_url=settings.api_url, timeout=timeout_s)
    try:
        found = client.auth_test()
    except SlackApiError as exc:
        error = str(exc.response.get("error") or exc.response.status_code)
        if error in _REJECTED:
            return Check("slack", False, f"the bot token (SLACK_BOT_TOKEN) was rejected ({error}); create a new "
                         f"one at {APPS_URL} > your app > OAuth & Permissions (Bot User OAuth Token, xoxb-...)")
        return Check("slack", False, f"auth.test failed ({error}) for the bot token (SLACK_BOT_TOKEN)")
    except OSError as exc:  # urllib's URLError, timeouts, refused connections
        return Check("slack", False, f"cannot reach Slack at {settings.api_url} ({_reason(exc)}); check the "
                     "network, or QUOTEBOT_SLACK_API_URL")
    if not found.get("bot_id"):
        return Check("slack", False, "SLACK_BOT_TOKEN works but is not a bot token (auth.test names no bot); use "
                     "the Bot User OAuth Token (xoxb-...) from OAuth & Permissions")
    return Check("slack", True, f"the bot token works: bot user {found.get('user_id')} in workspace "
                 f"{found.get('team')!r} ({found.get('url')})")


def _check_app_token(settings: SlackSettings, *, timeout_s: int) -> Check:
    assert settings.app_token is not None
    client = WebClient(base_url=settings.api_url, timeout=timeout_s)
    try:
        client.apps_connections_open(app_token=settings.app_token.get_secret_value())
    except SlackApiError as exc:
        error = str(exc.response.get("error") or exc.response.status_code)
        if error in _REJECTED:
            return Check("slack", False, f"the app-level token (SLACK_APP_TOKEN) was rejected ({error}); create "
                         f"one at {APPS_URL} > your app > Basic Information > App-Level Tokens, with the "
                         "connections:write scope")
        if error == "not_allowed_token_type":
            return Check("slack", False, "SLACK_APP_TOKEN is not an app-level token (not_allowed_token_type); it "
                         "starts with xapp- (Basic Information > App-Level Tokens)")
        return Check("slack", False, f"Socket Mode cannot be opened with SLACK_APP_TOKEN ({error}); is Socket "
                     f"Mode enabled for the app at {APPS_URL}?")
    except OSError as exc:
        return Check("slack", False, f"cannot reach Slack at {settings.api_url} ({_reason(exc)})")
    return Check("slack", True, "the app-level token (SLACK_APP_TOKEN) can open Socket Mode connections")


def _reason(exc: OSError) -> str:
    reason = getattr(exc, "reason", None) or exc.strerror or exc
    return str(reason)
