"""The email channel end to end on a real dovecot + postfix on loopback: mail in by SMTP, replies read by IMAP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import sqlalchemy as sa

from bot.email import start_email
from bot.email.config import DEFAULT_PROCESSED_FLAG, SALES_FLAG
from bot.email.run import IGNORED_FLAG
from bot.pipeline import Deps
from tests.conftest import DRAWINGS, ROOT
from tests.email.conftest import (
    ALICE,
    BOB,
    MALLORY,
    SHOP,
    MailServer,
    compose,
    running_bot,
    text_of,
)
from tests.email.test_translate import load

BRACKET = ("bracket.dxf", (DRAWINGS / "dxf/bracket.dxf").read_bytes())
SHAFT = ("shaft.dxf", (DRAWINGS / "dxf/shaft.dxf").read_bytes())
BRACKET_PDF = ("bracket.pdf", (DRAWINGS / "pdf/bracket.pdf").read_bytes())
DWG = ("housing.dwg", (DRAWINGS / "dxf/housing.dwg").read_bytes())


def replies(found: list[tuple[EmailMessage, set[str]]]) -> list[EmailMessage]:
    return [m for m, _ in found if m["From"] == SHOP]


def count(n: int):
    return lambda found: len(replies(found)) >= n


def customers(found: list[tuple[EmailMessage, set[str]]]) -> list[tuple[EmailMessage, set[str]]]:
    """The messages in the shop's mailbox less the copies of what the bot sent (Bcc to itself)."""
    return [(m, f) for m, f in found if m["From"] != SHOP]


def all_flagged(n: int, flag: str = DEFAULT_PROCESSED_FLAG):
    return lambda found: len(customers(found)) >= n and all(flag in flags for _, flags in customers(found))


def test_no_quantity_asks_then_quotes_in_the_same_thread(mail: MailServer, deps: Deps) -> None:
    first = compose(ALICE, "Quote request: bracket", "Hello,\nplease quote the attached.\n\n-- \nAlice",
                    files=(BRACKET,))
    with running_bot(mail.settings(), deps):
        mail.send(first)
        question = replies(mail.wait(ALICE, count(1)))[0]
        assert "How many do you need?" in text_of(question)
        assert question["In-Reply-To"] == first["Message-ID"]
        assert question["References"] == first["Message-ID"]
        assert question["Subject"] == "Re: Quote request: bracket"
        assert question["Message-ID"].endswith("@shop.example>")

        answer = compose(ALICE, "Re: Quote request: bracket",
                         "250 pcs\n\nOn Tue, 24 Nov 2026, Quotes <quotes@shop.example> wrote:\n> How many do you need?",
                         reply_to=question)
        mail.send(answer)
        quote = replies(mail.wait(ALICE, count(2)))[1]
    text = text_of(quote)
    assert "250 pcs:" in text and "Quote Q-" in text
    assert quote["In-Reply-To"] == answer["Message-ID"]
    assert quote["References"].split() == [first["Message-ID"], question["Message-ID"], answer["Message-ID"]]
    assert quote["Subject"] == "Re: Quote request: bracket"
    assert quote.get_content_type() == "multipart/alternative"
    html = quote.get_body(("html",))
    assert html is not None and "250" in html.get_content()
    assert all(DEFAULT_PROCESSED_FLAG in flags for _, flags in customers(mail.messages(SHOP)))
    copies = mail.wait(SHOP, lambda found: len(found) - len(customers(found)) == 2)
    assert {m["Message-ID"] for m, _ in copies if m["From"] == SHOP} == {question["Message-ID"], quote["Message-ID"]}
    print("\n--- quote email as received ---\n" + "".join(f"{k}: {v}\n" for k, v in quote.items()) + "\n" + text)


def test_quantity_in_the_first_email_quotes_at_once_and_moves_it(mail: MailServer, deps: Deps) -> None:
    first = compose(BOB, "New shaft", "Hi, we need 120 pcs of these by March.\nBob", files=(SHAFT,))
    with running_bot(mail.settings(QUOTEBOT_EMAIL_PROCESSED="move:Quotebot"), deps):
        mail.send(first)
        quote = replies(mail.wait(BOB, count(1)))[0]
        moved = mail.wait(SHOP, all_flagged(1), folder="Quotebot")
    assert "SHAFT-S2" in text_of(quote) and "120 pcs:" in text_of(quote)
    assert quote["In-Reply-To"] == first["Message-ID"]
    assert [str(m["Message-ID"]) for m, _ in customers(moved)] == [first["Message-ID"]]
    assert customers(mail.messages(SHOP)) == []  # moved, not deleted


def test_zip_with_two_drawings_gets_one_quote_with_two_lines(mail: MailServer, deps: Deps) -> None:
    zipped = next(load("zip_two").iter_attachments()).get_content()  # the fixture's zip: bracket.dxf + shaft.dxf
    msg = compose(ALICE, "Two parts", "Both parts please, 50 pcs each.", files=(("drawings.zip", zipped),))
    with running_bot(mail.settings(QUOTEBOT_EMAIL_IDLE="0"), deps):  # the polling fallback
        mail.send(msg)
        found = mail.wait(ALICE, count(1))
        mail.wait(SHOP, all_flagged(1))
    assert len(replies(found)) == 1
    text = text_of(replies(found)[0])
    assert "BRACKET-M1 rev A - 50 pcs:" in text and "SHAFT-S2" in text and "50 pcs:" in text.split("SHAFT-S2")[1]


