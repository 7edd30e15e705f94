"""Secrets come from the environment or from secret files, and are shown only redacted.

Each secret setting ``NAME`` may instead be given as ``NAME_FILE``, the path of a file holding the value
(Docker and Kubernetes secrets, systemd credentials): the value then never appears in the process
environment or on a command line. Setting both is refused, so it is always clear which one is used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from bot.config import Settings

SECRET_NAMES = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "QUOTEBOT_IMAP_URL",
    "QUOTEBOT_SMTP_URL",
    "QUOTEBOT_DATABASE_URL",
)
# a secret file larger than this is a wrong path (a log, a database), not a token or a URL
MAX_SECRET_FILE_BYTES = 64 * 1024


class SecretFileError(ValueError):
    """A secret is set twice (``NAME`` and ``NAME_FILE``) or its file cannot be read; the message says which."""


def read_secret(environ: Mapping[str, str], name: str) -> str | None:
    """The value of the secret setting ``name``, from ``name`` or from the file ``name_FILE`` names.

    Surrounding whitespace (the newline an editor adds) is removed; None when neither is set.

    Raises:
        SecretFileError: both are set, or the file is missing, unreadable, too large, not UTF-8 or empty.
    """
    value = environ.get(name, "").strip()
    path = environ.get(f"{name}_FILE", "").strip()
    if not path:
        return value or None
    if value:
        raise SecretFileError(f"{name} and {name}_FILE are both set; set only one of them")
    file = Path(path)
    try:
        if file.stat().st_size > MAX_SECRET_FILE_BYTES:
            raise SecretFileError(f"{name}_FILE: {path!r} is larger than {MAX_SECRET_FILE_BYTES // 1024} KiB; "
                                  "is it the right file?")
        text = file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SecretFileError(f"{name}_FILE: cannot read {path!r} ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise SecretFileError(f"{name}_FILE: {path!r} is not UTF-8 text") from None
    if not text:
        raise SecretFileError(f"{name}_FILE: {path!r} is empty")
    return text


def url_password(url: str) -> str | None:
    """The password in a URL like ``scheme://user:PASSWORD@host/...`` (percent-decoded), or None."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return unquote(password) if password else None


def display_db_url(url: str) -> str:
    """A database URL to print: the password replaced by ``***`` (SQLAlchemy's own rendering)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        password = url_password(url)
        return url.replace(password, "***") if password else url


def secret_values(settings: Settings) -> tuple[str, ...]:
    """Every secret value the settings hold (tokens, whole URLs with credentials, their passwords)."""
    found: list[str] = []
    for secret in (settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret,
                   settings.imap_url, settings.smtp_url, settings.broker_url):
        if secret is not None:
            found.append(secret.get_secret_value())
    urls: Iterable[str] = (
        *(s.get_secret_value() for s in (settings.imap_url, settings.smtp_url, settings.broker_url) if s is not None),
        *((settings.db_url,) if settings.db_url else ()),
    )
    for url in urls:
        password = url_password(url)
        if password:
            found.append(password)
    return tuple(found)
