"""Both routes at every break, the cheaper one chosen, the crossover, errors and assumptions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estimator import (
    STANDARD_BREAKS,
    HoleFeature,
    PartSpec,
    Route,
    Size3,
    ToleranceFeature,
    UnknownMaterial,
    estimate,
    load_rate_card,
)
from estimator.errors import OutsideMachineEnvelope
from estimator.strategy import STRATEGIES, estimate_part, quantities_to_price

CARD = load_rate_card()


def bracket(**update: object) -> PartSpec:
    spec = PartSpec(
        name="bracket", material="6061-T6", envelope_mm=Size3(x=100, y=80, z=30),
        holes=(HoleFeature(diameter_mm=6.6, count=4), HoleFeature(diameter_mm=5.0, count=2, threaded=True,
                                                                  depth_mm=12, thread="M6")),
        tolerances=(ToleranceFeature(nominal_mm=40, band_mm=0.04, label="40 ±0.02"),),
        general_tolerance="ISO 2768-m", feature_count=10,
    )
    return spec.model_copy(update=update)


@pytest.mark.parametrize(
    ("requested", "priced"),
    [((), STANDARD_BREAKS), ((30,), (25, 30, 50)), ((1,), (1, 5)), ((10,), (5, 10, 25)),
     ((20000,), (10000, 20000)), ((3, 500), (1, 3, 5, 250, 500, 1000))],
)
def test_quantities_to_price(requested: tuple[int, ...], priced: tuple[int, ...]) -> None:
    assert quantities_to_price(requested, STANDARD_BREAKS) == priced


def test_strategies_cover_every_route() -> None:
    assert set(STRATEGIES) == set(Route)


def test_requested_breaks_are_marked() -> None:
    part = estimate_part(bracket(quantities=(30,)), CARD)
    assert [(b.quantity, b.requested) for b in part.breaks] == [(25, False), (30, True), (50, False)]


def test_each_break_takes_the_cheaper_route() -> None:
    part = estimate_part(bracket(), CARD)
    for b in part.breaks:
        other = Route.PRODUCTION if b.route is Route.PROTOTYPE else Route.PROTOTYPE
        assert b.routes[b.route].total <= b.routes[other].total
        assert b.unit_price == b.routes[b.route].unit_price and b.total == b.routes[b.route].total
    assert part.breaks[0].route is Route.PROTOTYPE and part.breaks[-1].route is Route.PRODUCTION


def test_totals_equal_the_sum_of_lines_and_unit_is_total_over_quantity() -> None:
    for b in estimate_part(bracket(finish="anodize"), CARD).breaks:
        for quote in b.routes.values():
            assert quote.total == sum((line.amount for line in quote.lines), Decimal(0))
            assert abs(quote.unit_price - quote.total / quote.quantity) <= Decimal("0.01")
            assert quote.unit_price == quote.unit_price.quantize(Decimal("0.01"))


def test_crossover_is_where_production_gets_cheaper() -> None:
    part = estimate_part(bracket(), CARD)
    q = part.crossover_quantity
    assert q is not None and 20 <= q <= 100
    by_q = {b.quantity: b for b in estimate_part(bracket(quantities=(q, q - 1)), CARD).breaks}
    before = by_q[q - 1].routes
    assert by_q[q].routes[Route.PRODUCTION].unit_price <= by_q[q].routes[Route.PROTOTYPE].unit_price
    assert before[Route.PRODUCTION].unit_price >= before[Route.PROTOTYPE].unit_price


def test_production_takes_the_cheaper_mill() -> None:
    """Few parts: the 5-axis saves fixtures (two faces per clamping). Many: its hourly rate costs more."""
    part = estimate_part(bracket(setups=6, quantities=(5, 10000)), CARD)

    def setup_detail(q: int) -> str:
        brk = next(b for b in part.breaks if b.quantity == q)
        return next(line.detail for line in brk.routes[Route.PRODUCTION].lines if line.label == "setup")

    assert setup_detail(5) == "3 operation(s) x 0.25 h on the 5-axis (3+2) mill"
    assert setup_detail(10000) == "6 operation(s) x 0.25 h on the 3-axis VMC"


def test_unknown_material_names_the_choices() -> None:
    with pytest.raises(UnknownMaterial) as info:
        estimate_part(bracket(material="unobtainium"), CARD)
    assert info.value.name == "unobtainium"
    assert str(info.value) == "unknown material 'unobtainium'; the rate card lists: " + ", ".join(
        sorted(CARD.materials))
    assert isinstance(info.value, ValueError)


def test_part_larger_than_every_machine() -> None:
    with pytest.raises(OutsideMachineEnvelope) as info:
        estimate_part(bracket(envelope_mm=Size3(x=900, y=300, z=50)), CARD)
    assert str(info.value) == (
        "stock 910 x 310 x 60 mm does not fit any machine (largest travel 762 x 406 x 508 mm)"
    )


def test_free_text_material_and_assumptions() -> None:
    part = estimate_part(bracket(material="AL 6061-T6", assumptions=("units: millimetres",)), CARD)
    assert part.material == "6061-T6" and part.material_name == "Aluminium 6061-T6"
    assert part.assumptions[0] == "units: millimetres"
    text = " | ".join(part.assumptions)
    assert "read as Aluminium 6061-T6" in text
    assert ("stock: 110 x 90 x 40 mm: envelope + 3 mm per side, thickness from standard plate, sawn to size "
            "in 5 mm steps") in text
    assert "finish: as machined (none specified)" in text
    assert "holes without a depth: drilled through the part (30 mm)" in text
    assert (part.stock_mm.x, part.stock_mm.y, part.stock_mm.z) == (110, 90, 40)


def test_unknown_finish_is_stated_not_priced() -> None:
    part = estimate_part(bracket(finish="gold leaf"), CARD)
    assert "finish 'gold leaf' is not on our rate card: not priced" in part.assumptions


def test_estimate_keeps_order_and_currency() -> None:
    result = estimate([bracket(name="a"), bracket(name="b", material="304")], CARD)
    assert result.currency == "USD"
    assert [p.name for p in result.parts] == ["a", "b"]
    assert result.parts[1].breaks[0].unit_price > result.parts[0].breaks[0].unit_price


def test_expedite_option_costs_the_premium_and_ships_sooner() -> None:
    for b in estimate_part(bracket(quantities=(10, 1000)), CARD).breaks:
        for quote in b.routes.values():
            assert quote.expedite_unit_price is not None and quote.expedite_lead_time_days is not None
            premium = quote.expedite_unit_price / quote.unit_price
            assert abs(premium - (1 + CARD.expedite_premium_fraction)) < Decimal("0.001")
            assert quote.expedite_lead_time_days < quote.lead_time_days


def shaft(**update: object) -> PartSpec:
    spec = PartSpec(name="shaft", material="6061-T6", envelope_mm=Size3(x=40, y=40, z=150), turned=True,
                    removed_fraction=0.3, general_tolerance="ISO 2768-m", quantities=(1, 1000))
    return spec.model_copy(update=update)


def test_a_turned_part_goes_on_the_lathe_from_bar() -> None:
    part = estimate_part(shaft(), CARD)
    assert (part.stock_mm.x, part.stock_mm.z) == (50, 160)  # Ø46 -> Ø50 bar; 156 -> 160
    for b in part.breaks:
        assert {q.machine for q in b.routes.values()} == {CARD.machines["lathe"].name}
    assert any("Ø50 mm standard bar" in a for a in part.assumptions)


def test_turning_a_round_part_is_cheaper_than_milling_it_from_a_block() -> None:
    turned, milled = estimate_part(shaft(), CARD), estimate_part(shaft(turned=False), CARD)
    for t, m in zip(turned.breaks, milled.breaks, strict=True):
        assert t.unit_price < m.unit_price


def test_a_turned_part_too_long_for_the_lathe_is_milled() -> None:
    part = estimate_part(shaft(envelope_mm=Size3(x=40, y=40, z=600)), CARD)
    assert all(q.machine != CARD.machines["lathe"].name for b in part.breaks for q in b.routes.values())


def test_the_expedite_option_is_on_every_break() -> None:
    for b in estimate_part(bracket(quantities=(10, 1000)), CARD).breaks:
        chosen = b.routes[b.route]
        assert b.expedite_unit_price == chosen.expedite_unit_price is not None
        assert b.expedite_lead_time_days == chosen.expedite_lead_time_days is not None
