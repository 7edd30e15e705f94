"""Slack settings read once from the environment (the variable names bolt itself reads)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, SecretStr

from bot.credentials import SecretFileError, read_secret

DEFAULT_API_URL = "https://slack.com/api/"


class SlackConfigError(ValueError):
    """A Slack setting is missing or malformed; the message names the environment variable."""


class SlackSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    bot_token: SecretStr
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    api_url: str = DEFAULT_API_URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SlackSettings:
        """Settings from ``SLACK_BOT_TOKEN``, ``SLACK_APP_TOKEN``, ``SLACK_SIGNING_SECRET`` (each also as
        ``*_FILE``, a secret file) and ``QUOTEBOT_SLACK_API_URL``. The file size limit is
        ``QUOTEBOT_MAX_ATTACHMENT_BYTES``, for every channel (``bot.limits``).

        Raises:
            SlackConfigError: ``SLACK_BOT_TOKEN`` is unset, or a secret file cannot be read.
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
        api_url = get("QUOTEBOT_SLACK_API_URL") or DEFAULT_API_URL
        return cls(
            bot_token=SecretStr(bot_token),
            app_token=SecretStr(v) if (v := secret("SLACK_APP_TOKEN")) else None,
            signing_secret=SecretStr(v) if (v := secret("SLACK_SIGNING_SECRET")) else None,
            api_url=api_url if api_url.endswith("/") else api_url + "/",
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
