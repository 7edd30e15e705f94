from __future__ import annotations

import pytest

from bot.conversation import QuoteMemo, Step, ThreadState, advance
from bot.intents import Intent
from bot.models import Channel, ThreadKey
from parsers import DrawingKind, ParsedDrawing

KEY = ThreadKey(channel=Channel.CHAT, id="c")
DRAWING = ParsedDrawing(file="a.dxf", format=DrawingKind.DXF, part_number="P-1", revision="A")
MEMO = QuoteMemo(number="Q-2026-0001", quantity=10, unit_price="10.00", total="100.00", lead_time_days=5,
                 material="6061-T6", drawings=("P-1 rev A",))


def test_first_drawing_is_estimated() -> None:
    state, step = advance(ThreadState(key=KEY), new_drawings=(DRAWING,), unreadable=0, intent=Intent())
    assert step is Step.ESTIMATE and state.drawings == (DRAWING,)


def test_quantity_without_a_drawing_is_kept_and_a_drawing_asked_for() -> None:
    state, step = advance(ThreadState(key=KEY), new_drawings=(), unreadable=0, intent=Intent(quantities=(500,)))
    assert step is Step.ASK_FOR_DRAWING and state.quantities == (500,)


def test_new_revision_replaces_the_old_one_for_pricing() -> None:
    rev_b = DRAWING.model_copy(update={"revision": "B", "file": "a_b.dxf"})
    other = DRAWING.model_copy(update={"part_number": "P-2"})
    state = ThreadState(key=KEY, drawings=(DRAWING, other, rev_b))
    assert state.current_drawings() == (rev_b, other)


@pytest.mark.parametrize(
    ("intent", "expected"),
    [
        (Intent(quantities=(2000,)), Step.REESTIMATE),
        (Intent(material="304"), Step.REESTIMATE),
        (Intent(breakdown=True), Step.BREAKDOWN),
        (Intent(cancel=True), Step.CANCELLED),
        (Intent(noop=True), Step.ACKNOWLEDGE),
        (Intent(), Step.HELP),
    ],
)
def test_follow_ups_after_a_quote(intent: Intent, expected: Step) -> None:
    state = ThreadState(key=KEY, drawings=(DRAWING,), quantities=(10,), last_quote=MEMO)
    assert advance(state, new_drawings=(), unreadable=0, intent=intent)[1] is expected


def test_unreadable_only_attachment() -> None:
    assert advance(ThreadState(key=KEY), new_drawings=(), unreadable=1, intent=Intent())[1] is Step.UNREADABLE
