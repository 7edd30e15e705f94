from __future__ import annotations

import pytest

from bot.intake import Answers, build_part_spec
from estimator import load_rate_card
from parsers import Dimension, DimensionKind, DrawingKind, Envelope, ParsedDrawing


@pytest.fixture(scope="module")
def card():
    return load_rate_card()


def shaft(material: str | None = "STEEL 1045") -> ParsedDrawing:
    dims = (
        Dimension(text="Ø25 g6", nominal=25, kind=DimensionKind.DIAMETER, upper=-0.007, lower=-0.02, fit="g6"),
        Dimension(text="Ø12 k6", nominal=12, kind=DimensionKind.DIAMETER, upper=0.012, lower=0.001, fit="k6"),
        Dimension(text="120", nominal=120, kind=DimensionKind.LINEAR),
    )
    return ParsedDrawing(file="s.dxf", format=DrawingKind.DXF, units="mm", material=material,
                         envelope=Envelope(x=120, y=25, z=25), dimensions=dims, views=1)


def test_a_shaft_is_turned_from_bar_and_its_diameters_are_not_holes(card) -> None:
    spec = build_part_spec(shaft(), Answers(quantities=(10,)), card).spec
    assert spec is not None and spec.turned
    assert (spec.envelope_mm.x, spec.envelope_mm.y, spec.envelope_mm.z) == (25, 25, 120)
    assert spec.holes == ()
    assert any(a.startswith("turned part: Ø25 × 120 mm") for a in spec.assumptions)


def test_a_grade_not_on_the_card_is_priced_as_the_closest_and_said(card) -> None:
    spec = build_part_spec(shaft("STEEL 1045"), Answers(quantities=(10,)), card).spec
    assert spec is not None
    assert any("'STEEL 1045' priced as" in a for a in spec.assumptions)


def test_a_grade_on_the_card_is_not_flagged(card) -> None:
    spec = build_part_spec(shaft("AL 6061-T6"), Answers(quantities=(10,)), card).spec
    assert spec is not None and spec.material == "6061-T6"
    assert not any("priced as" in a for a in spec.assumptions)


def test_missing_material_and_quantity_are_asked_together(card) -> None:
    intake = build_part_spec(shaft(None), Answers(), card)
    assert intake.needs == ("quantity", "material")


def test_one_view_without_thickness_asks_for_it(card) -> None:
    plate = ParsedDrawing(file="p.pdf", format=DrawingKind.PDF, units="mm", material="6061",
                          envelope=Envelope(x=100, y=50))
    assert build_part_spec(plate, Answers(quantities=(5,)), card).needs == ("thickness",)
    spec = build_part_spec(plate, Answers(quantities=(5,), thickness_mm=6), card).spec
    assert spec is not None and spec.envelope_mm.z == 6
