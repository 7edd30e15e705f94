"""Stock, cycle time, sampling, rounding and the cost lines of a route."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estimator import HoleFeature, PartSpec, Route, Size3, ToleranceFeature, load_rate_card
from estimator.cost import ExactLine, route_lines
from estimator.cycle import cycle_minutes
from estimator.facts import RoutePlan
from estimator.inspection import count_characteristics, sample_size, sampled_share
from estimator.stock import build_stock, material_cost
from estimator.strategy import build_facts, round_lines
from estimator.tolerances import general_class, tolerance_factor

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


@pytest.mark.parametrize(("thickness", "plate"), [(6.0, 12.0), (7.0, 15.0), (10.0, 16.0), (40.0, 50.0)])
def test_thickness_comes_from_the_cards_standard_plate(thickness: float, plate: float) -> None:
    """6 + 2 x 3 = 12 is a plate; 13 is not (15 is next); 16 and 46 round to the next listed plate."""
    stock = build_stock(bracket(envelope_mm=Size3(x=100, y=80, z=thickness)), CARD.materials["6061-T6"], CARD)
    assert stock.z == plate and plate in CARD.stock.plate_mm


def test_a_turned_part_is_cut_from_standard_bar() -> None:
    shaft = bracket(envelope_mm=Size3(x=23, y=23, z=120), turned=True)
    stock = build_stock(shaft, CARD.materials["6061-T6"], CARD)
    assert (stock.x, stock.y, stock.z) == (30, 30, 130)  # Ø29 -> Ø30 bar; 126 -> 130 sawn


def test_above_the_largest_plate_the_saw_step_rounds() -> None:
    big = bracket(envelope_mm=Size3(x=700, y=400, z=330))
    assert build_stock(big, CARD.materials["6061-T6"], CARD).z == 340


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
    """Roughing by removal rate (60 vs 12 cm3/min), cutting by the finishing factor; positioning is the same."""
    al = cycle_minutes(build_facts(bracket(), CARD), CARD)
    ss = cycle_minutes(build_facts(bracket(material="304"), CARD), CARD)
    assert ss["roughing"] == pytest.approx(5 * al["roughing"])
    assert ss["finishing"] == pytest.approx(3 * al["finishing"])
    assert al["holes"] < ss["holes"] < 3 * al["holes"]


@pytest.mark.parametrize(("ra", "factor"), [(None, 1.0), (3.2, 1.0), (1.6, 1.3), (0.8, 2.5), (0.4, 4.0), (0.2, 6.0)])
def test_roughness_multiplies_finishing_only(ra: float | None, factor: float) -> None:
    plain = cycle_minutes(build_facts(bracket(), CARD), CARD)
    fine = cycle_minutes(build_facts(bracket(roughness_ra_um=ra), CARD), CARD)
    assert fine["finishing"] == pytest.approx(factor * plain["finishing"])
    assert fine["roughing"] == plain["roughing"] and fine["holes"] == plain["holes"]


def test_tight_sizes_are_measured_on_the_cmm_and_programmed_for_production() -> None:
    facts = build_facts(bracket(), CARD)  # 40 ±0.02: zone 0.04 under the card's 0.051
    proto = by_label(route_lines(facts, PROTO, CARD, quantity=1))
    prod = by_label(route_lines(facts, PROD, CARD, quantity=100))
    assert "CMM programming" not in proto
    assert prod["CMM programming"].amount == Decimal(CARD.inspection.cmm_program_hours) * CARD.inspection.cmm_rate
    inputs = {t.name: t.value for t in proto["inspection (every part)"].inputs}
    assert inputs["CMM"] > 0 and inputs["CMM rate"] == CARD.inspection.cmm_rate


def test_a_deeper_thread_taps_longer() -> None:
    m6 = HoleFeature(diameter_mm=6.0, count=1, threaded=True, thread="M6")
    short = cycle_minutes(build_facts(bracket(holes=(m6,)), CARD), CARD)["holes"]
    long = cycle_minutes(build_facts(bracket(holes=(m6.model_copy(update={"thread_depth_mm": 18.0}),)), CARD),
                         CARD)["holes"]
    assert long == pytest.approx(short + CARD.cutting.tap_min * (18 / 9 - 1))


def test_every_line_states_its_formula_and_inputs() -> None:
    for plan in (PROTO, PROD):
        for line in route_lines(build_facts(bracket(finish="anodize"), CARD), plan, CARD, quantity=50):
            assert line.formula and line.inputs, line.label


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
