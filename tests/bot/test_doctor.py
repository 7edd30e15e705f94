"""quotebot doctor without network services: configuration, rate card and database checks in plain words."""

from __future__ import annotations

import socket
from importlib.resources import files
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.config import Settings
from bot.doctor import Check, check_config, check_database, check_queue, check_rates, run_doctor
from bot.store import SqlThreadStore
from tests.conftest import RABBITMQ, listening


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_nothing_configured_says_so_and_fails() -> None:
    checks = check_config({}, Settings())
    assert [c.line() for c in checks] == [
        "ok    config   Slack is not configured (SLACK_BOT_TOKEN is not set)",
        "ok    config   email is not configured (QUOTEBOT_IMAP_URL, QUOTEBOT_SMTP_URL and QUOTEBOT_EMAIL_ADDRESS "
        "are not set)",
        "FAIL  config   no channel is configured, so serve has nothing to do (see README.md, 'quotebot serve')",
    ]


def test_half_configured_channels_say_what_is_missing() -> None:
    environ = {"SLACK_BOT_TOKEN": "xoxb-1", "QUOTEBOT_EMAIL_ADDRESS": "quotes@shop.example"}
    checks = check_config(environ, Settings.from_env(environ))
    assert [(c.ok, c.message) for c in checks] == [
        (False, "Slack: SLACK_BOT_TOKEN is set, but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET "
                "(HTTP events, serve --slack-http PORT) is"),
        (False, "email: QUOTEBOT_IMAP_URL is not set"),
        (False, "no channel is configured, so serve has nothing to do (see README.md, 'quotebot serve')"),
    ]


def test_an_unreadable_secret_file_is_one_failed_check(tmp_path: Path) -> None:
    checks = run_doctor({"SLACK_BOT_TOKEN_FILE": str(tmp_path / "missing")})
    assert [(c.ok, c.area) for c in checks] == [(False, "config")]
    assert "SLACK_BOT_TOKEN_FILE: cannot read" in checks[0].message


def test_a_broken_rate_card_is_reported(tmp_path: Path) -> None:
    card = tmp_path / "rates.toml"
    card.write_text("currency = 'USD'\n")
    check = check_rates(Settings(rates_path=card))
    assert not check.ok and check.message.startswith(f"the rate card ({card}) cannot be used: ")
    assert check_rates(Settings()).ok


def test_database_states_in_plain_words(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    assert check_database(missing) == Check("database", True, f"{missing} does not exist yet; it is created when "
                                            "quotebot starts")
    assert not (tmp_path / "none.db").exists(), "the doctor must not create the database"

    current = f"sqlite:///{tmp_path / 'current.db'}"
    SqlThreadStore(current).close()
    check = check_database(current)
    assert check.ok and check.message.startswith(f"connected to {current}; the schema is up to date (revision 0")

    empty = tmp_path / "empty.db"
    sa.create_engine(f"sqlite:///{empty}").connect().close()
    assert check_database(f"sqlite:///{empty}").message.endswith("it is empty, and the schema is created when "
                                                                 "quotebot starts")

    behind = f"sqlite:///{tmp_path / 'behind.db'}"
    config = Config()
    config.set_main_option("script_location", str(files("bot") / "migrations"))
    config.set_main_option("sqlalchemy.url", behind)
    engine = sa.create_engine(behind)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    check = check_database(behind)
    assert check.ok and "the schema (revision 0001) is upgraded to 0" in check.message

    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffff9999'"))
    engine.dispose()
    check = check_database(behind)
    assert not check.ok and check.message.endswith("its schema (revision ffff9999) is newer than this quotebot "
                                                   "knows; upgrade quotebot")


def test_an_unreachable_database_is_named_without_its_password() -> None:
    port = _closed_port()
    check = check_database(f"postgresql+psycopg://app:Hunter2-pw@127.0.0.1:{port}/q")
    assert not check.ok
    assert check.message.startswith(f"cannot connect to postgresql+psycopg://app:***@127.0.0.1:{port}/q: ")
    assert "Hunter2" not in check.message


PG = "postgresql+psycopg://quotebot@127.0.0.1/quotebot"


def test_queue_mode_with_sqlite_is_refused_in_words() -> None:
    check = check_queue("amqp://guest:guest@127.0.0.1:5672/%2F", "sqlite:///x.db")
    assert not check.ok and "queue mode needs PostgreSQL" in check.message


def test_an_unreachable_broker_is_named_without_its_password() -> None:
    port = _closed_port()
    check = check_queue(f"amqp://shop:Hunter2-pw@127.0.0.1:{port}/%2F", PG)
    assert not check.ok
    assert check.message.startswith(f"cannot reach the broker at amqp://shop:***@127.0.0.1:{port}/")
    assert "Hunter2" not in check.message


def test_a_broker_url_of_another_kind_is_refused() -> None:
    check = check_queue("http://127.0.0.1:5672", PG)
    assert not check.ok and "amqp://" in check.message


def test_a_running_broker_answers() -> None:
    if not listening(5672):
        pytest.skip("no RabbitMQ on 127.0.0.1:5672")
    check = check_queue(RABBITMQ, PG)
    assert check.ok, check.message
    assert "guest:***@" in check.message
