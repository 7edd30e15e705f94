"""explain(): every number of a quote traced to its formula, grouped one-off / per batch / per part."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estimator import (
    HoleFeature,
    PartSpec,
    QuantityNotPriced,
    Route,
    Size3,
    ToleranceFeature,
    explain,
    load_rate_card,
    render_explanation_text,
)
from estimator.scaleup import RULES
from estimator.strategy import estimate_part

CARD = load_rate_card()


def bracket(**update: object) -> PartSpec:
    spec = PartSpec(name="bracket", material="6061-T6", envelope_mm=Size3(x=100, y=80, z=30),
                    holes=(HoleFeature(diameter_mm=6.0, count=2, threaded=True, thread="M6"),),
                    tolerances=(ToleranceFeature(nominal_mm=40, band_mm=0.04, label="40 ±0.02"),),
                    general_tolerance="ISO 2768-m", finish="anodize", quantities=(1, 10, 1000))
    return spec.model_copy(update=update)


@pytest.mark.parametrize("qty", [1, 10, 1000])
def test_groups_add_up_to_the_quoted_total(qty: int) -> None:
    part = estimate_part(bracket(), CARD)
    expl = explain(part, qty)
    chosen = next(b for b in part.breaks if b.quantity == qty)
    assert expl.route is chosen.route and expl.chosen
    assert expl.total == chosen.total == sum(g.subtotal for g in expl.groups)
    assert [g.per for g in expl.groups] == ["order", "batch", "part", "margin"]
    for group in expl.groups:
        assert group.subtotal == sum(line.amount for line in group.lines)
        assert all(line.formula and line.inputs for line in group.lines)


def test_a_machining_line_is_parts_times_minutes_times_rate() -> None:
    expl = explain(estimate_part(bracket(), CARD), 10)
    line = next(ln for g in expl.groups for ln in g.lines if ln.label == "roughing")
    inputs = {t.name: t.value for t in line.inputs}
    expected = inputs["parts"] * inputs["min per part"] / 60 * inputs["3-axis VMC rate"]
    assert abs(line.amount - expected) <= Decimal("0.02")  # inputs shown to 4 decimals


def test_material_line_shows_kg_and_price() -> None:
    expl = explain(estimate_part(bracket(), CARD), 1)
    line = next(ln for g in expl.groups for ln in g.lines if ln.label == "material")
    inputs = {t.name: (t.value, t.unit) for t in line.inputs}
    assert inputs["price"] == (CARD.materials["6061-T6"].price_per_kg, "USD/kg")
    assert inputs["stock"][1] == "kg/part" and inputs["parts"][0] == 1


def test_every_rule_is_listed_with_its_verdict() -> None:
    part = estimate_part(bracket(), CARD)
    expl = explain(part, 10)
    assert len(expl.rules) == len(RULES)
    assert {r.code for r in expl.rules if r.fired} == {w.code for w in part.warnings}


def test_lead_time_causes_sum_to_the_days() -> None:
    expl = explain(estimate_part(bracket(), CARD), 1000)
    lt = expl.lead_time
    assert lt is not None and lt.total_days == expl.lead_time_days
    causes = (lt.queue_days + lt.sourcing_days + lt.programming_days + lt.machining_days + lt.finishing_days
              + lt.inspection_days)
    assert expl.lead_time_days - 1 < causes <= expl.lead_time_days


def test_the_other_route_can_be_explained() -> None:
    part = estimate_part(bracket(), CARD)
    expl = explain(part, 1, route=Route.PRODUCTION)
    assert expl.route is Route.PRODUCTION and not expl.chosen
    assert Route.PROTOTYPE in expl.other_routes


def test_a_quantity_not_priced_says_which_were() -> None:
    part = estimate_part(bracket(quantities=(10,)), CARD)
    with pytest.raises(QuantityNotPriced) as info:
        explain(part, 7)
    assert str(info.value) == "quantity 7 was not priced; priced: 5, 10, 25"


def test_text_names_every_line_and_rule() -> None:
    part = estimate_part(bracket(), CARD)
    expl = explain(part, 10)
    text = render_explanation_text(expl, currency="USD")
    for group in expl.groups:
        assert all(f"{line.label}: {line.amount} = {line.formula}" in text for line in group.lines)
    assert text.count("threshold") == len(RULES)
