"""Cost of one route at one quantity: stock, cycle time, one-off, per-batch and per-part lines. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from estimator.models import PartSpec, Route, Size3
from estimator.rates import Material, RateCard

CENT = Decimal("0.01")
_MIN_PER_HOUR = Decimal(60)


@dataclass(frozen=True)
class PartFacts:
    """What every route needs to know about the part, resolved against the card once."""

    spec: PartSpec
    material_key: str
    material: Material
    stock: Size3
    finish_key: str | None
    characteristics: int


@dataclass(frozen=True)
class RoutePlan:
    """How a route makes the part: machine, clampings, workholding, inspection."""

    route: Route
    machine_key: str
    operations: int
    dedicated_fixture: bool
    full_inspection: bool


@dataclass(frozen=True)
class ExactLine:
    label: str
    per: str
    amount: Decimal
    detail: str


def build_stock(spec: PartSpec, material: Material, card: RateCard) -> Size3:
    """The blank sawn for one part: envelope plus the material's allowance per side, rounded up.

    Args:
        spec: the part (envelope in mm).
        material: the card's material entry (stock allowance in mm per side).
        card: the rate card (stock rounding step in mm).

    Returns:
        Stock size in mm.
    """
    step = card.stock_round_mm

    def up(v_mm: float) -> float:
        return math.ceil(round((v_mm + 2 * material.stock_allowance_mm) / step, 9)) * step

    e = spec.envelope_mm
    return Size3(x=up(e.x), y=up(e.y), z=up(e.z))


def count_characteristics(spec: PartSpec) -> int:
    """Characteristics an inspector measures: the three overall sizes, each hole group, each tolerance."""
    return max(spec.feature_count, 3 + len(spec.holes) + len(spec.tolerances))


def tolerance_factor(band_mm: float, card: RateCard) -> float:
    """The card's multiplier for a tolerance zone.

    Args:
        band_mm: total width of the zone in mm (±0.02 is 0.04).
        card: the rate card (its tolerance tiers).

    Returns:
        The factor (1.0 at standard tolerance; larger for a tighter zone).
    """
    tiers = sorted(card.tolerance_tiers, key=lambda t: -t.min_band_mm)
    return next(t.factor for t in tiers if band_mm >= t.min_band_mm)


def general_class(general_tolerance: str | None, card: RateCard) -> str:
    """The ISO 2768-1 class (f, m, c, v) a general tolerance note names; the card's default if none."""
    for text in (general_tolerance or "", card.default_general_tolerance):
        for letter in "fmcv":
            if f"2768-{letter}" in text.lower() or f"2768 {letter}" in text.lower():
                return letter
    return "m"


def _d(x: float) -> Decimal:
    return Decimal(x)


def cycle_minutes(facts: PartFacts, card: RateCard) -> dict[str, float]:
    """Machine minutes per part by activity, before the route's cycle factor and without load/unload.

    Args:
        facts: the part resolved against the card.
        card: the rate card.

    Returns:
        Minutes for "roughing", "finishing", "holes" and "toleranced features".
    """
    spec, mat, cut = facts.spec, facts.material, card.cutting
    e = spec.envelope_mm
    volume_cm3 = e.x * e.y * e.z / 1000.0
    area_cm2 = 2 * (e.x * e.y + e.x * e.z + e.y * e.z) / 100.0
    gen = card.general_tolerance_factor.get(general_class(spec.general_tolerance, card), 1.0)
    roughing = volume_cm3 * spec.removed_fraction / mat.removal_cm3_min
    machined_cm2 = area_cm2 * (1 + cut.machined_area_factor * spec.removed_fraction)
    finishing = machined_cm2 / cut.finish_area_cm2_per_min * mat.finishing_factor * gen
    holes = 0.0
    for hole in spec.holes:
        depth = hole.depth_mm if hole.depth_mm is not None else e.z
        ratio = depth / hole.diameter_mm if hole.diameter_mm > 0 else 0.0
        deep = 1.0
        if ratio > cut.deep_hole_ratio["gun"]:
            deep = cut.deep_hole_factor["gun"]
        elif ratio > cut.deep_hole_ratio["peck"]:
            deep = cut.deep_hole_factor["peck"]
        tap = cut.tap_min if hole.threaded else 0.0
        per_hole = cut.hole_base_min + depth * cut.hole_min_per_mm * deep + tap
        tools = 2 if hole.threaded else 1
        holes += (hole.count * per_hole + tools * cut.tool_change_min) * mat.finishing_factor
    # The standard-tolerance pass is part of finishing; a tighter zone adds (factor - 1) of it.
    toleranced = sum(
        cut.toleranced_feature_min * (tolerance_factor(t.band_mm, card) - 1) * mat.finishing_factor
        for t in spec.tolerances
    )
    return {"roughing": roughing, "finishing": finishing, "holes": holes, "toleranced features": toleranced}


