"""Lead time of one route at one quantity, in working days by cause. Pure."""

from __future__ import annotations

import math

from estimator.cost import inspection_minutes
from estimator.cycle import cam_hours, cycle_minutes
from estimator.facts import PartFacts, RoutePlan
from estimator.inspection import sampled_share
from estimator.models import LeadTime, Route
from estimator.rates import RateCard


def machines_available(plan: RoutePlan, card: RateCard) -> int:
    """Machines of the plan's type one order may use: the card's count x max share, at least one.

    Args:
        plan: the route (its machine key).
        card: the rate card (machine count, capacity share).

    Returns:
        A machine count (>= 1).
    """
    return max(1, math.floor(card.machines[plan.machine_key].count * card.capacity.max_share + 1e-9))


def estimate_lead_time(
    facts: PartFacts, plan: RoutePlan, card: RateCard, *, quantity: int, expedite: bool = False
) -> LeadTime:
    """Working days from order to shipment, by cause.

    Queue + material sourcing + programming hours over the office day + the machine run over the shop's
    machine hours per day + outside finishing + inspection hours over the office day. A run longer than
    ``capacity.split_after_days`` on one machine is spread over as many machines of its type as keep it
    within that (each with its own setup), up to ``capacity.max_share`` of them; the extra setups are shop
    time, not charged (charging them would make a larger order dearer per part at the split).

    Args:
        facts: the part resolved against the card.
        plan: the route.
        card: the rate card (queue days, hours per day, finish days, capacity).
        quantity: parts in the batch (>= 1).
        expedite: skip the queue and run the machines ``expedite_shop_hours_per_day``.

    Returns:
        The breakdown; ``total_days`` is the sum rounded up to whole days (>= 1).
    """
    office_h = card.office_hours_per_day
    shop_h = card.expedite_shop_hours_per_day if expedite else card.shop_hours_per_day
    setup_h, run_h = machine_hours_split(facts, plan, card, quantity=quantity)
    one_machine_days = (setup_h + run_h) / shop_h
    limit = machines_available(plan, card)
    machines, machining_days, split = 1, one_machine_days, card.capacity.split_after_days
    if one_machine_days > split:
        # Held at split_after_days while machines can be added, then it grows again: never falls with quantity.
        room_h = split * shop_h - setup_h
        machines = min(limit, math.ceil(run_h / room_h)) if room_h > 0 else limit
        machining_days = max(split, (setup_h + run_h / limit) / shop_h)
    insp_min = inspection_minutes(facts, card)
    if plan.full_inspection:
        inspect_h = quantity * insp_min / 60.0
    else:
        inspect_h = card.inspection.fai_hours_per_characteristic * facts.characteristics
        inspect_h += sampled_share(quantity, card) * quantity * insp_min / 60.0
    parts = {
        "queue_days": float(0 if expedite else card.queue_days),
        "sourcing_days": float(facts.material.lead_days),
        "programming_days": cam_hours(facts, plan, card) / office_h,
        "machining_days": machining_days,
        "finishing_days": float(card.finishes[facts.finish_key].extra_days if facts.finish_key else 0),
        "inspection_days": inspect_h / office_h,
    }
    total = max(1, math.ceil(round(sum(parts.values()), 6)))
    return LeadTime(**parts, machines=machines, machine_hours=machines * setup_h + run_h, total_days=total)


def estimate_lead_time_days(
    facts: PartFacts, plan: RoutePlan, card: RateCard, *, quantity: int, expedite: bool = False
) -> int:
    """Whole working days from order to shipment (see estimate_lead_time for the causes).

    Args:
        facts: the part resolved against the card.
        plan: the route.
        card: the rate card.
        quantity: parts in the batch (>= 1).
        expedite: skip the queue and run the machines around the clock.

    Returns:
        Whole working days (>= 1).
    """
    return estimate_lead_time(facts, plan, card, quantity=quantity, expedite=expedite).total_days


def machine_hours_split(facts: PartFacts, plan: RoutePlan, card: RateCard, *, quantity: int) -> tuple[float, float]:
    """Setup hours on one machine and spindle hours for the batch, scrap remakes included.

    Args:
        facts: the part resolved against the card.
        plan: the route.
        card: the rate card.
        quantity: parts in the batch.

    Returns:
        (setup hours, run hours).
    """
    fx = card.fixtures
    factor = fx.production_cycle_factor if plan.route is Route.PRODUCTION else 1.0
    load = (fx.fixture_load_min if plan.dedicated_fixture else fx.vise_load_min) * plan.operations
    per_part_min = sum(cycle_minutes(facts, card).values()) * factor + load
    machine = card.machines[plan.machine_key]
    setup_h = fx.dedicated_setup_hours if plan.dedicated_fixture else machine.setup_hours
    scrap = 1 + float(card.scrap_fraction)
    return plan.operations * setup_h, per_part_min * quantity * scrap / 60.0


def machine_hours(facts: PartFacts, plan: RoutePlan, card: RateCard, *, quantity: int) -> float:
    """Spindle plus setup hours for the batch on one machine, scrap remakes included.

    Args:
        facts: the part resolved against the card.
        plan: the route.
        card: the rate card.
        quantity: parts in the batch.

    Returns:
        Machine hours.
    """
    return sum(machine_hours_split(facts, plan, card, quantity=quantity))
