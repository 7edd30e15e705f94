from __future__ import annotations

import pytest

from bot.intents import read_intent, read_quantities
from estimator import load_rate_card


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500", (500,)),
        ("500 pcs", (500,)),
        ("qty 1k", (1000,)),
        ("2,000", (2000,)),
        ("make it 2,000", (2000,)),
        ("10 and 100", (10, 100)),
        ("1, 10, 100", (1, 10, 100)),
        ("we need 250 of these", (250,)),
        ("5k", (5000,)),
        ("what about 304 stainless?", ()),
        ("6061-T6 please", ()),
        ("need them by Dec 12", ()),
        ("6 mm plate", ()),
        ("rev 3 attached", ()),
        ("M6 threads are fine", ()),
        ("thanks!", ()),
        ("", ()),
    ],
)
def test_read_quantities(text: str, expected: tuple[int, ...]) -> None:
    assert read_quantities(text) == expected


@pytest.fixture(scope="module")
def card():
    return load_rate_card()


def test_material_follow_up(card) -> None:
    intent = read_intent("what about 304 stainless?", card)
    assert intent.material is not None and "304" in intent.material
    assert intent.quantities == ()
    assert intent.changes_quote


@pytest.mark.parametrize(
    ("text", "field"),
    [("why so expensive?", "breakdown"), ("breakdown", "breakdown"), ("cancel", "cancel"),
     ("thanks", "noop"), ("help", "help")],
)
def test_simple_intents(card, text: str, field: str) -> None:
    intent = read_intent(text, card)
    assert getattr(intent, field) is True
    assert not intent.changes_quote


def test_finish_and_thickness(card) -> None:
    intent = read_intent("black anodize, 6 mm plate", card)
    assert intent.finish == "black anodize"
    assert intent.thickness_mm == 6.0


def test_alloy_number_is_not_a_quantity(card) -> None:
    intent = read_intent("what about 304?", card)
    assert intent.material is not None and intent.quantities == ()


def test_annual_volume_in_batches(card) -> None:
    intent = read_intent("annual 12k in batches of 1k", card)
    assert intent.quantities == (1000,) and intent.annual == 12000


def test_prototype_first_then_production(card) -> None:
    assert read_intent("prototype first then production", card).phased


def test_revision_named_in_the_message(card) -> None:
    assert read_intent("Rev C attached", card).revision == "C"