def inspection_minutes(facts: PartFacts, card: RateCard) -> float:
    """Minutes to measure one part: every characteristic, tight ones weighted by their tolerance factor.

    Args:
        facts: the part resolved against the card.
        card: the rate card.

    Returns:
        Inspector minutes per measured part.
    """
    weight = facts.characteristics + sum(tolerance_factor(t.band_mm, card) - 1 for t in facts.spec.tolerances)
    return weight * card.inspection.measure_min_per_characteristic


def sample_size(lot: int, card: RateCard) -> int:
    """ISO 2859-1 / ANSI Z1.4 general level II sample size for a lot (the whole lot when smaller).

    Args:
        lot: parts in the lot (>= 1).
        card: the rate card (its sampling table).

    Returns:
        Parts to measure.
    """
    n = next((n for up_to, n in card.inspection.sampling if lot <= up_to), card.inspection.sampling[-1][1])
    return min(n, lot)


def sampled_share(lot: int, card: RateCard) -> float:
    """Share of the lot charged for sampling: the plan's n/lot, held to its largest value at any larger lot.

    The raw n/lot jumps up at each code-letter boundary (2 of 8, then 3 of 9); charging the running maximum
    over larger lots keeps the per-part charge from rising with quantity while never charging less than n.

    Args:
        lot: parts in the lot (>= 1).
        card: the rate card.

    Returns:
        A share between 0 and 1.
    """
    share = sample_size(lot, card) / lot
    start = 1
    for up_to, n in card.inspection.sampling:
        if start > lot:
            share = max(share, n / start)
        start = up_to + 1
    return min(share, 1.0)


def cam_hours(facts: PartFacts, plan: RoutePlan, card: RateCard) -> float:
    """Programming hours: the card's tier for the part's complexity, plus optimisation on production."""
    spec, prog = facts.spec, card.programming
    score = len(spec.holes) + len(spec.tolerances) + spec.setups + spec.feature_count / 4
    tier = "simple"
    if score >= prog.complex_from_score:
        tier = "complex"
    elif score >= prog.moderate_from_score:
        tier = "moderate"
    extra = prog.production_extra_hours if plan.route is Route.PRODUCTION else 0.0
    return prog.hours[tier] + extra


