"""A real mail server for the email tests (scripts/mailserver.sh), and helpers to send and read mail there."""

from __future__ import annotations

import imaplib
import os
import shutil
import smtplib
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import quote

import pytest
from imapclient import IMAPClient  # type: ignore[import-untyped]

from bot.cli import build_deps
from bot.config import Settings
from bot.email.config import EmailSettings
from bot.email.run import run_email
from bot.pipeline import Deps
from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "mailserver.sh"
SHOP = "quotes@shop.example"
ALICE = "alice@customer.example"
BOB = "bob@customer.example"
MALLORY = "mallory@other.example"
WAIT_S = 45.0


@dataclass(frozen=True)
class MailServer:
    imap_port: int
    smtp_port: int
    password: str
    users: tuple[str, ...]
    script_env: dict[str, str]  # QUOTEBOT_MAIL_* for scripts/mailserver.sh: this server's folder and ports

    def env(self, *, user: str = SHOP) -> dict[str, str]:
        auth = f"{quote(user)}:{quote(self.password)}"
        return {
            "QUOTEBOT_IMAP_URL": f"imap://{auth}@127.0.0.1:{self.imap_port}/INBOX",
            "QUOTEBOT_SMTP_URL": f"smtp://{auth}@127.0.0.1:{self.smtp_port}",
            "QUOTEBOT_EMAIL_ADDRESS": user,
            "QUOTEBOT_EMAIL_POLL_S": "0.5",
        }

    def settings(self, **extra: str) -> EmailSettings:
        return EmailSettings.from_env(self.env() | extra)

    @contextmanager
    def imap(self, user: str, folder: str = "INBOX") -> Iterator[IMAPClient]:
        client = IMAPClient("127.0.0.1", port=self.imap_port, ssl=False, timeout=10)
        try:
            client.login(user, self.password)
            client.select_folder(folder)
            yield client
        finally:
            try:
                client.logout()
            except (OSError, imaplib.IMAP4.error):
                client.shutdown()

    def clear(self) -> None:
        """Empty every user's mailboxes (test side only: the bot never deletes)."""
        for user in self.users:
            with self.imap(user) as client:
                for folder in [f[2] for f in client.list_folders()]:
                    if folder != "INBOX":
                        client.delete_folder(folder)
                uids = client.search("ALL")
                if uids:
                    client.delete_messages(uids)
                    client.expunge()

    def send(self, msg: EmailMessage, *, envelope_from: str | None = None) -> str:
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=10) as smtp:
            smtp.send_message(msg, from_addr=envelope_from)
        return str(msg["Message-ID"])

    def messages(self, user: str, folder: str = "INBOX") -> list[tuple[EmailMessage, set[str]]]:
        """Every message in a folder with its flags, oldest first."""
        with self.imap(user, folder) as client:
            data = client.fetch(client.search("ALL"), ["BODY.PEEK[]", "FLAGS"])
        found = []
        for uid in sorted(data):
            msg = BytesParser(policy=policy.default).parsebytes(data[uid][b"BODY[]"])
            assert isinstance(msg, EmailMessage)
            found.append((msg, {f.decode() for f in data[uid][b"FLAGS"]}))
        return found

    def wait(self, user: str, check: Callable[[list[tuple[EmailMessage, set[str]]]], bool], *,
             folder: str = "INBOX", timeout_s: float = WAIT_S) -> list[tuple[EmailMessage, set[str]]]:
        """Poll a folder until ``check`` holds (bounded); fails with what was there."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = self.messages(user, folder)
            if check(found):
                return found
            if time.monotonic() > deadline:
                subjects = [(str(m["Subject"]), sorted(f)) for m, f in found]
                pytest.fail(f"{user}/{folder}: condition not met after {timeout_s:.0f} s; found {subjects}")
            time.sleep(0.2)

    def restart_imap(self) -> None:
        subprocess.run(["bash", str(SCRIPT), "restart-imap"], check=True, timeout=60, stdin=subprocess.DEVNULL,
                       capture_output=True, env=self.script_env)


def _info(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def _free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailServer]:
    """Starts dovecot + postfix on free loopback ports under a fresh folder (installing them when needed and
    possible), once per session: parallel test runs on one machine do not share mailboxes."""
    if shutil.which("bash") is None:
        pytest.skip("bash is needed to start the test mail server")
    folder = tempfile.mkdtemp(prefix="quotebot-mail-", dir="/tmp")  # short, and reachable by dovecot's users
    os.chmod(folder, 0o755)
    ports = _free_ports(4)
    names = ("IMAP", "SMTP", "LMTP", "AUTH")
    env = {**os.environ, "QUOTEBOT_MAIL_DIR": folder,
           **{f"QUOTEBOT_MAIL_{name}_PORT": str(port) for name, port in zip(names, ports, strict=True)}}
    try:
        started = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True, timeout=900,
                                 stdin=subprocess.DEVNULL, env=env)
    except subprocess.TimeoutExpired:
        started = subprocess.CompletedProcess([], 1, "", "scripts/mailserver.sh start did not finish in 900 s")
    try:
        if started.returncode != 0:
            pytest.skip(f"no test mail server (scripts/mailserver.sh start): {started.stderr.strip()[-400:]}")
        info = _info(started.stdout)
        yield MailServer(imap_port=int(info["IMAP_PORT"]), smtp_port=int(info["SMTP_PORT"]),
                         password=info["PASSWORD"], users=tuple(info["USERS"].split()), script_env=env)
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop"], capture_output=True, timeout=90, stdin=subprocess.DEVNULL,
                       env=env)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def mail(mail_server: MailServer) -> MailServer:
    mail_server.clear()
    return mail_server


@pytest.fixture
def deps(tmp_path: Path) -> Iterator[Deps]:
    built = build_deps(Settings(), db_url=f"sqlite:///{tmp_path / 'quotebot.db'}")
    yield built
    built.store.close()  # type: ignore[attr-defined]


@contextmanager
def running_bot(settings: EmailSettings, deps: Deps) -> Iterator[threading.Thread]:
    """run_email in a thread, stopped (and joined, bounded) on exit."""
    stop = threading.Event()
    thread = threading.Thread(target=run_email, args=(settings, deps), kwargs={"stop": stop}, name="email-bot")
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=20)
        assert not thread.is_alive(), "run_email did not stop within 20 s"


def compose(sender: str, subject: str, body: str, *, files: tuple[tuple[str, bytes], ...] = (),
            reply_to: EmailMessage | None = None, to: str = SHOP) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    if reply_to is not None:
        msg["In-Reply-To"] = reply_to["Message-ID"]
        msg["References"] = f"{reply_to.get('References', '')} {reply_to['Message-ID']}".strip()
    msg.set_content(body)
    for name, data in files:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg


def text_of(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())
