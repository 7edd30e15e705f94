"""Secrets from the environment or *_FILE secret files; shown only redacted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.credentials import SecretFileError, display_db_url, read_secret, secret_values
from bot.email.config import EmailConfigError, EmailSettings
from bot.slack.config import SlackConfigError, SlackSettings
from tests.conftest import ROOT

IMAP = "imap://quotes%40shop.example:pa%3Ass%40word@127.0.0.1:10143/INBOX"
SMTP = "smtp://quotes%40shop.example:pa%3Ass%40word@127.0.0.1:10025"


def secret_file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_a_secret_comes_from_the_variable_or_its_file(tmp_path: Path) -> None:
    assert read_secret({"SLACK_BOT_TOKEN": " xoxb-1 "}, "SLACK_BOT_TOKEN") == "xoxb-1"
    path = secret_file(tmp_path, "bot", "xoxb-2\n")
    assert read_secret({"SLACK_BOT_TOKEN_FILE": path}, "SLACK_BOT_TOKEN") == "xoxb-2"
    assert read_secret({}, "SLACK_BOT_TOKEN") is None


@pytest.mark.parametrize(("environ", "message"), [
    ({"SLACK_BOT_TOKEN": "x", "SLACK_BOT_TOKEN_FILE": "/run/secrets/bot"},
     "SLACK_BOT_TOKEN and SLACK_BOT_TOKEN_FILE are both set; set only one of them"),
    ({"SLACK_BOT_TOKEN_FILE": "/nonexistent/bot"},
     "SLACK_BOT_TOKEN_FILE: cannot read '/nonexistent/bot' (No such file or directory)"),
])
def test_secret_file_errors_say_what_and_where(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SecretFileError) as info:
        read_secret(environ, "SLACK_BOT_TOKEN")
    assert str(info.value) == message


def test_an_empty_or_binary_secret_file_is_refused(tmp_path: Path) -> None:
    empty = secret_file(tmp_path, "empty", "\n")
    with pytest.raises(SecretFileError, match="is empty"):
        read_secret({"SLACK_APP_TOKEN_FILE": empty}, "SLACK_APP_TOKEN")
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SecretFileError, match="is not UTF-8 text"):
        read_secret({"SLACK_APP_TOKEN_FILE": str(binary)}, "SLACK_APP_TOKEN")


def test_every_channel_reads_its_secrets_from_files(tmp_path: Path) -> None:
    environ = {
        "SLACK_BOT_TOKEN_FILE": secret_file(tmp_path, "bot", "xoxb-file\n"),
        "SLACK_APP_TOKEN_FILE": secret_file(tmp_path, "app", "xapp-file"),
        "SLACK_SIGNING_SECRET_FILE": secret_file(tmp_path, "sign", "s1gn"),
        "QUOTEBOT_IMAP_URL_FILE": secret_file(tmp_path, "imap", IMAP),
        "QUOTEBOT_SMTP_URL_FILE": secret_file(tmp_path, "smtp", SMTP),
        "QUOTEBOT_DATABASE_URL_FILE": secret_file(tmp_path, "db", "postgresql+psycopg://u:dbpw-1@db/q"),
        "QUOTEBOT_EMAIL_ADDRESS": "quotes@shop.example",
    }
    settings = Settings.from_env(environ)
    assert settings.channel_status() == [("slack", True, "configured"), ("email", True, "configured")]
    assert settings.db_url == "postgresql+psycopg://u:dbpw-1@db/q"
    slack = SlackSettings.from_env(environ)
    assert slack.bot_token.get_secret_value() == "xoxb-file" and slack.require_signing_secret() == "s1gn"
    email = EmailSettings.from_env(environ)
    assert email.imap.password.get_secret_value() == "pa:ss@word" and email.smtp.port == 10025
    assert set(secret_values(settings)) == {"xoxb-file", "xapp-file", "s1gn", IMAP, SMTP, "pa:ss@word", "dbpw-1"}


def test_channel_settings_report_a_bad_secret_file_as_their_own_error(tmp_path: Path) -> None:
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN_FILE: cannot read"):
        SlackSettings.from_env({"SLACK_BOT_TOKEN_FILE": str(tmp_path / "missing")})
    with pytest.raises(EmailConfigError, match="both set"):
        EmailSettings.from_env({"QUOTEBOT_EMAIL_ADDRESS": "q@shop.example", "QUOTEBOT_IMAP_URL": IMAP,
                                "QUOTEBOT_IMAP_URL_FILE": "/x", "QUOTEBOT_SMTP_URL": SMTP})


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql+psycopg://app:s3cr%40t@db.internal:5432/quotes", "postgresql+psycopg://app:***@db.internal:5432/quotes"),
    ("sqlite:////var/lib/quotebot/q.db", "sqlite:////var/lib/quotebot/q.db"),
    ("not a url :pw@", "not a url :pw@"),
])
def test_database_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert display_db_url(url) == shown


def run_quotebot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "share")}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT,
                          env=base | env, timeout=120)


def test_serve_prints_the_database_url_with_the_password_hidden(tmp_path: Path) -> None:
    out = run_quotebot(tmp_path, "serve", QUOTEBOT_DATABASE_URL="postgresql+psycopg://app:Xy9-hunter2@db:5432/q")
    assert out.returncode == 1  # no channel configured
    assert "db     postgresql+psycopg://app:***@db:5432/q" in out.stdout
    assert "hunter2" not in out.stdout + out.stderr


def test_an_unreadable_secret_file_stops_the_cli_with_one_line(tmp_path: Path) -> None:
    out = run_quotebot(tmp_path, "serve", SLACK_BOT_TOKEN_FILE=str(tmp_path / "nope"))
    assert out.returncode == 2
    missing = tmp_path / "nope"
    assert out.stderr.strip() == f"quotebot: SLACK_BOT_TOKEN_FILE: cannot read '{missing}' (No such file or directory)"
