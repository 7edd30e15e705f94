"""Email channel settings, read once from QUOTEBOT_* variables and passed down (no globals)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from enum import StrEnum
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr

from bot.credentials import SecretFileError, read_secret

DEFAULT_PROCESSED_FLAG = "$QuotebotDone"
SALES_FLAG = "$QuotebotSales"


class EmailConfigError(ValueError):
    """A QUOTEBOT_* email variable is missing or malformed; the message names the variable."""


class Security(StrEnum):
    TLS = "tls"  # implicit TLS (imaps://, smtps://)
    STARTTLS = "starttls"
    PLAIN = "plain"  # allowed on loopback only


class ServerUrl(BaseModel):
    """One server from an ``imap[s]://`` or ``smtp[s]://`` URL; ``folder`` is the IMAP mailbox."""

    model_config = ConfigDict(frozen=True)

    host: str
    port: int
    username: str
    password: SecretStr
    security: Security
    folder: str = "INBOX"

    @property
    def is_loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


class ProcessedAction(StrEnum):
    FLAG = "flag"
    MOVE = "move"


class EmailSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    imap: ServerUrl
    smtp: ServerUrl
    address: str
    allow: tuple[str, ...] = ()  # lower-case addresses or domains; empty means everyone
    processed: ProcessedAction = ProcessedAction.FLAG
    processed_flag: str = DEFAULT_PROCESSED_FLAG
    processed_folder: str = "Quotebot"
    acknowledge_others: bool = True
    rate_limit_count: int = 20
    rate_limit_window_s: float = 3600.0
    idle_timeout_s: float = 240.0  # re-issue IDLE well inside the 29 min servers allow
    poll_interval_s: float = 30.0  # when the server has no IDLE, or idle is off
    idle: bool = True
    backoff_max_s: float = 60.0

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2].lower()

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> EmailSettings:
        """Settings from QUOTEBOT_IMAP_URL, QUOTEBOT_SMTP_URL, QUOTEBOT_EMAIL_ADDRESS and the optional ones.

        The two URLs hold passwords: either may be given as a secret file instead
        (QUOTEBOT_IMAP_URL_FILE, QUOTEBOT_SMTP_URL_FILE).

        Optional: QUOTEBOT_EMAIL_ALLOW (comma-separated addresses or domains), QUOTEBOT_EMAIL_PROCESSED
        ("flag" or "move:FOLDER"), QUOTEBOT_EMAIL_ACK_OTHERS ("0" to stay silent to others),
        QUOTEBOT_EMAIL_RATE_LIMIT ("COUNT/SECONDS", e.g. "20/3600"), QUOTEBOT_EMAIL_IDLE ("0" to poll
        even when the server has IDLE), QUOTEBOT_EMAIL_POLL_S (seconds between polls).

        Raises:
            EmailConfigError: a variable is missing or malformed.
        """

        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        def need(name: str) -> str:
            value = get(name)
            if value is None:
                raise EmailConfigError(f"{name} is not set")
            return value

        def need_secret(name: str) -> str:
            try:
                value = read_secret(environ, name)
            except SecretFileError as exc:
                raise EmailConfigError(str(exc)) from None
            if value is None:
                raise EmailConfigError(f"{name} is not set")
            return value

        address = need("QUOTEBOT_EMAIL_ADDRESS")
        if "@" not in address:
            raise EmailConfigError(f"QUOTEBOT_EMAIL_ADDRESS: expected an address like quotes@shop.example, "
                                   f"got {address!r}")
        fields: dict[str, object] = {
            "imap": parse_server_url(need_secret("QUOTEBOT_IMAP_URL"), name="QUOTEBOT_IMAP_URL"),
            "smtp": parse_server_url(need_secret("QUOTEBOT_SMTP_URL"), name="QUOTEBOT_SMTP_URL"),
            "address": address,
            "allow": tuple(a.strip().lower().lstrip("@") for a in (get("QUOTEBOT_EMAIL_ALLOW") or "").split(",")
                           if a.strip()),
            "acknowledge_others": get("QUOTEBOT_EMAIL_ACK_OTHERS") not in ("0", "no", "false"),
        }
        processed = get("QUOTEBOT_EMAIL_PROCESSED")
        if processed:
            action, _, folder = processed.partition(":")
            if action not in ("flag", "move") or (action == "move" and not folder):
                raise EmailConfigError(f"QUOTEBOT_EMAIL_PROCESSED: expected 'flag' or 'move:FOLDER', got {processed!r}")
            fields["processed"] = ProcessedAction(action)
            if folder:
                fields["processed_folder"] = folder
        rate = get("QUOTEBOT_EMAIL_RATE_LIMIT")
        if rate:
            count, _, window = rate.partition("/")
            try:
                fields["rate_limit_count"] = int(count)
                fields["rate_limit_window_s"] = float(window or 3600)
            except ValueError:
                raise EmailConfigError(f"QUOTEBOT_EMAIL_RATE_LIMIT: expected 'COUNT/SECONDS', got {rate!r}") from None
        fields["idle"] = get("QUOTEBOT_EMAIL_IDLE") not in ("0", "no", "false")
        poll = get("QUOTEBOT_EMAIL_POLL_S")
        if poll:
            fields["poll_interval_s"] = float(poll)
        return cls.model_validate(fields)


_SCHEMES = {
    "imaps": (Security.TLS, 993),
    "imap": (Security.PLAIN, 143),
    "smtps": (Security.TLS, 465),
    "smtp": (Security.PLAIN, 587),
}


def parse_server_url(url: str, *, name: str) -> ServerUrl:
    """``imaps://user%40domain:PASSWORD@host[:port]/FOLDER`` or ``smtp://user:PASSWORD@host:587?starttls=1``.

    Plain (no TLS, no STARTTLS) is accepted only for a loopback host.

    Raises:
        EmailConfigError: unknown scheme, no host or credentials, or plain text to a remote host.
    """
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise EmailConfigError(f"{name}: scheme must be one of {', '.join(sorted(_SCHEMES))}, got {parts.scheme!r}")
    security, default_port = _SCHEMES[parts.scheme]
    if not parts.hostname or parts.username is None or parts.password is None:
        raise EmailConfigError(f"{name}: expected {parts.scheme}://USER:PASSWORD@HOST[:PORT]")
    query = parse_qs(parts.query)
    if security is Security.PLAIN and query.get("starttls", ["0"])[0] in ("1", "true", "yes"):
        security = Security.STARTTLS
    try:
        port = parts.port or default_port
    except ValueError:
        raise EmailConfigError(f"{name}: bad port in {parts.netloc.rpartition('@')[2]!r}") from None
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    server = ServerUrl(
        host=parts.hostname, port=port, username=unquote(parts.username), password=SecretStr(unquote(parts.password)),
        security=security, folder=folder,
    )
    if security is Security.PLAIN and not server.is_loopback:
        raise EmailConfigError(f"{name}: plain text to {server.host} is refused; use {parts.scheme}s:// or ?starttls=1")
    return server
