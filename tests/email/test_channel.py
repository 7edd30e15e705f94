"""EmailChannel without a server: policy, dedupe, threading by our own Message-IDs, crash recovery, give-up."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from bot.cli import build_deps
from bot.config import Settings
from bot.email.config import SALES_FLAG, EmailSettings
from bot.email.envelopes import EnvelopeStore
from bot.email.mailbox import PermanentSendError
from bot.email.run import IGNORED_FLAG, EmailChannel
from bot.pipeline import Deps
from tests.email.conftest import ALICE, compose
from tests.email.test_translate import load

BRACKET = ("bracket.dxf", (Path(__file__).resolve().parents[2] / "fixtures/drawings/dxf/bracket.dxf").read_bytes())
ENV = {
    "QUOTEBOT_IMAP_URL": "imap://q:p@127.0.0.1:1/INBOX",
    "QUOTEBOT_SMTP_URL": "smtp://q:p@127.0.0.1:2",
    "QUOTEBOT_EMAIL_ADDRESS": "quotes@shop.example",
}


class RecordingSender:
    """A MailSender that keeps what it was given; ``fail`` makes the next sends raise it."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.fail: Exception | None = None

    def send(self, msg: EmailMessage) -> None:
        if self.fail is not None:
            raise self.fail
        self.sent.append(msg)


@pytest.fixture
def deps(tmp_path: Path) -> Iterator[Deps]:
    built = build_deps(Settings(), db_url=f"sqlite:///{tmp_path / 'quotebot.db'}")
    yield built
    built.store.close()  # type: ignore[attr-defined]


def channel(deps: Deps, sender: RecordingSender, **env: str) -> EmailChannel:
    engine = deps.store.engine  # type: ignore[attr-defined]
    return EmailChannel(EmailSettings.from_env(ENV | env), deps, envelopes=EnvelopeStore(engine), smtp=sender)


def test_redelivered_message_is_answered_once(deps: Deps) -> None:
    sender = RecordingSender()
    bot = channel(deps, sender)
    raw = load("plain_no_quantity").as_bytes()
    assert bot.process(raw) == ()
    assert bot.process(raw) == ()
    assert [m["In-Reply-To"] for m in sender.sent] == ["<a1@customer.example>"]


def test_answer_naming_only_our_reply_joins_the_thread(deps: Deps) -> None:
    sender = RecordingSender()
    bot = channel(deps, sender)
    first = compose(ALICE, "Bracket", "please quote", files=(BRACKET,))
    bot.process(first.as_bytes())
    answer = compose(ALICE, "Re: Bracket", "250 pcs")
    answer["In-Reply-To"] = sender.sent[0]["Message-ID"]  # a client that dropped References
    bot.process(answer.as_bytes())
    quote = sender.sent[1]
    assert "250 pcs:" in str(quote.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert quote["References"].split() == [sender.sent[0]["Message-ID"], answer["Message-ID"]]


def test_others_are_acknowledged_once_and_flagged_for_sales(deps: Deps) -> None:
    sender = RecordingSender()
    bot = channel(deps, sender, QUOTEBOT_EMAIL_ALLOW="supplier.example")
    raw = load("dwg").as_bytes()
    assert bot.process(raw) == (SALES_FLAG,)
    assert bot.process(raw) == (SALES_FLAG,)
    assert len(sender.sent) == 1 and sender.sent[0]["Auto-Submitted"] == "auto-replied"
    assert deps.store.pending_inbound() == []


@pytest.mark.parametrize("name", ["bounce", "auto_reply", "mailing_list"])
def test_robots_are_ignored(deps: Deps, name: str) -> None:
    sender = RecordingSender()
    assert channel(deps, sender).process(load(name).as_bytes()) == (IGNORED_FLAG,)
    assert sender.sent == []


def test_rate_limit_per_sender(deps: Deps) -> None:
    sender = RecordingSender()
    bot = channel(deps, sender, QUOTEBOT_EMAIL_RATE_LIMIT="1/3600")
    assert bot.process(compose(ALICE, "One", "help").as_bytes()) == ()
    assert bot.process(compose(ALICE, "Two", "help").as_bytes()) == (IGNORED_FLAG, SALES_FLAG)
    assert len(sender.sent) == 1


def test_reply_unsent_when_smtp_failed_is_sent_by_catch_up(deps: Deps) -> None:
    sender = RecordingSender()
    bot = channel(deps, sender)
    sender.fail = ConnectionRefusedError("smtp down")
    with pytest.raises(ConnectionRefusedError):
        bot.process(load("dwg").as_bytes())
    assert len(deps.store.pending_outbound()) == 1
    sender.fail = None
    channel(deps, sender).catch_up()  # as after a restart
    channel(deps, sender).catch_up()
    assert [m["In-Reply-To"] for m in sender.sent] == ["<a7@customer.example>"]
    assert deps.store.pending_outbound() == []


def test_permanent_refusal_is_given_up(deps: Deps) -> None:
    sender = RecordingSender()
    sender.fail = PermanentSendError("recipients refused")
    assert channel(deps, sender).process(load("dwg").as_bytes()) == ()
    assert deps.store.pending_outbound() == []
