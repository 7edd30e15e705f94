"""Stock, cycle time, sampling, rounding and the cost lines of a route."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estimator import HoleFeature, PartSpec, Route, Size3, ToleranceFeature, load_rate_card
from estimator.cost import (
    ExactLine,
    RoutePlan,
    build_stock,
    count_characteristics,
    cycle_minutes,
    general_class,
    material_cost,
    route_lines,
    sample_size,
    sampled_share,
    tolerance_factor,
)
from estimator.strategy import build_facts, round_lines

CARD = load_rate_card()
PROTO = RoutePlan(Route.PROTOTYPE, "mill_3axis", 2, dedicated_fixture=False, full_inspection=True)
PROD = RoutePlan(Route.PRODUCTION, "mill_3axis", 2, dedicated_fixture=True, full_inspection=False)


def bracket(**update: object) -> PartSpec:
    spec = PartSpec(
        name="bracket", material="6061-T6", envelope_mm=Size3(x=100, y=80, z=30),
        holes=(HoleFeature(diameter_mm=6.6, count=4),),
        tolerances=(ToleranceFeature(nominal_mm=40, band_mm=0.04, label="40 ±0.02"),),
        general_tolerance="ISO 2768-m",
    )
    return spec.model_copy(update=update)


def by_label(lines: list[ExactLine]) -> dict[str, ExactLine]:
    return {line.label: line for line in lines}


def test_stock_adds_allowance_per_side_and_rounds_up() -> None:
    stock = build_stock(bracket(), CARD.materials["6061-T6"], CARD)
    assert (stock.x, stock.y, stock.z) == (110, 90, 40)  # 106 -> 110, 86 -> 90, 36 -> 40


def test_stock_on_a_rounding_step_is_not_rounded_further() -> None:
    stock = build_stock(bracket(envelope_mm=Size3(x=94, y=44, z=14)), CARD.materials["6061-T6"], CARD)
    assert (stock.x, stock.y, stock.z) == (100, 50, 20)


@pytest.mark.parametrize(("band", "factor"), [(0.5, 1.0), (0.2, 1.0), (0.15, 1.35), (0.1, 1.35), (0.06, 2.0),
                                              (0.05, 2.0), (0.04, 3.5), (0.02, 3.5), (0.015, 7.0)])
def test_tolerance_factor_tiers(band: float, factor: float) -> None:
    assert tolerance_factor(band, CARD) == factor


@pytest.mark.parametrize(("text", "letter"), [("ISO 2768-f", "f"), ("iso 2768-mK", "m"), ("ISO 2768 c", "c"),
                                              (None, "m"), ("per customer spec", "m")])
def test_general_class(text: str | None, letter: str) -> None:
    assert general_class(text, CARD) == letter


@pytest.mark.parametrize(("lot", "n"), [(1, 1), (2, 2), (8, 2), (9, 3), (500, 50), (501, 80), (10001, 315)])
def test_sample_size_follows_z14_level_ii(lot: int, n: int) -> None:
    assert sample_size(lot, CARD) == n


def test_sampled_share_never_rises_and_never_charges_less_than_the_plan() -> None:
    shares = [sampled_share(lot, CARD) for lot in range(1, 12001)]
    assert all(b <= a for a, b in zip(shares, shares[1:], strict=False))
    assert all(s * lot >= sample_size(lot, CARD) - 1e-9 for lot, s in enumerate(shares, start=1))


def test_roughing_is_removed_volume_over_removal_rate() -> None:
    minutes = cycle_minutes(build_facts(bracket(), CARD), CARD)
    assert minutes["roughing"] == pytest.approx(100 * 80 * 30 / 1000 * 0.5 / 60.0)


def test_deep_holes_take_longer_per_mm() -> None:
    facts = build_facts(bracket(tolerances=()), CARD)
    shallow = cycle_minutes(facts, CARD)["holes"]
    deeper = cycle_minutes(build_facts(bracket(tolerances=(), holes=(
        HoleFeature(diameter_mm=2.5, count=4),)), CARD), CARD)["holes"]
    assert deeper > shallow


def test_material_cost_blends_small_lot_and_bulk_price() -> None:
    price = Decimal("6")
    assert material_cost(50.0, price, CARD) == Decimal(50.0) * price
    big = material_cost(1000.0, price, CARD)
    assert Decimal(1000) * price * (1 - CARD.bulk_discount_fraction) < big < Decimal(1000) * price
    assert material_cost(1001.0, price, CARD) > big


def test_round_lines_sum_exactly_to_the_once_rounded_total() -> None:
    lines = [ExactLine(str(i), "part", Decimal(1) / Decimal(3) + Decimal(i) / 1000, "") for i in range(7)]
    rounded, total = round_lines(lines)
    exact = sum((line.amount for line in lines), Decimal(0))
    assert total == exact.quantize(Decimal("0.01"))
    assert sum((line.amount for line in rounded), Decimal(0)) == total
    assert all(abs(r.amount - e.amount) < Decimal("0.01") for r, e in zip(rounded, lines, strict=True))


def test_prototype_lines_use_soft_jaws_and_inspect_every_part() -> None:
    lines = by_label(route_lines(build_facts(bracket(), CARD), PROTO, CARD, quantity=10))
    assert {"soft jaws", "inspection (every part)", "CAM programming", "setup", "material"} <= set(lines)
    assert "dedicated fixture" not in lines and "sampling inspection" not in lines
    assert lines["setup"].per == "batch" and lines["CAM programming"].per == "order"


def test_production_lines_amortise_a_fixture_and_sample() -> None:
    lines = by_label(route_lines(build_facts(bracket(), CARD), PROD, CARD, quantity=500))
    assert lines["dedicated fixture"].amount == 2 * CARD.fixtures.dedicated_fixture
    assert "first-article inspection" in lines
    assert "50 of 500" in lines["sampling inspection"].detail


def test_margin_is_the_card_fraction_of_everything_else() -> None:
    lines = route_lines(build_facts(bracket(), CARD), PROTO, CARD, quantity=3)
    assert lines[-1].label == "margin"
    rest = sum((line.amount for line in lines[:-1]), Decimal(0))
    assert lines[-1].amount == rest * CARD.margin_fraction


def test_material_line_charges_stock_not_net_volume() -> None:
    lines = by_label(route_lines(build_facts(bracket(), CARD), PROTO, CARD, quantity=1))
    stock_kg = 110 * 90 * 40 / 1e6 * CARD.materials["6061-T6"].density
    price = CARD.materials["6061-T6"].price_per_kg
    assert lines["material"].amount == pytest.approx(Decimal(stock_kg) * price)


def test_stainless_costs_more_to_machine_than_aluminium() -> None:
    al = sum(cycle_minutes(build_facts(bracket(), CARD), CARD).values())
    ss = sum(cycle_minutes(build_facts(bracket(material="304"), CARD), CARD).values())
    assert ss > 3 * al


def test_finish_is_charged_per_batch_with_its_lot_minimum() -> None:
    facts = build_facts(bracket(finish="anodize"), CARD)
    anodize = CARD.finishes["anodize"]
    one = by_label(route_lines(facts, PROTO, CARD, quantity=1))[anodize.name]
    many = by_label(route_lines(facts, PROD, CARD, quantity=1000))[anodize.name]
    assert one.amount == anodize.lot_minimum and one.per == "batch"
    assert many.amount == 1000 * anodize.per_part


def test_characteristics_count_sizes_holes_and_tolerances() -> None:
    assert count_characteristics(bracket()) == 3 + 1 + 1
    assert count_characteristics(bracket(feature_count=12)) == 12
