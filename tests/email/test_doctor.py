"""quotebot doctor against the real test mail server (and, for the whole command, the local Slack peer)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from bot.email.doctor import check_email
from bot.store import SqlThreadStore
from tests.conftest import ROOT
from tests.email.conftest import SHOP, MailServer
from tests.slack.peer import APP_TOKEN, BOT_TOKEN, SlackPeer


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_good_logins(mail: MailServer) -> None:
    imap, smtp = check_email(mail.env())
    assert imap.ok and imap.message == (f"IMAP login as {SHOP} works (127.0.0.1:{mail.imap_port}, no TLS, "
                                        "loopback), folder INBOX")
    assert smtp.ok and smtp.message == f"SMTP login as {SHOP} works (127.0.0.1:{mail.smtp_port}, no TLS, loopback)"


def test_a_missing_folder_and_a_closed_port(mail: MailServer) -> None:
    env = mail.env()
    port = _closed_port()
    env["QUOTEBOT_IMAP_URL"] = env["QUOTEBOT_IMAP_URL"].replace("/INBOX", "/Quotes")
    env["QUOTEBOT_SMTP_URL"] = env["QUOTEBOT_SMTP_URL"].replace(f":{mail.smtp_port}", f":{port}")
    imap, smtp = check_email(env)
    assert not imap.ok and imap.message == (f"the IMAP login for {SHOP} works, but the folder 'Quotes' does not "
                                            "exist; create it, or fix the folder in QUOTEBOT_IMAP_URL")
    assert not smtp.ok and smtp.message == (f"cannot connect to the SMTP server (127.0.0.1:{port}, no TLS, "
                                            "loopback): Connection refused; check the host and port in "
                                            "QUOTEBOT_SMTP_URL")


def doctor(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "bot", "doctor"], capture_output=True, text=True, cwd=ROOT,
                          env=base | env, timeout=120)


def test_doctor_command_all_good_then_all_wrong(mail: MailServer, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'q.db'}"
    SqlThreadStore(db).close()
    with SlackPeer(socket_mode_url=lambda: "ws://127.0.0.1:9/link") as peer:
        good = {**mail.env(), "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN,
                "QUOTEBOT_SLACK_API_URL": peer.api_url, "QUOTEBOT_DATABASE_URL": db}
        out = doctor(good, tmp_path)
        assert out.returncode == 0, out.stdout + out.stderr
        lines = out.stdout.splitlines()
        assert [line.split()[:2] for line in lines] == [
            ["ok", "config"], ["ok", "config"], ["ok", "config"], ["ok", "database"], ["ok", "slack"],
            ["ok", "slack"], ["ok", "email"], ["ok", "email"]], out.stdout
        bad = {**good, "SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_APP_TOKEN": "xapp-wrong",
               "QUOTEBOT_SMTP_URL": good["QUOTEBOT_SMTP_URL"].replace(quote(mail.password), "nope-pw"),
               "QUOTEBOT_IMAP_URL": good["QUOTEBOT_IMAP_URL"].replace(quote(mail.password), "nope-pw")}
        out = doctor(bad, tmp_path)
    assert out.returncode == 1
    failed = [line for line in out.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 4, out.stdout
    assert "the bot token (SLACK_BOT_TOKEN) was rejected (invalid_auth)" in out.stdout
    assert (f"FAIL  email    the IMAP server (127.0.0.1:{mail.imap_port}, no TLS, loopback) refused the login for "
            f"{SHOP} (") in out.stdout
    assert (f"FAIL  email    the SMTP server (127.0.0.1:{mail.smtp_port}, no TLS, loopback) refused the login for "
            f"{SHOP} (535") in out.stdout
    assert "nope-pw" not in out.stdout + out.stderr and out.stderr == ""
