"""Email checks for ``quotebot doctor``: log in to the IMAP server (and open the folder) and to the SMTP server."""

from __future__ import annotations

import ssl
from collections.abc import Mapping

from bot.doctor import Check
from bot.email.config import EmailConfigError, EmailSettings, Security, ServerUrl
from bot.email.mailbox import TRANSIENT_ERRORS, FolderMissing, LoginRefused, check_imap, check_smtp


def check_email(environ: Mapping[str, str], *, timeout_s: float = 10.0) -> list[Check]:
    try:
        settings = EmailSettings.from_env(environ)
    except EmailConfigError as exc:
        return [Check("email", False, str(exc))]
    return [_check_imap(settings.imap, timeout_s=timeout_s), _check_smtp(settings.smtp, timeout_s=timeout_s)]


def _where(server: ServerUrl) -> str:
    security = {Security.TLS: "TLS", Security.STARTTLS: "STARTTLS", Security.PLAIN: "no TLS, loopback"}
    return f"{server.host}:{server.port}, {security[server.security]}"


def _check_imap(server: ServerUrl, *, timeout_s: float) -> Check:
    try:
        idle = check_imap(server, timeout_s=timeout_s)
    except LoginRefused as exc:
        return Check("email", False, f"the IMAP server ({_where(server)}) refused the login for {server.username} "
                     f"({exc}); check the user name and password in QUOTEBOT_IMAP_URL")
    except FolderMissing:
        return Check("email", False, f"the IMAP login for {server.username} works, but the folder "
                     f"{server.folder!r} does not exist; create it, or fix the folder in QUOTEBOT_IMAP_URL")
    except ssl.SSLError as exc:
        return Check("email", False, f"TLS with the IMAP server ({_where(server)}) failed ({exc.reason or exc})")
    except OSError as exc:
        return Check("email", False, f"cannot connect to the IMAP server ({_where(server)}): "
                     f"{exc.strerror or exc}; check the host and port in QUOTEBOT_IMAP_URL")
    except TRANSIENT_ERRORS as exc:  # a protocol error from the server
        return Check("email", False, f"the IMAP server ({_where(server)}) answered with an error: {exc}")
    return Check("email", True, f"IMAP login as {server.username} works ({_where(server)}), folder {server.folder}"
                 f"{'' if idle else '; the server has no IDLE, so new mail is polled for'}")


def _check_smtp(server: ServerUrl, *, timeout_s: float) -> Check:
    try:
        check_smtp(server, timeout_s=timeout_s)
    except LoginRefused as exc:
        return Check("email", False, f"the SMTP server ({_where(server)}) refused the login for {server.username} "
                     f"({exc}); check the user name and password in QUOTEBOT_SMTP_URL")
    except ssl.SSLError as exc:
        return Check("email", False, f"TLS with the SMTP server ({_where(server)}) failed ({exc.reason or exc})")
    except OSError as exc:
        return Check("email", False, f"cannot connect to the SMTP server ({_where(server)}): "
                     f"{exc.strerror or exc}; check the host and port in QUOTEBOT_SMTP_URL")
    return Check("email", True, f"SMTP login as {server.username} works ({_where(server)})")