def route_lines(facts: PartFacts, plan: RoutePlan, card: RateCard, *, quantity: int) -> list[ExactLine]:
    """Every cost line of one route at one quantity, unrounded, margin last.

    Args:
        facts: the part resolved against the card.
        plan: the route.
        card: the rate card.
        quantity: parts in the batch (>= 1).

    Returns:
        Lines whose amounts are the line's total for the batch, in the card's currency.
    """
    machine, fx, insp = card.machines[plan.machine_key], card.fixtures, card.inspection
    q, qd, rate = quantity, Decimal(quantity), machine.hourly_rate
    lines: list[ExactLine] = []

    def add(label: str, per: str, amount: Decimal, detail: str) -> None:
        if amount > 0:
            lines.append(ExactLine(label, per, amount, detail))

    cam_h = cam_hours(facts, plan, card)
    add("CAM programming", "order", _d(cam_h) * card.programming.rate, f"{cam_h:g} h")
    if plan.dedicated_fixture:
        add("dedicated fixture", "order", plan.operations * fx.dedicated_fixture,
            f"{plan.operations} fixture(s), amortised over the order")
        setup_h = fx.dedicated_setup_hours
    else:
        sets = plan.operations - 1  # the first operation holds the sawn blank in hard jaws
        jaws = sets * (_d(fx.soft_jaw_hours) * rate + fx.soft_jaw_stock)
        add("soft jaws", "order", jaws, f"{sets} set(s), {fx.soft_jaw_hours:g} h each")
        setup_h = machine.setup_hours
    insp_min = inspection_minutes(facts, card)
    if not plan.full_inspection:
        fai_h = insp.fai_hours_per_characteristic * facts.characteristics
        add("first-article inspection", "order", _d(fai_h) * insp.rate,
            f"{facts.characteristics} characteristics")
    add("setup", "batch", plan.operations * _d(setup_h) * rate,
        f"{plan.operations} operation(s) x {setup_h:g} h on the {machine.name}")
    if plan.full_inspection:
        add("inspection (every part)", "part", qd * _d(insp_min) / _MIN_PER_HOUR * insp.rate,
            f"{insp_min:.1f} min per part")
    else:
        share = sampled_share(q, card)
        n, charged = sample_size(q, card), share * q
        note = "" if charged - n < 0.5 else f", charged as {charged:.0f} so a larger lot never pays more per part"
        add("sampling inspection", "batch", qd * _d(share * insp_min) / _MIN_PER_HOUR * insp.rate,
            f"ISO 2859-1 level II: {n} of {q} at {insp_min:.1f} min{note}")

    stock = facts.stock
    kg = stock.x * stock.y * stock.z / 1e6 * facts.material.density
    material = material_cost(kg * quantity, facts.material.price_per_kg, card)
    add("material", "part", material, f"{stock.x:g} x {stock.y:g} x {stock.z:g} mm stock, {kg:.2f} kg each")
    factor = fx.production_cycle_factor if plan.route is Route.PRODUCTION else 1.0
    machining = Decimal(0)
    for label, minutes in cycle_minutes(facts, card).items():
        amount = qd * _d(minutes * factor) / _MIN_PER_HOUR * rate
        machining += amount
        add(label, "part", amount, f"{minutes * factor:.1f} min per part")
    load = (fx.fixture_load_min if plan.dedicated_fixture else fx.vise_load_min) * plan.operations
    load_amount = qd * _d(load) / _MIN_PER_HOUR * rate
    add("load/unload", "part", load_amount, f"{load:.1f} min per part")
    cut = card.cutting
    wear = qd * cut.tool_wear_per_part * _d(facts.material.finishing_factor)
    add("tool wear", "part", wear, f"{cut.tool_wear_per_part} x {facts.material.finishing_factor:g} per part")
    deburr_min = cut.production_deburr_min if plan.route is Route.PRODUCTION else cut.deburr_min
    add("deburr", "part", qd * _d(deburr_min) / _MIN_PER_HOUR * cut.bench_rate, f"{deburr_min:g} min per part")
    if facts.finish_key is not None:
        finish = card.finishes[facts.finish_key]
        add(finish.name, "batch", max(qd * finish.per_part, finish.lot_minimum),
            f"{finish.per_part} per part, lot minimum {finish.lot_minimum}")
    add("scrap allowance", "part", card.scrap_fraction * (material + machining + load_amount + wear),
        f"{card.scrap_fraction:.0%} of material and machining")
    subtotal = sum((line.amount for line in lines), Decimal(0))
    add("margin", "order", subtotal * card.margin_fraction, f"{card.margin_fraction:.0%}")
    return lines


def material_cost(order_kg: float, price_per_kg: Decimal, card: RateCard) -> Decimal:
    """Stock for the order: the first ``bulk_from_kg`` at the small-lot price, the rest at the bulk price.

    Continuous and increasing in weight, with a falling average price, so neither a larger order nor a
    larger part can ever pay less in total.

    Args:
        order_kg: stock weight of the whole order in kg.
        price_per_kg: the material's small-lot price in the card's currency.
        card: the rate card (bulk threshold and discount).

    Returns:
        The order's material cost.
    """
    small = min(order_kg, card.bulk_from_kg)
    bulk_price = price_per_kg * (1 - card.bulk_discount_fraction)
    return _d(small) * price_per_kg + _d(order_kg - small) * bulk_price
