"""``quotebot doctor``: checks the configuration, the database, Slack and the mail server, in plain words.

Each check is one line: what works, or what is wrong and what to do about it. Nothing is changed: the
database is not created or migrated, no message is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.logs import RedactSecrets

logger = logging.getLogger(__name__)

README = "see README.md, 'quotebot serve'"


@dataclass(frozen=True)
class Check:
    area: str  # "config", "database", "queue", "slack", "email"
    ok: bool
    message: str

    def line(self) -> str:
        return f"{'ok' if self.ok else 'FAIL':<4}  {self.area:<8} {self.message}"


def run_doctor(environ: Mapping[str, str], *, db_url: str | None = None,
               redactor: RedactSecrets | None = None) -> list[Check]:
    """Every check, in order: configuration, rate card, database, queue (when a broker is set), Slack, email.

    Args:
        environ: the settings, as ``serve`` reads them.
        db_url: a database URL that overrides ``QUOTEBOT_DATABASE_URL`` (``--db``).
        redactor: told the secrets read, so nothing logged meanwhile shows them.
    """
    from bot.config import Settings
    from bot.credentials import secret_values, url_password

    try:
        settings = Settings.from_env(environ)
    except ValueError as exc:
        return [Check("config", False, f"the settings cannot be read: {exc}")]
    if redactor is not None:
        redactor.add(secret_values(settings))
        redactor.add(p for p in (url_password(db_url or ""),) if p)
    checks = check_config(environ, settings)
    checks.append(check_rates(settings))
    checks.append(check_database(db_url or settings.db_url))
    if settings.broker_url is not None:
        checks.append(check_queue(settings.broker_url.get_secret_value(), db_url or settings.db_url))
    email_ready = settings.channel_status()[1][1]
    if settings.slack_bot_token is not None:
        from bot.slack.doctor import check_slack

        checks += check_slack(environ)
    if email_ready:
        from bot.email.doctor import check_email

        checks += check_email(environ)
    return checks


def check_config(environ: Mapping[str, str], settings: Settings) -> list[Check]:
    """Which channels are configured and what is missing."""
    checks: list[Check] = []
    socket_mode = settings.slack_app_token is not None
    http = settings.slack_signing_secret is not None
    if settings.slack_bot_token is None:
        if socket_mode or http:
            checks.append(Check("config", False, "Slack: SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set but "
                                "SLACK_BOT_TOKEN is not; set the bot token (xoxb-...) from OAuth & Permissions"))
        else:
            checks.append(Check("config", True, "Slack is not configured (SLACK_BOT_TOKEN is not set)"))
    elif not (socket_mode or http):
        checks.append(Check("config", False, "Slack: SLACK_BOT_TOKEN is set, but neither SLACK_APP_TOKEN "
                            "(Socket Mode) nor SLACK_SIGNING_SECRET (HTTP events, serve --slack-http PORT) is"))
    else:
        modes = [m for m, on in (("Socket Mode", socket_mode), ("HTTP events with --slack-http", http)) if on]
        checks.append(Check("config", True, f"Slack is configured for {' and '.join(modes)}"))

    email_names = ("QUOTEBOT_IMAP_URL", "QUOTEBOT_SMTP_URL", "QUOTEBOT_EMAIL_ADDRESS")
    given = [n for n in email_names if environ.get(n, "").strip() or environ.get(f"{n}_FILE", "").strip()]
    if not given:
        checks.append(Check("config", True, "email is not configured (QUOTEBOT_IMAP_URL, QUOTEBOT_SMTP_URL "
                            "and QUOTEBOT_EMAIL_ADDRESS are not set)"))
    else:
        from bot.email.config import EmailConfigError, EmailSettings

        try:
            email = EmailSettings.from_env(environ)
        except EmailConfigError as exc:
            checks.append(Check("config", False, f"email: {exc}"))
        else:
            checks.append(Check("config", True, f"email is configured for {email.address} (IMAP "
                                f"{email.imap.host}:{email.imap.port}, SMTP {email.smtp.host}:{email.smtp.port})"))
    if not any(c.message.startswith(("Slack is configured", "email is configured")) for c in checks):
        checks.append(Check("config", False, f"no channel is configured, so serve has nothing to do ({README})"))
    return checks


def check_rates(settings: Settings) -> Check:
    from estimator import load_rate_card

    where = str(settings.rates_path) if settings.rates_path else "the built-in rate card"
    try:
        card = load_rate_card(settings.rates_path)
    except Exception as exc:  # any reason the card cannot be used is reported, not raised
        return Check("config", False, f"the rate card ({where}) cannot be used: {exc}")
    return Check("config", True, f"rate card: {where}, {len(card.materials)} materials, prices in {card.currency}")


def check_database(url: str | None) -> Check:
    """Connects (never creates) and compares the schema revision with the newest this version knows."""
    from bot.config import default_db_url
    from bot.credentials import display_db_url

    url = url or default_db_url()
    shown = display_db_url(url)
    try:
        current, heads = _schema_revisions(url)
    except _NotCreated:
        return Check("database", True, f"{shown} does not exist yet; it is created when quotebot starts")
    except ModuleNotFoundError as exc:
        return Check("database", False, f"the driver for {shown} is not installed ({exc.name}); install it, "
                     "for PostgreSQL: pip install 'quotebot[postgres]'")
    except Exception as exc:  # every way a connection fails is reported in words, not raised
        return Check("database", False, f"cannot connect to {shown}: {_first_line(exc)}")
    head = ", ".join(sorted(heads))
    if not current:
        return Check("database", True, f"connected to {shown}; it is empty, and the schema is created when "
                     "quotebot starts")
    unknown = current - _known_revisions()
    if unknown:
        return Check("database", False, f"connected to {shown}, but its schema (revision "
                     f"{', '.join(sorted(unknown))}) is newer than this quotebot knows; upgrade quotebot")
    if current == heads:
        return Check("database", True, f"connected to {shown}; the schema is up to date (revision {head})")
    return Check("database", True, f"connected to {shown}; the schema (revision {', '.join(sorted(current))}) "
                 f"is upgraded to {head} when quotebot starts")


def check_queue(broker_url: str, db_url: str | None) -> Check:
    """Queue mode: the broker answers, and the store is one every process can share (PostgreSQL)."""
    from bot.queue import ping_broker, redact_url

    shown = redact_url(broker_url)
    if not (db_url or "").startswith("postgresql"):
        return Check("queue", False, f"QUOTEBOT_BROKER_URL is set ({shown}), but queue mode needs PostgreSQL as the "
                     "database: set QUOTEBOT_DATABASE_URL=postgresql+psycopg://..., or unset the broker URL to "
                     "answer in `quotebot serve` itself")
    try:
        ping_broker(broker_url)
    except ValueError as exc:
        return Check("queue", False, str(exc))
    except Exception as exc:  # every way a connection fails is reported in words, not raised
        return Check("queue", False, f"cannot reach the broker at {shown}: {_first_line(exc) or type(exc).__name__}; "
                     "is it running, and are the user and password right?")
    return Check("queue", True, f"the broker at {shown} answers; run `quotebot worker` to answer messages")


class _NotCreated(Exception):
    pass


def _script() -> object:
    from importlib.resources import files

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(files("bot") / "migrations"))
    return ScriptDirectory.from_config(config)


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = _script()
    assert isinstance(script, ScriptDirectory)
    return {r.revision for r in script.walk_revisions()}


def _schema_revisions(url: str) -> tuple[set[str], set[str]]:
    """(the database's current revisions, the newest revisions of the code)."""
    import sqlalchemy as sa
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        from pathlib import Path

        if not Path(parsed.database).exists():
            raise _NotCreated
    script = _script()
    assert isinstance(script, ScriptDirectory)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    return current, set(script.get_heads())


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()
    return text[0] if text else type(cause).__name__
