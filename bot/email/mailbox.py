"""IMAP in, SMTP out: the only module that talks to mail servers (IMAPClient and smtplib).

Errors: every network or protocol failure surfaces as one of ``TRANSIENT_ERRORS`` (the caller reconnects
with backoff); a 5xx answer to a send is ``PermanentSendError`` (retrying cannot help).
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage

from imapclient import IMAPClient  # type: ignore[import-untyped]  # no stubs, no py.typed
from imapclient import exceptions as imapclient_exceptions  # type: ignore[import-untyped]

from bot.email.config import Security, ServerUrl

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OSError, imaplib.IMAP4.error, EOFError)
FETCH_KEY = b"BODY[]"
_CLOSE_ERRORS = (OSError, imaplib.IMAP4.error, EOFError, AttributeError)


class PermanentSendError(Exception):
    """The SMTP server refused a message for good (5xx): the recipient or the content is rejected."""


class LoginRefused(Exception):
    """The server refused the user name or password, or offers no way to log in; the message is the server's."""


class FolderMissing(Exception):
    """The login worked but the IMAP folder does not exist."""


class ImapMailbox:
    """One selected IMAP folder: list unprocessed messages, flag or move them, wait for new mail."""

    def __init__(self, server: ServerUrl, *, timeout_s: float = 30.0) -> None:
        self.server = server
        self.timeout_s = timeout_s
        self.client: IMAPClient | None = None

    def __enter__(self) -> ImapMailbox:
        try:
            self.open()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        """Open the connection (and STARTTLS when configured), not yet logged in."""
        s = self.server
        context = ssl.create_default_context()
        client = IMAPClient(s.host, port=s.port, ssl=s.security is Security.TLS, ssl_context=context,
                            timeout=self.timeout_s)
        self.client = client
        if s.security is Security.STARTTLS:
            client.starttls(context)

    def open(self) -> None:
        s = self.server
        self.connect()
        client = self._client()
        client.login(s.username, s.password.get_secret_value())
        client.select_folder(s.folder)
        logger.info("imap connected %s:%s folder=%s idle=%s", s.host, s.port, s.folder, self.has_idle)

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.logout()  # closes the socket
        except _CLOSE_ERRORS:
            try:
                client.shutdown()  # the connection broke: close the socket all the same
            except _CLOSE_ERRORS:
                pass

    def _client(self) -> IMAPClient:
        if self.client is None:
            raise imaplib.IMAP4.abort("not connected")
        return self.client

    @property
    def has_idle(self) -> bool:
        return bool(self.client is not None and self.client.has_capability("IDLE"))

    def unprocessed(self, *, flag: str) -> list[int]:
        """UIDs of the messages in the folder without the processed flag, oldest first."""
        return sorted(int(uid) for uid in self._client().search(["NOT", "KEYWORD", flag, "NOT", "DELETED"]))

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        """(uid, raw message) for each UID, without setting \\Seen."""
        client = self._client()
        for uid in uids:
            data = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
            raw = data.get(FETCH_KEY)
            if isinstance(raw, bytes):
                yield uid, raw

    def contains(self, message_id: str, *, folders: tuple[str, ...] = ()) -> bool:
        """True when a message with this Message-ID is in the selected folder or one of ``folders``."""
        client = self._client()
        criteria = ["HEADER", "Message-ID", message_id]
        if client.search(criteria):
            return True
        found = False
        for folder in folders:
            if not client.folder_exists(folder):
                continue
            client.select_folder(folder, readonly=True)
            found = bool(client.search(criteria))
            if found:
                break
        if folders:
            client.select_folder(self.server.folder)
        return found

    def mark_processed(self, uid: int, *, flags: tuple[str, ...], move_to: str | None) -> None:
        """Flag a message (and move it, when configured); never deletes it."""
        client = self._client()
        client.add_flags([uid], list(flags), silent=True)
        if move_to is None:
            return
        if not client.folder_exists(move_to):
            client.create_folder(move_to)
        if client.has_capability("MOVE"):
            client.move([uid], move_to)
        else:
            client.copy([uid], move_to)  # flagged in place too, so it is not processed twice

    def wait_for_mail(self, *, timeout_s: float, poll_s: float, stop: threading.Event, idle: bool = True) -> None:
        """Return when new mail may have arrived, ``timeout_s`` passed, or ``stop`` is set.

        IDLE when the server has it (checked every second for ``stop``), else NOOP polling every ``poll_s``.
        """
        client = self._client()
        deadline = time.monotonic() + timeout_s
        if not (idle and self.has_idle):
            stop.wait(min(poll_s, timeout_s))
            client.noop()
            return
        _, pending = client.noop()
        if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in pending):
            return  # mail arrived since the last search: IDLE would not report it again
        client.idle()
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                responses = client.idle_check(timeout=min(1.0, max(0.05, deadline - time.monotonic())))
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    break
        finally:
            client.idle_done()


