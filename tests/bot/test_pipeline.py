"""End to end through the real parsers, estimator, templates and a real SQLite store (no channel)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.models import Attachment, Channel, InboundMessage, RenderedReply, ThreadKey
from bot.pipeline import Deps, deliver, handle, recover
from bot.render import make_environment
from bot.store import SqlThreadStore
from estimator import load_rate_card
from tests.conftest import fixture_path

KEY = ThreadKey(channel=Channel.CHAT, id="pipeline")
_ids = itertools.count()


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[RenderedReply] = []

    def send(self, reply: RenderedReply) -> None:
        self.sent.append(reply)


def message(text: str = "", *files: str, key: str | None = None) -> InboundMessage:
    attachments = tuple(
        Attachment(filename=f.split("/")[-1], data=fixture_path(f).read_bytes()) for f in files
    )
    return InboundMessage(
        thread=KEY, dedupe_key=key or f"m{next(_ids)}", text=text, attachments=attachments,
        received_at=datetime(2026, 11, 27, tzinfo=UTC),
    )


@pytest.fixture
def deps(db_url: str) -> Iterator[Deps]:
    with SqlThreadStore(db_url) as store:
        yield Deps(store=store, card=load_rate_card(), env=make_environment(),
                   now=lambda: datetime(2026, 11, 27, tzinfo=UTC))


def answer(deps: Deps, msg: InboundMessage) -> RenderedReply:
    reply = handle(msg, deps)
    assert reply is not None
    return reply


def test_drawing_without_quantity_asks_for_the_volume(deps: Deps) -> None:
    reply = answer(deps, message("", "dxf/bracket.dxf"))
    assert reply.outcome == "ask-missing"
    assert "How many" in reply.text
    assert any(b.get("block_id") == "volume" for b in reply.blocks)


def test_quantity_then_material_then_breakdown(deps: Deps) -> None:
    answer(deps, message("", "dxf/bracket.dxf"))
    quote = answer(deps, message("500 pcs"))
    assert quote.outcome == "estimate"
    assert "500 pcs" in quote.text and "Recommended" in quote.text
    requote = answer(deps, message("what about 304 stainless?"))
    assert requote.outcome == "re-estimate"
    assert "What changed" in requote.text and "304" in requote.text
    breakdown = answer(deps, message("breakdown please"))
    assert breakdown.outcome == "breakdown"
    assert "How this price is built up" in breakdown.text and "CAM programming" in breakdown.text


def test_quantity_in_the_first_message_is_not_asked_again(deps: Deps) -> None:
    reply = answer(deps, message("we need 250 of these", "dxf/bracket.dxf"))
    assert reply.outcome == "estimate"
    assert "250 pcs" in reply.text


def test_redelivered_message_is_answered_once(deps: Deps) -> None:
    first = handle(message("", "dxf/bracket.dxf", key="same"), deps)
    again = handle(message("", "dxf/bracket.dxf", key="same"), deps)
    assert first is not None and again is None
    sender = RecordingSender()
    assert deliver(deps.store, sender) == 1
    assert deliver(deps.store, sender) == 0


def test_message_stored_before_a_crash_is_answered_after_restart(db_url: str, deps: Deps) -> None:
    assert deps.store.record_inbound(message("", "dxf/bracket.dxf", key="crashed"))
    with SqlThreadStore(db_url) as restarted:
        again = Deps(store=restarted, card=deps.card, env=deps.env, now=deps.now)
        replies = recover(again)
        assert [r.in_reply_to for r in replies] == ["crashed"]
        assert recover(again) == []


@pytest.mark.parametrize(
    ("name", "code"),
    [("dxf/housing.dwg", "unsupported-file-type"), ("dxf/corrupt.dxf", "corrupt-drawing"),
     ("pdf/encrypted.pdf", "encrypted-pdf"), ("pdf/corrupt.pdf", "corrupt-drawing")],
)
def test_unreadable_file_gets_a_specific_answer(deps: Deps, name: str, code: str) -> None:
    reply = answer(deps, message("", name))
    assert reply.outcome == "unreadable"
    assert name.split("/")[-1] in reply.text
    assert "Traceback" not in reply.text


def test_dwg_reply_asks_for_dxf_or_pdf(deps: Deps) -> None:
    reply = answer(deps, message("", "dxf/housing.dwg"))
    assert "DWG" in reply.text and "DXF" in reply.text


def test_unreadable_file_next_to_a_good_one_still_quotes(deps: Deps) -> None:
    reply = answer(deps, message("qty 50", "dxf/bracket.dxf", "dxf/housing.dwg"))
    assert reply.outcome == "estimate"
    assert "housing.dwg" in reply.text


def test_text_without_a_drawing_asks_for_one(deps: Deps) -> None:
    reply = answer(deps, message("hello, can you quote 500 brackets?"))
    assert reply.outcome == "ask-for-drawing"
    assert "500" in reply.text


def test_nonsense_gets_help_not_silence(deps: Deps) -> None:
    answer(deps, message("10 pcs", "dxf/bracket.dxf"))
    reply = answer(deps, message("purple monkey dishwasher"))
    assert reply.outcome == "help"
    assert reply.text.strip()


def test_inch_drawing_is_priced_in_mm(deps: Deps) -> None:
    reply = answer(deps, message("qty 10", "dxf/plate_inch.dxf"))
    assert reply.outcome == "estimate"
    assert "in" in reply.text


def test_one_message_asks_everything_that_blocks_the_price(deps: Deps) -> None:
    reply = answer(deps, message("", "dxf/no_dims.dxf"))
    assert reply.outcome == "ask-missing"
    assert "How many" in reply.text and "Which material" in reply.text and "How thick" in reply.text
    # asked once: answering only the quantity and thickness assumes the default material, and says so
    quote = answer(deps, message("50 pcs, 6 mm plate"))
    assert quote.outcome == "estimate"
    assert "material: 6061-T6 (the drawing does not say)" in quote.text


def test_same_file_twice_is_parsed_once(db_url: str) -> None:
    calls: list[str] = []

    def counting_parse(data: bytes, filename: str):  # wraps the real parser
        calls.append(filename)
        from parsers import parse_drawings

        return parse_drawings(data, filename)

    with SqlThreadStore(db_url) as store:
        counted = Deps(store=store, card=load_rate_card(), env=make_environment(), parse=counting_parse)
        answer(counted, message("10 pcs", "dxf/bracket.dxf"))
        answer(counted, message("", "dxf/bracket.dxf"))
    assert calls == ["bracket.dxf"]


def test_a_date_the_lead_time_cannot_meet_is_said(deps: Deps) -> None:
    reply = answer(deps, message("5000 pcs, need them by Dec 2", "dxf/bracket.dxf"))
    assert "Needed by Dec 2" in reply.text
    assert "shorter than our" in reply.text


def test_prototype_first_prices_both(deps: Deps) -> None:
    answer(deps, message("500 pcs", "dxf/bracket.dxf"))
    reply = answer(deps, message("prototype first then production"))
    assert "Prototype first: 5 pcs on the prototype route" in reply.text


def test_a_scan_is_not_priced_from_guesses(deps: Deps) -> None:
    reply = answer(deps, message("qty 10", "pdf/scanned.pdf"))
    assert reply.outcome == "ask-missing"
    assert "scanned image" in reply.text and "vector PDF or DXF" in reply.text
    assert "$" not in reply.text


def test_a_drawing_set_is_quoted_part_by_part(deps: Deps) -> None:
    reply = answer(deps, message("qty 20", "pdf_cases/drawing_set.pdf"))
    assert reply.outcome in ("estimate", "ask-missing")
    names = [line for line in reply.text.splitlines() if "I read " in line]
    assert len(names) >= 2, reply.text


def test_a_letter_is_not_a_drawing(deps: Deps) -> None:
    reply = answer(deps, message("qty 20", "pdf_cases/letter.pdf"))
    assert reply.outcome == "ask-missing"
    assert "doesn't look like a part drawing" in reply.text
