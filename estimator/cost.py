"""Cost of one route at one quantity: cycle time and the one-off, per-batch and per-part lines. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from estimator.cycle import cam_hours, cam_tier, cycle_drivers, cycle_minutes
from estimator.facts import PartFacts, RawTerm, RoutePlan, term
from estimator.inspection import InspectionTime, inspection_time, sample_size, sampled_share
from estimator.models import Route
from estimator.rates import RateCard
from estimator.stock import material_cost

CENT = Decimal("0.01")
MARGIN_LABEL = "margin"


@dataclass(frozen=True)
class ExactLine:
    label: str
    per: str
    amount: Decimal
    detail: str
    formula: str = ""
    inputs: tuple[RawTerm, ...] = ()


def _timing(facts: PartFacts, card: RateCard) -> InspectionTime:
    key = ("inspection", id(card))
    if key not in facts.memo:
        facts.memo[key] = inspection_time(facts.spec, facts.characteristics, card)
    timing: InspectionTime = facts.memo[key]
    return timing


def inspection_minutes(facts: PartFacts, card: RateCard) -> float:
    """Minutes to measure one part, by hand and on the CMM together."""
    return _timing(facts, card).total_min


def _inspection_terms(t: InspectionTime, card: RateCard) -> tuple[RawTerm, ...]:
    return (term("manual", t.manual_min, "min/part"), term("inspector rate", card.inspection.rate, "USD/h"),
            term("CMM", t.cmm_min, "min/part"), term("CMM rate", card.inspection.cmm_rate, "USD/h"))


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
    machine, fx, insp, cut = card.machines[plan.machine_key], card.fixtures, card.inspection, card.cutting
    q, qd, rate, cur = quantity, Decimal(quantity), machine.hourly_rate, card.currency
    lines: list[ExactLine] = []

    def add(label: str, per: str, amount: Decimal, detail: str, formula: str, *inputs: RawTerm) -> None:
        if amount > 0:
            lines.append(ExactLine(label, per, amount, detail, formula, inputs))

    rate_t = term(f"{machine.name} rate", rate, f"{cur}/h")
    cam_h = cam_hours(facts, plan, card)
    add("CAM programming", "order", Decimal(cam_h) * card.programming.rate,
        f"{cam_h:g} h ({cam_tier(facts.spec, card)} part)", "hours x rate",
        term("hours", cam_h, "h"), term("programmer rate", card.programming.rate, f"{cur}/h"))
    timing = _timing(facts, card)
    if timing.cmm_characteristics and not plan.full_inspection:  # a prototype is measured in CMM teach mode
        add("CMM programming", "order", Decimal(insp.cmm_program_hours) * insp.cmm_rate,
            f"{timing.cmm_characteristics} size(s) under {insp.cmm_band_mm:g} mm on the CMM", "hours x CMM rate",
            term("hours", insp.cmm_program_hours, "h"), term("CMM rate", insp.cmm_rate, f"{cur}/h"))
    if plan.dedicated_fixture:
        add("dedicated fixture", "order", plan.operations * fx.dedicated_fixture,
            f"{plan.operations} fixture(s), amortised over the order", "fixtures x price",
            term("fixtures", plan.operations, "pcs"), term("price", fx.dedicated_fixture, cur))
        setup_h = fx.dedicated_setup_hours
    else:
        sets = plan.operations - 1  # the first operation holds the sawn blank in hard jaws
        add("soft jaws", "order", sets * (Decimal(fx.soft_jaw_hours) * rate + fx.soft_jaw_stock),
            f"{sets} set(s), {fx.soft_jaw_hours:g} h each", "sets x (hours x rate + stock)",
            term("sets", sets, "pcs"), term("hours", fx.soft_jaw_hours, "h"), rate_t,
            term("stock", fx.soft_jaw_stock, cur))
        setup_h = machine.setup_hours
    if not plan.full_inspection:
        fai_h = insp.fai_hours_per_characteristic * facts.characteristics
        add("first-article inspection", "order", Decimal(fai_h) * insp.rate,
            f"{facts.characteristics} characteristics", "characteristics x hours each x rate",
            term("characteristics", facts.characteristics, "pcs"),
            term("hours each", insp.fai_hours_per_characteristic, "h"), term("inspector rate", insp.rate, f"{cur}/h"))
    add("setup", "batch", plan.operations * Decimal(setup_h) * rate,
        f"{plan.operations} operation(s) x {setup_h:g} h on the {machine.name}", "operations x hours x rate",
        term("operations", plan.operations, "pcs"), term("hours", setup_h, "h"), rate_t)
    per_part_insp = timing.cost(card)
    if plan.full_inspection:
        add("inspection (every part)", "part", qd * per_part_insp, f"{timing.total_min:.1f} min per part",
            "parts x (manual min x inspector rate + CMM min x CMM rate) / 60", term("parts", q, "pcs"),
            *_inspection_terms(timing, card))
    else:
        share = sampled_share(q, card)
        n, charged = sample_size(q, card), share * q
        note = "" if charged - n < 0.5 else f", charged as {charged:.0f} so a larger lot never pays more per part"
        add("sampling inspection", "batch", Decimal(charged) * per_part_insp,
            f"ISO 2859-1 level II: {n} of {q} at {timing.total_min:.1f} min{note}",
            "parts charged x (manual min x inspector rate + CMM min x CMM rate) / 60",
            term("parts charged", charged, "pcs"), *_inspection_terms(timing, card))

    stock, kg, mat = facts.stock, facts.stock_kg, facts.material
    material = material_cost(kg * q, mat.price_per_kg, card)
    shape = f"Ø{stock.x:g} x {stock.z:g} mm bar" if facts.spec.turned else f"{stock.x:g} x {stock.y:g} x {stock.z:g} mm"
    add("material", "part", material, f"{shape} stock, {kg:.2f} kg each",
        f"kg x parts x price, above {card.bulk_from_kg:g} kg at the bulk price",
        term("stock", kg, "kg/part"), term("parts", q, "pcs"), term("price", mat.price_per_kg, f"{cur}/kg"),
        term("bulk price", mat.price_per_kg * (1 - card.bulk_discount_fraction), f"{cur}/kg"))
    factor = fx.production_cycle_factor if plan.route is Route.PRODUCTION else 1.0
    machining = Decimal(0)
    drivers = cycle_drivers(facts, card)
    for label, minutes in cycle_minutes(facts, card).items():
        amount = qd * Decimal(minutes * factor) / 60 * rate
        machining += amount
        how, inputs = drivers[label]
        add(label, "part", amount, f"{minutes * factor:.1f} min per part",
            f"parts x min per part / 60 x rate; min = ({how}) x route cycle factor", term("parts", q, "pcs"),
            term("min per part", minutes * factor, "min"), rate_t, term("route cycle factor", factor, "x"), *inputs)
    load = (fx.fixture_load_min if plan.dedicated_fixture else fx.vise_load_min) * plan.operations
    load_amount = qd * Decimal(load) / 60 * rate
    add("load/unload", "part", load_amount, f"{load:.1f} min per part", "parts x min per part / 60 x rate",
        term("parts", q, "pcs"), term("min per part", load, "min"), rate_t)
    wear = qd * cut.tool_wear_per_part * Decimal(mat.finishing_factor)
    add("tool wear", "part", wear, f"{cut.tool_wear_per_part} x {mat.finishing_factor:g} per part",
        "parts x wear x material factor", term("parts", q, "pcs"), term("wear", cut.tool_wear_per_part, cur),
        term("material factor", mat.finishing_factor, "x"))
    deburr_min = cut.production_deburr_min if plan.route is Route.PRODUCTION else cut.deburr_min
    add("deburr", "part", qd * Decimal(deburr_min) / 60 * cut.bench_rate, f"{deburr_min:g} min per part",
        "parts x min / 60 x bench rate", term("parts", q, "pcs"), term("min per part", deburr_min, "min"),
        term("bench rate", cut.bench_rate, f"{cur}/h"))
    if facts.finish_key is not None:
        finish = card.finishes[facts.finish_key]
        add(finish.name, "batch", max(qd * finish.per_part, finish.lot_minimum),
            f"{finish.per_part} per part, lot minimum {finish.lot_minimum}", "max(parts x per part, lot minimum)",
            term("parts", q, "pcs"), term("per part", finish.per_part, cur),
            term("lot minimum", finish.lot_minimum, cur))
    base = material + machining + load_amount + wear
    add("scrap allowance", "part", card.scrap_fraction * base, f"{card.scrap_fraction:.0%} of material and machining",
        "fraction x (material + machining + load/unload + tool wear)", term("fraction", card.scrap_fraction, ""),
        term("base", base.quantize(CENT), cur))
    subtotal = sum((line.amount for line in lines), Decimal(0))
    add(MARGIN_LABEL, "order", subtotal * card.margin_fraction, f"{card.margin_fraction:.0%}", "fraction x subtotal",
        term("fraction", card.margin_fraction, ""), term("subtotal", subtotal.quantize(CENT), cur))
    return lines
