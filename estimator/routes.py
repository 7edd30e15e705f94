"""Which machines can make a part and how each route uses them; the spec resolved against the card. Pure."""

from __future__ import annotations

import math
from collections.abc import Callable

from estimator.errors import OutsideMachineEnvelope, UnknownMaterial
from estimator.facts import PartFacts, RoutePlan
from estimator.inspection import count_characteristics
from estimator.models import PartSpec, Route, Size3
from estimator.rates import RateCard, find_finish, find_material
from estimator.stock import build_stock

PROTOTYPE_MACHINE = "mill_3axis"


def _fits(stock: Size3, travel_mm: tuple[float, float, float]) -> bool:
    return all(s <= t for s, t in zip(sorted((stock.x, stock.y, stock.z)), sorted(travel_mm), strict=True))


def _mills(card: RateCard) -> list[str]:
    return sorted(key for key in card.machines if key.startswith("mill"))


def machines_for(facts: PartFacts, card: RateCard) -> list[str]:
    """Machines that can make the part: lathes for a turned part (mills when no lathe holds it), else mills.

    Args:
        facts: the part (stock size, turned or not).
        card: the rate card (machines and their travel in mm).

    Returns:
        Machine keys whose travel holds the stock, sorted; empty when none does.
    """
    lathes = [k for k in sorted(card.machines) if k.startswith("lathe")]
    for keys in ([lathes, _mills(card)] if facts.spec.turned else [_mills(card)]):
        fitting = [k for k in keys if _fits(facts.stock, card.machines[k].travel_mm)]
        if fitting:
            return fitting
    return []


def plan_prototype(facts: PartFacts, card: RateCard) -> list[RoutePlan]:
    """Prototype: the 3-axis mill (another mill only if the part does not fit it), soft jaws, every part
    measured, one operation per setup the drawing needs.

    Args:
        facts: the part resolved against the card.
        card: the rate card.

    Returns:
        The candidate plans; the route is priced on the cheapest.
    """
    keys = machines_for(facts, card)
    if PROTOTYPE_MACHINE in keys:
        keys = [PROTOTYPE_MACHINE]
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
    for key in machines_for(facts, card):
        ops = max(1, math.ceil(round(facts.spec.setups * card.machines[key].setups_per_side, 6)))
        plans.append(RoutePlan(Route.PRODUCTION, key, ops, dedicated_fixture=True, full_inspection=False))
    return plans


STRATEGIES: dict[Route, Callable[[PartFacts, RateCard], list[RoutePlan]]] = {
    Route.PROTOTYPE: plan_prototype,
    Route.PRODUCTION: plan_production,
}


def is_as_machined(finish: str) -> bool:
    """Whether a finish note means no finish ("as machined", "none")."""
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
    facts = PartFacts(spec, key, material, stock, None, count_characteristics(spec))
    if not machines_for(facts, card):
        largest = max((card.machines[k].travel_mm for k in _mills(card)), key=lambda t: t[0] * t[1] * t[2])
        raise OutsideMachineEnvelope(stock_mm=(stock.x, stock.y, stock.z), largest_travel_mm=largest)
    finish_key = find_finish(card, spec.finish) if spec.finish and not is_as_machined(spec.finish) else None
    return PartFacts(spec, key, material, stock, finish_key, count_characteristics(spec))
