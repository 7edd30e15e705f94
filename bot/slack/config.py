"""Slack settings read once from the environment (the variable names bolt itself reads)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, PositiveInt, SecretStr

from bot.credentials import SecretFileError, read_secret
from bot.pipeline import DEFAULT_MAX_ATTACHMENT_BYTES

DEFAULT_API_URL = "https://slack.com/api/"


class SlackConfigError(ValueError):
    """A Slack setting is missing or malformed; the message names the environment variable."""


class SlackSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    bot_token: SecretStr
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    api_url: str = DEFAULT_API_URL
    max_file_bytes: PositiveInt = DEFAULT_MAX_ATTACHMENT_BYTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SlackSettings:
        """Settings from ``SLACK_BOT_TOKEN``, ``SLACK_APP_TOKEN``, ``SLACK_SIGNING_SECRET`` (each also as
        ``*_FILE``, a secret file) and the ``QUOTEBOT_SLACK_*`` overrides.

        Raises:
            SlackConfigError: ``SLACK_BOT_TOKEN`` is unset, a secret file cannot be read, or
                ``QUOTEBOT_SLACK_MAX_FILE_BYTES`` is not a positive whole number.
        """

        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        def secret(name: str) -> str | None:
            try:
                return read_secret(environ, name)
            except SecretFileError as exc:
                raise SlackConfigError(str(exc)) from None

        bot_token = secret("SLACK_BOT_TOKEN")
        if bot_token is None:
            raise SlackConfigError("SLACK_BOT_TOKEN is not set (the xoxb- token from OAuth & Permissions).")
        max_bytes = get("QUOTEBOT_SLACK_MAX_FILE_BYTES")
        if max_bytes is not None and not (max_bytes.isdigit() and int(max_bytes) > 0):
            raise SlackConfigError(f"QUOTEBOT_SLACK_MAX_FILE_BYTES must be a positive whole number; got {max_bytes!r}.")
        api_url = get("QUOTEBOT_SLACK_API_URL") or DEFAULT_API_URL
        return cls(
            bot_token=SecretStr(bot_token),
            app_token=SecretStr(v) if (v := secret("SLACK_APP_TOKEN")) else None,
            signing_secret=SecretStr(v) if (v := secret("SLACK_SIGNING_SECRET")) else None,
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            max_file_bytes=int(max_bytes) if max_bytes else DEFAULT_MAX_ATTACHMENT_BYTES,
        )

    def require_socket_mode(self) -> str:
        """The app-level token Socket Mode connects with.

        Raises:
            SlackConfigError: ``SLACK_APP_TOKEN`` is unset.
        """
        if self.app_token is None:
            raise SlackConfigError(
                "SLACK_APP_TOKEN is not set (an xapp- token with connections:write, for Socket Mode); "
                "set it, or serve HTTP events with SLACK_SIGNING_SECRET and a port."
            )
        return self.app_token.get_secret_value()

    def require_signing_secret(self) -> str:
        """The secret HTTP requests are verified with.

        Raises:
            SlackConfigError: ``SLACK_SIGNING_SECRET`` is unset.
        """
        if self.signing_secret is None:
            raise SlackConfigError("SLACK_SIGNING_SECRET is not set (Basic Information > App Credentials); "
                                   "HTTP mode cannot verify requests without it.")
        return self.signing_secret.get_secret_value()
