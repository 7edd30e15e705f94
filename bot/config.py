"""Settings read once from the environment at start-up and passed down (no globals)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr

from bot.pipeline import DEFAULT_MAX_ATTACHMENT_BYTES


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


def default_cache_dir() -> Path:
    """Where compiled reply templates are kept between runs, e.g. ~/.cache/quotebot/templates on Linux."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("quotebot", appauthor=False)) / "templates"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    db_url: str | None = None
    rates_path: Path | None = None
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    # each attachment is parsed in a worker process with these limits (bot/isolation.py)
    parse_timeout_s: float = 60.0
    parse_memory_mb: int = 2048
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    imap_url: SecretStr | None = None
    smtp_url: SecretStr | None = None
    email_address: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        max_bytes = get("QUOTEBOT_MAX_ATTACHMENT_BYTES")
        timeout_s, memory_mb = get("QUOTEBOT_PARSE_TIMEOUT_S"), get("QUOTEBOT_PARSE_MEMORY_MB")
        return cls(
            parse_timeout_s=float(timeout_s) if timeout_s else 60.0,
            parse_memory_mb=int(memory_mb) if memory_mb else 2048,
            db_url=get("QUOTEBOT_DATABASE_URL"),
            rates_path=Path(p) if (p := get("QUOTEBOT_RATES")) else None,
            max_attachment_bytes=int(max_bytes) if max_bytes else DEFAULT_MAX_ATTACHMENT_BYTES,
            slack_bot_token=SecretStr(v) if (v := get("SLACK_BOT_TOKEN")) else None,
            slack_app_token=SecretStr(v) if (v := get("SLACK_APP_TOKEN")) else None,
            slack_signing_secret=SecretStr(v) if (v := get("SLACK_SIGNING_SECRET")) else None,
            imap_url=SecretStr(v) if (v := get("QUOTEBOT_IMAP_URL")) else None,
            smtp_url=SecretStr(v) if (v := get("QUOTEBOT_SMTP_URL")) else None,
            email_address=get("QUOTEBOT_EMAIL_ADDRESS"),
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
