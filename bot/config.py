"""Settings read once from the environment at start-up and passed down (no globals)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from bot.limits import LIMIT_VARIABLES, Limits


class SettingsError(ValueError):
    """An environment variable has a value quotebot cannot use; the message names the variable."""


def default_db_url() -> str:
    """A per-user SQLite database, e.g. ~/.local/share/quotebot/quotebot.db on Linux."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("quotebot", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'quotebot.db'}"


def default_files_dir() -> Path:
    """Where the terminal channel saves quote files (previews, charts, PDFs)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("quotebot", appauthor=False)) / "files"


def secrets_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """The secret settings, each from its variable or from the file its ``*_FILE`` variable names.

    Raises:
        bot.credentials.SecretFileError: a secret is set twice, or its file cannot be read.
    """
    from bot.credentials import read_secret

    def secret(name: str) -> SecretStr | None:
        value = read_secret(environ, name)
        return SecretStr(value) if value else None

    return {
        "db_url": read_secret(environ, "QUOTEBOT_DATABASE_URL"),
        "slack_bot_token": secret("SLACK_BOT_TOKEN"),
        "slack_app_token": secret("SLACK_APP_TOKEN"),
        "slack_signing_secret": secret("SLACK_SIGNING_SECRET"),
        "imap_url": secret("QUOTEBOT_IMAP_URL"),
        "smtp_url": secret("QUOTEBOT_SMTP_URL"),
        "broker_url": secret("QUOTEBOT_BROKER_URL"),
    }


def default_cache_dir() -> Path:
    """Where compiled reply templates are kept between runs, e.g. ~/.cache/quotebot/templates on Linux."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("quotebot", appauthor=False)) / "templates"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    db_url: str | None = None
    rates_path: Path | None = None
    limits: Limits = Field(default_factory=Limits)
    # each attachment is parsed in a worker process with these limits (bot/isolation.py)
    parse_timeout_s: float = 60.0
    parse_memory_mb: int = 2048
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    imap_url: SecretStr | None = None
    smtp_url: SecretStr | None = None
    email_address: str | None = None
    # queue mode (bot/queue.py): listeners store and enqueue, `quotebot worker` answers
    broker_url: SecretStr | None = None
    queue_name: str = "quotebot"
    # quote replies carry preview.png, chart.png and quote.pdf
    visuals: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Settings from the environment; unset or empty variables keep their defaults.

        Raises:
            SettingsError: a limit, ``QUOTEBOT_PARSE_TIMEOUT_S`` or ``QUOTEBOT_PARSE_MEMORY_MB`` is not a
                positive number (the message names the variable and the value).
        """

        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        values = {field: get(name) for field, name in LIMIT_VARIABLES.items()}
        try:
            limits = Limits(**{field: _whole_number(LIMIT_VARIABLES[field], value)
                               for field, value in values.items() if value is not None})
        except ValidationError as exc:  # a whole number out of range, e.g. QUOTEBOT_MAX_MIME_DEPTH=500
            error = exc.errors()[0]
            field = str(error["loc"][0])
            bound = f"must be at most {error['ctx']['le']}" if error["type"] == "less_than_equal" else error["msg"]
            raise SettingsError(f"{LIMIT_VARIABLES[field]} {bound}; got {values[field]!r}.") from None
        timeout_s, memory_mb = get("QUOTEBOT_PARSE_TIMEOUT_S"), get("QUOTEBOT_PARSE_MEMORY_MB")
        return cls(
            parse_timeout_s=_seconds("QUOTEBOT_PARSE_TIMEOUT_S", timeout_s) if timeout_s else 60.0,
            parse_memory_mb=_whole_number("QUOTEBOT_PARSE_MEMORY_MB", memory_mb) if memory_mb else 2048,
            limits=limits,
            rates_path=Path(p) if (p := get("QUOTEBOT_RATES")) else None,
            email_address=get("QUOTEBOT_EMAIL_ADDRESS"),
            queue_name=get("QUOTEBOT_QUEUE") or "quotebot",
            visuals=(get("QUOTEBOT_VISUALS") or "on").lower() not in ("0", "off", "false", "no"),
            **secrets_from_env(environ),
        )

    def channel_status(self, *, slack_http: bool = False) -> list[tuple[str, bool, str]]:
        """(channel, configured, what is set or missing) for every channel ``serve`` knows.

        Slack needs the bot token, plus the app token (Socket Mode) or the signing secret (HTTP events).
        """
        second = ("SLACK_SIGNING_SECRET", self.slack_signing_secret) if slack_http else (
            "SLACK_APP_TOKEN", self.slack_app_token)
        slack_missing = [n for n, v in (("SLACK_BOT_TOKEN", self.slack_bot_token), second) if v is None]
        email_missing = [
            n for n, v in (("QUOTEBOT_IMAP_URL", self.imap_url), ("QUOTEBOT_SMTP_URL", self.smtp_url),
                           ("QUOTEBOT_EMAIL_ADDRESS", self.email_address))
            if v is None
        ]
        return [
            ("slack", not slack_missing, "missing " + ", ".join(slack_missing) if slack_missing else "configured"),
            ("email", not email_missing, "missing " + ", ".join(email_missing) if email_missing else "configured"),
        ]


def _whole_number(name: str, value: str) -> int:
    """A positive whole number; digits with optional ``_`` or ``,`` separators ("25_000_000", "500,000")."""
    digits = value.replace("_", "").replace(",", "")
    if not digits.isascii() or not digits.isdigit() or int(digits) < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1; got {value!r}.")
    return int(digits)


def _seconds(name: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise SettingsError(f"{name} must be a number of seconds above 0; got {value!r}.")
    return seconds
