"""Prototype vs production route for every price break, the crossover quantity, and the part's estimate.

``STRATEGIES`` and ``build_facts`` live in estimator.routes and are re-exported here.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from estimator.cost import CENT, ExactLine, route_lines
from estimator.facts import PartFacts, RoutePlan
from estimator.lead_time import estimate_lead_time
from estimator.models import CostLine, PartEstimate, PartSpec, PriceBreak, Route, RouteQuote
from estimator.nearnet import compare_near_net
from estimator.rates import RateCard
from estimator.routes import STRATEGIES, build_facts, is_as_machined
from estimator.rule_context import RuleContext
from estimator.scaleup import check_scale_up

CROSSOVER_SEARCH_MAX = 100_000
__all__ = ["STRATEGIES", "build_facts", "estimate_part", "find_crossover", "quantities_to_price", "round_lines"]


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
        CostLine(label=line.label, per=line.per, amount=amount, detail=line.detail, formula=line.formula,
                 inputs=tuple(raw.to_term() for raw in line.inputs))
        for line, amount in zip(lines, floors, strict=True)
    )
    return rounded, total


def _cheapest(
    facts: PartFacts, card: RateCard, route: Route, quantity: int
) -> tuple[Decimal, RoutePlan, list[ExactLine]]:
    """The cheapest plan of a route at a quantity: its exact total, the plan and its lines."""
    best: tuple[Decimal, RoutePlan, list[ExactLine]] | None = None
    for plan in STRATEGIES[route](facts, card):
        lines = route_lines(facts, plan, card, quantity=quantity)
        exact = sum((line.amount for line in lines), Decimal(0))
        if best is None or exact < best[0]:
            best = (exact, plan, lines)
    assert best is not None  # build_facts guarantees a machine that fits
    return best


def _exact(facts: PartFacts, card: RateCard, route: Route, quantity: int) -> Decimal:
    return _cheapest(facts, card, route, quantity)[0]


def _quote(facts: PartFacts, card: RateCard, route: Route, quantity: int) -> tuple[RouteQuote, Decimal, str]:
    """The cheapest plan of a route at a quantity: its quote, exact total and machine key."""
    exact, plan, lines = _cheapest(facts, card, route, quantity)
    rounded, total = round_lines(lines)
    unit = (exact / quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    rush = (exact * (1 + card.expedite_premium_fraction) / quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    lead = estimate_lead_time(facts, plan, card, quantity=quantity)
    quote = RouteQuote(
        route=route, quantity=quantity, unit_price=unit, total=total, lines=rounded,
        lead_time_days=lead.total_days, expedite_unit_price=rush,
        expedite_lead_time_days=estimate_lead_time(facts, plan, card, quantity=quantity, expedite=True).total_days,
        machine=card.machines[plan.machine_key].name, lead_time=lead,
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
        return _exact(facts, card, Route.PRODUCTION, q) < _exact(facts, card, Route.PROTOTYPE, q)

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
    return min(_exact(facts, card, r, quantity) for r in Route) / quantity


def _assumptions(facts: PartFacts, card: RateCard, machines: dict[Route, str]) -> list[str]:
    spec, mat, stock = facts.spec, facts.material, facts.stock
    out = list(spec.assumptions)
    if spec.material != facts.material_key:
        out.append(f"material {spec.material!r} read as {mat.name}")
    if spec.turned:
        out.append(
            f"stock: Ø{stock.x:g} mm standard bar (diameter + {mat.stock_allowance_mm:g} mm per side), sawn to "
            f"{stock.z:g} mm ({card.stock.saw_step_mm:g} mm steps)"
        )
    else:
        out.append(
            f"stock: {stock.x:g} x {stock.y:g} x {stock.z:g} mm: envelope + {mat.stock_allowance_mm:g} mm per side, "
            f"thickness from standard plate, sawn to size in {card.stock.saw_step_mm:g} mm steps"
        )
    out.append(
        f"prototype route on the {card.machines[machines[Route.PROTOTYPE]].name} in soft jaws; production "
        f"route on the {card.machines[machines[Route.PRODUCTION]].name} with dedicated fixtures"
    )
    if any(h.threaded and h.thread_depth_mm is None for h in spec.holes):
        out.append(f"threads without a depth: tapped {card.threads.assumed_depth_ratio:g} x D deep")
    if any(h.depth_mm is None for h in spec.holes):
        out.append(f"holes without a depth: drilled through the part ({spec.envelope_mm.z:g} mm)")
    if spec.finish is None:
        out.append("finish: as machined (none specified)")
    elif facts.finish_key is None and not is_as_machined(spec.finish):
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
            routes={r: quotes[r][0] for r in Route}, expedite_unit_price=chosen.expedite_unit_price,
            expedite_lead_time_days=chosen.expedite_lead_time_days,
        ))
    reference_q = max(spec.quantities) if spec.quantities else max(b.quantity for b in breaks)
    near_net = compare_near_net(facts, card, quantity=reference_q,
                                cnc_total=lambda q: min(_exact(facts, card, r, q) for r in Route))
    ctx = RuleContext(spec=spec, facts=facts, card=card, quantity=reference_q,
                      unit_price=lambda s: _cheapest_unit(s, card, reference_q), near_net=near_net)
    warnings, checks = check_scale_up(ctx)
    return PartEstimate(
        name=spec.name, file=spec.file, part_number=spec.part_number, revision=spec.revision,
        material=facts.material_key, material_name=facts.material.name, stock_mm=facts.stock,
        breaks=tuple(breaks), crossover_quantity=find_crossover(facts, card),
        warnings=warnings, assumptions=tuple(_assumptions(facts, card, machines)),
        rule_checks=checks, near_net=near_net,
    )
