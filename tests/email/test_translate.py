"""fixtures/email/*.eml -> InboundMessage (new text, attachments, threads) and replies -> threaded email."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from bot.archives import expand_archives
from bot.email.text import html_to_text, new_text
from bot.email.translate import (
    Envelope,
    reply_message_id,
    to_acknowledgement,
    to_email_message,
    to_envelope,
    to_inbound_message,
)
from bot.limits import Limits
from bot.models import Attachment, Channel, RenderedReply, ThreadKey
from tests.conftest import ROOT

EMAIL = ROOT / "fixtures" / "email"
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def load(name: str) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes((EMAIL / f"{name}.eml").read_bytes())
    assert isinstance(msg, EmailMessage)
    return msg


def inbound(name: str):
    found = to_inbound_message(load(name), received_at=NOW)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("name", "text", "files"),
    [
        ("plain_no_quantity", "Quote request: bracket\n\nHello,\n\nplease quote the attached bracket.",
         ["bracket.dxf"]),
        ("gmail_reply", "250 pcs please.", []),
        ("outlook_html", "Hi,\n\nwe need 40 of these, anodized.", ["bracket.pdf"]),
        ("encoded_names", "Anfrage Halterung – 300 pcs, Ø10 H7\n\nGuten Tag,\nbitte um ein Angebot.\n\n"
         "Mit freundlichen Grüßen", ["Halterung-Ü1.dxf"]),
        ("forwarded", "See below, can you quote?\n\nAlice, we need 120 pcs of this by March.\nBob", ["shaft.dxf"]),
        ("zip_two", "Two parts\n\nBoth parts please, 50 pcs each.", ["drawings.zip"]),
        ("dwg", "Housing\n\nPlease quote 20 pcs.", ["housing.dwg"]),
    ],
)
def test_new_text_and_attachments(name: str, text: str, files: list[str]) -> None:
    message = inbound(name)
    assert message.text == text
    assert [a.filename for a in message.attachments] == files
    assert message.thread.channel is Channel.EMAIL
    assert message.sender == "alice@customer.example"


def test_attachments_are_the_drawings_bytes() -> None:
    bracket = (ROOT / "fixtures/drawings/dxf/bracket.dxf").read_bytes()
    shaft = (ROOT / "fixtures/drawings/dxf/shaft.dxf").read_bytes()
    # the zip is passed on whole; the pipeline opens it, as for every channel
    assert [a.data for a in expand_archives(inbound("zip_two").attachments, Limits())] == [bracket, shaft]
    assert inbound("encoded_names").attachments[0].data == bracket


def test_reply_joins_the_thread_of_its_first_reference() -> None:
    reply = inbound("gmail_reply")
    assert reply.thread == ThreadKey(channel=Channel.EMAIL, id="<a1@customer.example>")
    assert reply.dedupe_key == "<a2@customer.example>"
    assert inbound("plain_no_quantity").thread.id == "<a1@customer.example>"


def test_in_reply_to_alone_names_the_thread() -> None:
    assert to_envelope(load("outlook_html")).thread_id == "<x9@shop.example>"


def test_message_without_id_gets_a_stable_one_and_without_sender_is_none() -> None:
    msg = load("dwg")
    del msg["Message-ID"]
    first = to_envelope(msg).message_id
    assert first == to_envelope(msg).message_id and first.endswith("@quotebot.invalid>")
    del msg["From"]
    assert to_inbound_message(msg, received_at=NOW) is None


def test_received_at_defaults_to_the_date_header() -> None:
    message = to_inbound_message(load("dwg"))
    assert message is not None and message.received_at == datetime(2026, 11, 24, 8, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("500 pcs\n\nOn Mon, 23 Nov 2026, Quotes <q@shop.example> wrote:\n> 10 pcs\n", "500 pcs"),
        ("500 pcs\nAm 23.11.2026 um 10:00 schrieb Quotes <q@shop.example>:\n> 10\n", "500 pcs"),
        ("500 pcs\n\n-----Original Message-----\nFrom: Quotes\n10 pcs\n", "500 pcs"),
        ("500 pcs\n\nFrom: Quotes <q@shop.example>\nSent: Monday\nTo: Alice\n10 pcs\n", "500 pcs"),
        ("500 pcs\n> 10 pcs\nthanks\n", "500 pcs\nthanks"),
        ("500 pcs\n--\nAlice\n100 Main St\n", "500 pcs"),
        ("500 pcs\n\nSent from my iPhone\n", "500 pcs"),
        ("From: our side, 500 pcs.\nThe rest\n", "From: our side, 500 pcs.\nThe rest"),
    ],
)
def test_new_text_strips_quotes_and_signatures(body: str, expected: str) -> None:
    assert new_text(body) == expected


def test_html_to_text_drops_quotes_styles_and_entities() -> None:
    html = ("<html><head><title>t</title><style>p{}</style></head><body><p>Need&nbsp;60 &amp; fast</p>"
            "<blockquote>10 pcs</blockquote><div class='gmail_quote'>old</div><p>Alice</p></body></html>")
    assert html_to_text(html) == "Need 60 & fast\n\nAlice"


def test_unreadable_zip_is_passed_on_whole() -> None:
    msg = load("zip_two")
    part = next(p for p in msg.iter_attachments())
    damaged = part.get_content()[:-200]
    part.set_content(damaged, maintype="application", subtype="zip", filename="drawings.zip")
    message = to_inbound_message(msg, received_at=NOW)
    assert message is not None
    assert [(a.filename, a.data) for a in message.attachments] == [("drawings.zip", damaged)]


REPLY = RenderedReply(
    thread=ThreadKey(channel=Channel.EMAIL, id="<a1@customer.example>"), in_reply_to="<a2@customer.example>",
    outcome="estimate", subject="Quote Q-2026-0001: BRACKET-M1 rev A", text="Quote <b> & text\n",
    html="<p>Quote &lt;b&gt; &amp; html</p>\n",
)


def test_reply_is_threaded_multipart_alternative() -> None:
    envelope = to_envelope(load("gmail_reply"))
    msg = to_email_message(REPLY, envelope=envelope, sender="quotes@shop.example", now=NOW)
    assert msg["To"] == "alice@customer.example"
    assert msg["Subject"] == "Re: Quote request: bracket"
    assert msg["In-Reply-To"] == "<a2@customer.example>"
    assert msg["References"] == "<a1@customer.example> <quotebot.0001@shop.example> <a2@customer.example>"
    assert msg["Message-ID"] == reply_message_id("<a2@customer.example>", domain="shop.example")
    assert msg["Message-ID"].endswith("@shop.example>")
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None and plain.get_content() == REPLY.text
    assert html is not None and html.get_content() == REPLY.html
    assert msg["Auto-Submitted"] is None


def test_quote_files_are_attached_beside_the_text_and_html() -> None:
    envelope = to_envelope(load("gmail_reply"))
    files = (Attachment(filename="preview.png", data=b"\x89PNG...", content_type="image/png"),
             Attachment(filename="quote.pdf", data=b"%PDF-1.7", content_type="application/pdf"))
    msg = to_email_message(REPLY.model_copy(update={"files": files}), envelope=envelope,
                           sender="quotes@shop.example", now=NOW)
    assert msg.get_content_type() == "multipart/mixed"
    body = msg.get_body(("plain",))
    assert body is not None and body.get_content() == REPLY.text
    attached = {a.get_filename(): (a.get_content_type(), a.get_content()) for a in msg.iter_attachments()}
    assert attached == {"preview.png": ("image/png", b"\x89PNG..."), "quote.pdf": ("application/pdf", b"%PDF-1.7")}


def test_reply_to_header_wins_and_first_message_gets_re() -> None:
    msg = load("plain_no_quantity")
    msg["Reply-To"] = "Purchasing <purchasing@customer.example>"
    envelope = to_envelope(msg)
    reply = to_email_message(REPLY.model_copy(update={"in_reply_to": envelope.message_id}), envelope=envelope,
                             sender="quotes@shop.example", now=NOW)
    assert reply["To"] == "purchasing@customer.example"
    assert reply["Subject"] == "Re: Quote request: bracket"
    assert reply["References"] == "<a1@customer.example>"


def test_acknowledgement_is_marked_auto_replied() -> None:
    envelope = Envelope(message_id="<m@other.example>", thread_id="<m@other.example>",
                        reply_to="mallory@other.example", subject="prices?")
    ack = to_acknowledgement(envelope, sender="quotes@shop.example", now=NOW)
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == "<m@other.example>" and ack["Subject"] == "Re: prices?"
    assert ack["Message-ID"] == to_acknowledgement(envelope, sender="quotes@shop.example", now=NOW)["Message-ID"]
