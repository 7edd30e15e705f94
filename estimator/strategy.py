"""Prototype vs production route for every price break, the crossover quantity, and the part's estimate."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from estimator.cost import (
    CENT,
    ExactLine,
    PartFacts,
    RoutePlan,
    build_stock,
    count_characteristics,
    route_lines,
)
from estimator.errors import OutsideMachineEnvelope, UnknownMaterial
from estimator.lead_time import estimate_lead_time_days
from estimator.models import CostLine, PartEstimate, PartSpec, PriceBreak, Route, RouteQuote, Size3
from estimator.rates import RateCard, find_finish, find_material
from estimator.scaleup import RuleContext, check_scale_up

CROSSOVER_SEARCH_MAX = 100_000
PROTOTYPE_MACHINE = "mill_3axis"


def round_lines(lines: list[ExactLine]) -> tuple[tuple[CostLine, ...], Decimal]:
    """Round the exact total to cents once, and share the cents among lines so they add up to it exactly.

    Args:
        lines: exact amounts.

    Returns:
        The rounded lines (largest-remainder allocation) and their total.
    """
    exact_total = sum((line.amount for line in lines), Decimal(0))
    total = exact_total.quantize(CENT, rounding=ROUND_HALF_UP)
    floors = [line.amount.quantize(CENT, rounding=ROUND_FLOOR) for line in lines]
    spare = int((total - sum(floors, Decimal(0))) / CENT)
    order = sorted(range(len(lines)), key=lambda i: lines[i].amount - floors[i], reverse=True)
    for i in order[:spare]:
        floors[i] += CENT
    rounded = tuple(
        CostLine(label=line.label, per=line.per, amount=amount, detail=line.detail)
        for line, amount in zip(lines, floors, strict=True)
    )
    return rounded, total


def _fits(stock: Size3, travel_mm: tuple[float, float, float]) -> bool:
    return all(s <= t for s, t in zip(sorted((stock.x, stock.y, stock.z)), sorted(travel_mm), strict=True))


def _mills(card: RateCard) -> list[str]:
    return sorted(key for key in card.machines if key.startswith("mill"))


def plan_prototype(facts: PartFacts, card: RateCard) -> list[RoutePlan]:
    """Prototype: the 3-axis mill (another mill only if the part does not fit it), soft jaws, every part
    measured, one operation per setup the drawing needs.

    Args:
        facts: the part resolved against the card.
        card: the rate card.

    Returns:
        The candidate plans; the route is priced on the cheapest.
    """
    keys = [PROTOTYPE_MACHINE] if _fits(facts.stock, card.machines[PROTOTYPE_MACHINE].travel_mm) else [
        k for k in _mills(card) if _fits(facts.stock, card.machines[k].travel_mm)
    ]
    return [RoutePlan(Route.PROTOTYPE, k, facts.spec.setups, dedicated_fixture=False, full_inspection=True)
            for k in keys]


def plan_production(facts: PartFacts, card: RateCard) -> list[RoutePlan]:
    """Production: every mill the part fits, with its own clampings per setup (a 5-axis reaches two face
    directions per clamping), a dedicated fixture per operation, sampling inspection.

    Args:
        facts: the part resolved against the card.
        card: the rate card.

    Returns:
        The candidate plans; the route is priced on the cheapest at each quantity.
    """
    plans = []
    for key in _mills(card):
        machine = card.machines[key]
        if _fits(facts.stock, machine.travel_mm):
            ops = max(1, math.ceil(round(facts.spec.setups * machine.setups_per_side, 6)))
            plans.append(RoutePlan(Route.PRODUCTION, key, ops, dedicated_fixture=True, full_inspection=False))
    return plans


STRATEGIES: dict[Route, Callable[[PartFacts, RateCard], list[RoutePlan]]] = {
    Route.PROTOTYPE: plan_prototype,
    Route.PRODUCTION: plan_production,
}


def _as_machined(finish: str) -> bool:
    return finish.strip().lower().replace("-", " ") in ("as machined", "none", "as milled", "")


def build_facts(spec: PartSpec, card: RateCard) -> PartFacts:
    """Resolve the spec's material and finish against the card and size the stock.

    Args:
        spec: the part.
        card: the rate card.

    Returns:
        The facts every route and rule works from.

    Raises:
        UnknownMaterial: the material matches nothing on the card.
        OutsideMachineEnvelope: the stock fits no mill on the card.
    """
    key = spec.material if spec.material in card.materials else find_material(card, spec.material)
    if key is None:
        raise UnknownMaterial(spec.material, choices=tuple(sorted(card.materials)))
    material = card.materials[key]
    stock = build_stock(spec, material, card)
    if not any(_fits(stock, card.machines[k].travel_mm) for k in _mills(card)):
        largest = max((card.machines[k].travel_mm for k in _mills(card)), key=lambda t: t[0] * t[1] * t[2])
        raise OutsideMachineEnvelope(stock_mm=(stock.x, stock.y, stock.z), largest_travel_mm=largest)
    finish_key = find_finish(card, spec.finish) if spec.finish and not _as_machined(spec.finish) else None
    return PartFacts(spec, key, material, stock, finish_key, count_characteristics(spec))


def _quote(facts: PartFacts, card: RateCard, route: Route, quantity: int) -> tuple[RouteQuote, Decimal, str]:
    """The cheapest plan of a route at a quantity: its quote, exact total and machine key."""
    best: tuple[Decimal, RoutePlan, list[ExactLine]] | None = None
    for plan in STRATEGIES[route](facts, card):
        lines = route_lines(facts, plan, card, quantity=quantity)
        exact = sum((line.amount for line in lines), Decimal(0))
        if best is None or exact < best[0]:
            best = (exact, plan, lines)
    assert best is not None  # build_facts guarantees a mill that fits
    exact, plan, lines = best
    rounded, total = round_lines(lines)
    unit = (exact / quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    rush = (exact * (1 + card.expedite_premium_fraction) / quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    quote = RouteQuote(
        route=route, quantity=quantity, unit_price=unit, total=total, lines=rounded,
        lead_time_days=estimate_lead_time_days(facts, plan, card, quantity=quantity),
        expedite_unit_price=rush,
        expedite_lead_time_days=estimate_lead_time_days(facts, plan, card, quantity=quantity, expedite=True),
    )
    return quote, exact, plan.machine_key


def quantities_to_price(requested: tuple[int, ...], standard: tuple[int, ...]) -> tuple[int, ...]:
    """The asked quantities plus the standard breaks either side of each; the standard breaks if none.

    Args:
        requested: quantities the customer asked for (values below 1 are ignored).
        standard: the shop's standard breaks.

    Returns:
        Sorted, distinct quantities to price.
    """
    requested = tuple(q for q in requested if q >= 1)
    if not requested:
        return tuple(sorted(set(standard)))
    out = set(requested)
    for q in requested:
        below = [s for s in standard if s < q]
        above = [s for s in standard if s > q]
        out.update(([max(below)] if below else []) + ([min(above)] if above else []))
    return tuple(sorted(out))


def find_crossover(facts: PartFacts, card: RateCard) -> int | None:
    """Smallest quantity in 1..100000 at which production is cheaper per part than prototype.

    Bisection: production carries more one-off and less per-part cost, so once cheaper it stays cheaper.

    Args:
        facts: the part resolved against the card.
        card: the rate card.

    Returns:
        The crossover quantity, or None when production is not cheaper even at 100000 pcs.
    """

    def cheaper(q: int) -> bool:
        return _quote(facts, card, Route.PRODUCTION, q)[1] < _quote(facts, card, Route.PROTOTYPE, q)[1]

    if not cheaper(CROSSOVER_SEARCH_MAX):
        return None
    lo, hi = 0, CROSSOVER_SEARCH_MAX  # cheaper(hi) holds, cheaper(lo) does not (or lo == 0)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if cheaper(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _cheapest_unit(spec: PartSpec, card: RateCard, quantity: int) -> Decimal:
    facts = build_facts(spec, card)
    return min(_quote(facts, card, r, quantity)[1] for r in Route) / quantity


def _assumptions(facts: PartFacts, card: RateCard, machines: dict[Route, str]) -> list[str]:
    spec, mat, stock = facts.spec, facts.material, facts.stock
    out = list(spec.assumptions)
    if spec.material != facts.material_key:
        out.append(f"material {spec.material!r} read as {mat.name}")
    out.append(
        f"stock: envelope + {mat.stock_allowance_mm:g} mm per side, rounded up to "
        f"{card.stock_round_mm:g} mm: {stock.x:g} x {stock.y:g} x {stock.z:g} mm"
    )
    out.append(
        f"prototype route on the {card.machines[machines[Route.PROTOTYPE]].name} in soft jaws; production "
        f"route on the {card.machines[machines[Route.PRODUCTION]].name} with dedicated fixtures"
    )
    if any(h.depth_mm is None for h in spec.holes):
        out.append(f"holes without a depth: drilled through the part ({spec.envelope_mm.z:g} mm)")
    if spec.finish is None:
        out.append("finish: as machined (none specified)")
    elif facts.finish_key is None and not _as_machined(spec.finish):
        out.append(f"finish {spec.finish!r} is not on our rate card: not priced")
    if spec.general_tolerance is None:
        out.append(f"general tolerance: {card.default_general_tolerance} assumed")
    return out


def estimate_part(spec: PartSpec, card: RateCard) -> PartEstimate:
    """Price one part on both routes at every break, choose the cheaper, and check scale-up rules.

    Args:
        spec: the part (lengths in mm).
        card: the rate card.

    Returns:
        The part's estimate: breaks, crossover quantity, warnings and every assumption made.

    Raises:
        UnknownMaterial: the material matches nothing on the card.
        OutsideMachineEnvelope: the stock fits no mill on the card.
    """
    from estimator import STANDARD_BREAKS

    facts = build_facts(spec, card)
    breaks: list[PriceBreak] = []
    machines: dict[Route, str] = {}
    for q in quantities_to_price(spec.quantities, STANDARD_BREAKS):
        quotes = {r: _quote(facts, card, r, q) for r in Route}
        route = min(Route, key=lambda r: (quotes[r][1], r is not Route.PROTOTYPE))
        machines = {r: quotes[r][2] for r in Route}
        chosen = quotes[route][0]
        breaks.append(PriceBreak(
            quantity=q, route=route, unit_price=chosen.unit_price, total=chosen.total,
            lead_time_days=chosen.lead_time_days, requested=q in spec.quantities,
            routes={r: quotes[r][0] for r in Route},
        ))
    reference_q = max(spec.quantities) if spec.quantities else max(b.quantity for b in breaks)
    ctx = RuleContext(spec=spec, facts=facts, card=card, quantity=reference_q,
                      unit_price=lambda s: _cheapest_unit(s, card, reference_q))
    return PartEstimate(
        name=spec.name, file=spec.file, part_number=spec.part_number, revision=spec.revision,
        material=facts.material_key, material_name=facts.material.name, stock_mm=facts.stock,
        breaks=tuple(breaks), crossover_quantity=find_crossover(facts, card),
        warnings=check_scale_up(ctx), assumptions=tuple(_assumptions(facts, card, machines)),
    )
