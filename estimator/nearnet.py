"""CNC against a near-net process (die casting, injection moulding) at volume: tooling break-even. Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from estimator.cost import CENT
from estimator.cycle import cam_tier, cycle_minutes
from estimator.facts import PartFacts
from estimator.models import NearNetOption
from estimator.rates import RateCard
from estimator.stock import part_volume_cm3

BREAK_EVEN_SEARCH_MAX = 1_000_000
SECONDARY_MACHINE = "mill_3axis"


@dataclass(frozen=True)
class NearNetCost:
    """A near-net route's cost: one-off (tooling, run set-up, secondary fixture) and per part, before margin."""

    one_off: Decimal
    per_part: Decimal
    secondary_min: float

    def total(self, quantity: int, card: RateCard) -> Decimal:
        """Exact total for ``quantity`` parts with the card's margin."""
        return (self.one_off + quantity * self.per_part) * (1 + card.margin_fraction)


def estimate_near_net_cost(facts: PartFacts, card: RateCard) -> tuple[str, NearNetCost] | None:
    """Price the material's near-net process for this part, or None when the card names none.

    Per part: the process's cycle price + net weight (envelope x (1 - removed fraction) x density) x price per
    kg / yield + secondary machining of holes and toleranced sizes on the 3-axis mill at the production cycle
    factor. One-off: tooling for the part's CAM complexity tier, the run set-up, and a dedicated fixture and
    setup for the secondary operation when there is one.

    Args:
        facts: the part resolved against the card.
        card: the rate card ([near_net] and the material's ``near_net`` key).

    Returns:
        (process key, cost) or None.
    """
    key = facts.material.near_net
    if key is None:
        return None
    proc, spec, fx = card.near_net[key], facts.spec, card.fixtures
    net_kg = part_volume_cm3(spec) * (1 - spec.removed_fraction) * facts.material.density / 1000.0
    per_kg = proc.per_kg if proc.per_kg is not None else facts.material.price_per_kg
    per_part = proc.per_part + Decimal(net_kg) * per_kg / Decimal(proc.yield_fraction)
    minutes = cycle_minutes(facts, card)
    secondary = (minutes["holes"] + minutes["toleranced features"]) * fx.production_cycle_factor
    one_off = proc.tooling[cam_tier(spec, card)] + proc.batch_setup
    if secondary > 0:
        mill = card.machines[SECONDARY_MACHINE]
        secondary += fx.fixture_load_min
        per_part += Decimal(secondary) / 60 * mill.hourly_rate
        one_off += fx.dedicated_fixture + Decimal(fx.dedicated_setup_hours) * mill.hourly_rate
    return key, NearNetCost(one_off=one_off, per_part=per_part, secondary_min=secondary)


def compare_near_net(
    facts: PartFacts, card: RateCard, *, quantity: int, cnc_total: Callable[[int], Decimal]
) -> NearNetOption | None:
    """The near-net option against CNC: its unit price at ``quantity`` and the tooling break-even quantity.

    Args:
        facts: the part resolved against the card.
        card: the rate card.
        quantity: the reference quantity (the largest asked).
        cnc_total: exact total of the cheaper CNC route for a quantity.

    Returns:
        The comparison, or None when the material has no near-net process on the card.
    """
    priced = estimate_near_net_cost(facts, card)
    if priced is None:
        return None
    key, cost = priced

    def wins(q: int) -> bool:
        return cost.total(q, card) < cnc_total(q)

    break_even: int | None = None
    if wins(BREAK_EVEN_SEARCH_MAX):
        lo, hi = 0, BREAK_EVEN_SEARCH_MAX  # near-net has the larger one-off and the smaller per-part cost
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if wins(mid) else (mid, hi)
        break_even = hi
    proc = card.near_net[key]
    tooling = proc.tooling[cam_tier(facts.spec, card)]
    note = f"secondary machining {cost.secondary_min:.1f} min per part" if cost.secondary_min else ""
    return NearNetOption(
        process=key, name=proc.name, tooling=tooling,
        unit_price=(cost.total(quantity, card) / quantity).quantize(CENT, rounding=ROUND_HALF_UP),
        reference_quantity=quantity,
        cnc_unit_price=(cnc_total(quantity) / quantity).quantize(CENT, rounding=ROUND_HALF_UP),
        break_even_quantity=break_even, wins=wins(quantity), note=note,
    )