class SmtpSender:
    """Sends one message per connection: STARTTLS (or implicit TLS) and AUTH, plain only on loopback."""

    def __init__(self, server: ServerUrl, *, timeout_s: float = 30.0) -> None:
        self.server = server
        self.timeout_s = timeout_s

    def send(self, msg: EmailMessage) -> None:
        """Send ``msg`` to its To/Cc addresses.

        Raises:
            PermanentSendError: the server answered 5xx for the sender, every recipient or the data.
            OSError: the server could not be reached or failed temporarily (smtplib errors are OSErrors).
        """
        with _smtp_session(self.server, timeout_s=self.timeout_s) as smtp:
            try:
                smtp.send_message(msg)
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                if all(code >= 500 for code in codes):
                    raise PermanentSendError(f"recipients refused: {sorted(exc.recipients)}") from exc
                raise
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                if exc.smtp_code >= 500:
                    raise PermanentSendError(f"{type(exc).__name__} {exc.smtp_code}") from exc
                raise


def check_imap(server: ServerUrl, *, timeout_s: float = 10.0) -> bool:
    """Connect, log in and open the folder read-only, then log out (``quotebot doctor``); True when the
    server has IDLE.

    Raises:
        LoginRefused: the user name or password was refused.
        FolderMissing: the folder in the URL does not exist.
        OSError: the server could not be reached, TLS failed, or it timed out.
        imaplib.IMAP4.error: another protocol error.
    """
    box = ImapMailbox(server, timeout_s=timeout_s)
    try:
        box.connect()
        client = box._client()
        try:
            client.login(server.username, server.password.get_secret_value())
        except imapclient_exceptions.LoginError as exc:
            raise LoginRefused(_text(exc)) from None
        if not client.folder_exists(server.folder):
            raise FolderMissing(server.folder)
        client.select_folder(server.folder, readonly=True)
        return box.has_idle
    finally:
        box.close()


def check_smtp(server: ServerUrl, *, timeout_s: float = 10.0) -> None:
    """Connect, STARTTLS when configured, and log in, then quit (``quotebot doctor``).

    Raises:
        LoginRefused: the server refused the login, or offers no AUTH on this connection.
        OSError: the server could not be reached, TLS failed, or it timed out (smtplib errors are OSErrors).
    """
    with _smtp_session(server, timeout_s=timeout_s, login=False) as smtp:
        try:
            smtp.login(server.username, server.password.get_secret_value())
        except smtplib.SMTPAuthenticationError as exc:
            raise LoginRefused(f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
        except smtplib.SMTPNotSupportedError:
            raise LoginRefused("the server offers no login (AUTH) on this connection") from None


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").strip()
    if isinstance(value, BaseException) and value.args:
        return _text(value.args[0])
    return str(value).strip()


@contextlib.contextmanager
def _smtp_session(server: ServerUrl, *, timeout_s: float, login: bool = True) -> Iterator[smtplib.SMTP]:
    """An SMTP connection with STARTTLS (or implicit TLS) done and, with ``login``, logged in."""
    context = ssl.create_default_context()
    smtp = (
        smtplib.SMTP_SSL(server.host, server.port, timeout=timeout_s, context=context)
        if server.security is Security.TLS
        else smtplib.SMTP(server.host, server.port, timeout=timeout_s)
    )
    with smtp:
        if server.security is Security.STARTTLS:
            smtp.starttls(context=context)
        if login:
            smtp.login(server.username, server.password.get_secret_value())
        yield smtp