def test_dwg_gets_a_request_for_dxf_or_pdf(mail: MailServer, deps: Deps) -> None:
    msg = compose(ALICE, "Housing", "Please quote 20 pcs.", files=(DWG,))
    with running_bot(mail.settings(), deps):
        mail.send(msg)
        reply = replies(mail.wait(ALICE, count(1)))[0]
    text = text_of(reply)
    assert "housing.dwg" in text and "DXF" in text and "PDF" in text
    assert "Quote Q-" not in text


def test_bounce_auto_reply_and_list_are_ignored(mail: MailServer, deps: Deps) -> None:
    mail.send(load("bounce"), envelope_from="")  # MAIL FROM:<> as a real bounce
    mail.send(load("auto_reply"))
    mail.send(load("mailing_list"))
    sentinel = compose(ALICE, "Bracket PDF", "Quote 10 pcs please.", files=(BRACKET_PDF,))
    with running_bot(mail.settings(), deps):
        mail.send(sentinel)
        shop = mail.wait(SHOP, all_flagged(4))
        found = mail.wait(ALICE, count(1))
    ignored = {str(m["Message-ID"]) for m, flags in customers(shop) if IGNORED_FLAG in flags}
    assert ignored == {"<d1@mail.customer.example>", "<d2@customer.example>", "<d3@customer.example>"}
    assert [r["In-Reply-To"] for r in replies(found)] == [sentinel["Message-ID"]]
    assert _inbound_keys(deps) == {sentinel["Message-ID"]}


def test_sender_outside_the_allowlist_gets_the_acknowledgement(mail: MailServer, deps: Deps) -> None:
    msg = compose(MALLORY, "Prices?", "How much for 500 of these?", files=(BRACKET,))
    with running_bot(mail.settings(QUOTEBOT_EMAIL_ALLOW="customer.example"), deps):
        mail.send(msg)
        ack = replies(mail.wait(MALLORY, count(1)))[0]
        shop = mail.wait(SHOP, all_flagged(1))
    assert ack["Auto-Submitted"] == "auto-replied" and ack["In-Reply-To"] == msg["Message-ID"]
    assert "Quote Q-" not in text_of(ack)
    assert SALES_FLAG in shop[0][1]
    assert _inbound_keys(deps) == set()  # never quoted


def test_bot_reconnects_after_the_server_restarts(mail: MailServer, deps: Deps) -> None:
    with running_bot(mail.settings(), deps) as thread:
        first = compose(ALICE, "Bracket", "Quote 10 pcs.", files=(BRACKET,))
        mail.send(first)
        mail.wait(ALICE, count(1))
        mail.restart_imap()
        second = compose(BOB, "Shaft", "Quote 30 pcs.", files=(SHAFT,))
        mail.send(second)
        found = mail.wait(BOB, count(1))
        assert thread.is_alive()
    assert replies(found)[0]["In-Reply-To"] == second["Message-ID"]


def test_start_email_serves_until_closed(mail: MailServer, deps: Deps) -> None:
    msg = compose(BOB, "Shaft", "Quote 40 pcs.", files=(SHAFT,))
    with start_email(mail.env(), deps) as service:
        mail.send(msg)
        found = mail.wait(BOB, count(1))
        assert service.wait(timeout_s=0.1) is False
    assert service.wait(timeout_s=0) is True
    assert replies(found)[0]["In-Reply-To"] == msg["Message-ID"]


BOT = """
import logging, os, sys
from bot.cli import build_deps
from bot.config import Settings
from bot.email import EmailSettings, run_email
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
deps = build_deps(Settings.from_env(os.environ), db_url=None)
try:
    run_email(EmailSettings.from_env(os.environ), deps)
finally:
    deps.store.close()
"""


def _bot_process(mail: MailServer, db: str, log: Path) -> subprocess.Popen[bytes]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(log.parent), "QUOTEBOT_DATABASE_URL": db,
           **mail.env()}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-c", BOT], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=out)


def test_killed_mid_batch_loses_nothing_and_answers_once(mail: MailServer, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'bot.db'}"
    batch = [compose(ALICE, f"Part {i}", f"Quote {10 * (i + 1)} pcs please.", files=(BRACKET if i % 2 else SHAFT,))
             for i in range(5)]
    for msg in batch:
        mail.send(msg)
    mail.wait(SHOP, lambda found: len(found) == len(batch))
    log = tmp_path / "bot.log"
    with _bot_process(mail, db, log) as first:
        try:
            mail.wait(ALICE, count(1))
        finally:
            first.kill()
    interrupted = len(replies(mail.messages(ALICE)))
    with _bot_process(mail, db, log) as second:
        try:
            found = mail.wait(ALICE, count(len(batch)))
            mail.wait(SHOP, all_flagged(len(batch)))
        finally:
            second.send_signal(signal.SIGTERM)  # graceful stop
            rc = second.wait(timeout=30)
    assert rc == 0, log.read_text()[-2000:]
    assert interrupted < len(batch), "the first run was not interrupted mid-batch"
    answered = {r["In-Reply-To"]: r["Message-ID"] for r in replies(found)}
    assert set(answered) == {m["Message-ID"] for m in batch}
    distinct = {str(r["Message-ID"]) for r in replies(found)}
    assert len(distinct) == len(batch), "an inbound message was answered by two different replies"
    assert len(replies(mail.messages(ALICE))) == len(batch), "a reply was sent twice"
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        statuses = conn.execute(sa.text("SELECT direction, status, count(*) FROM messages GROUP BY 1, 2")).all()
    engine.dispose()
    assert sorted(tuple(s) for s in statuses) == [("in", "answered", len(batch)), ("out", "sent", len(batch))]


def _inbound_keys(deps: Deps) -> set[str]:
    engine = deps.store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT dedupe_key FROM messages WHERE direction = 'in'")).all()
    return {r[0] for r in rows}
