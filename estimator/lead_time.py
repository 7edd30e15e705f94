"""Lead time of one route at one quantity, in whole working days. Pure."""

from __future__ import annotations

import math

from estimator.cost import PartFacts, RoutePlan, cam_hours, cycle_minutes, inspection_minutes, sampled_share
from estimator.models import Route
from estimator.rates import RateCard


def estimate_lead_time_days(
    facts: PartFacts, plan: RoutePlan, card: RateCard, *, quantity: int, expedite: bool = False
) -> int:
    """Working days from order to shipment.

    Queue + material sourcing + programming hours over the office day + machine hours (setup and cycle,
    scrap remakes included) over the shop's machine hours per day + outside finishing + inspection hours
    over the office day, rounded up to whole days.

    Args:
        facts: the part resolved against the card.
        plan: the route.
        card: the rate card (queue days, hours per day, finish days).
        quantity: parts in the batch (>= 1).
        expedite: skip the queue and run the machines ``expedite_shop_hours_per_day``.

    Returns:
        Whole working days (>= 1).
    """
    office_h = card.office_hours_per_day
    shop_h = card.expedite_shop_hours_per_day if expedite else card.shop_hours_per_day
    days = float((0 if expedite else card.queue_days) + facts.material.lead_days)
    days += cam_hours(facts, plan, card) / office_h
    days += machine_hours(facts, plan, card, quantity=quantity) / shop_h
    if facts.finish_key is not None:
        days += card.finishes[facts.finish_key].extra_days
    insp_min = inspection_minutes(facts, card)
    if plan.full_inspection:
        inspect_h = quantity * insp_min / 60.0
    else:
        inspect_h = card.inspection.fai_hours_per_characteristic * facts.characteristics
        inspect_h += sampled_share(quantity, card) * quantity * insp_min / 60.0
    days += inspect_h / office_h
    return max(1, math.ceil(round(days, 6)))


def machine_hours(facts: PartFacts, plan: RoutePlan, card: RateCard, *, quantity: int) -> float:
    """Spindle plus setup hours for the batch, scrap remakes included (for lead time).

    Args:
        facts: the part resolved against the card.
        plan: the route.
        card: the rate card.
        quantity: parts in the batch.

    Returns:
        Machine hours.
    """
    fx = card.fixtures
    factor = fx.production_cycle_factor if plan.route is Route.PRODUCTION else 1.0
    load = (fx.fixture_load_min if plan.dedicated_fixture else fx.vise_load_min) * plan.operations
    per_part_min = sum(cycle_minutes(facts, card).values()) * factor + load
    machine = card.machines[plan.machine_key]
    setup_h = fx.dedicated_setup_hours if plan.dedicated_fixture else machine.setup_hours
    scrap = 1 + float(card.scrap_fraction)
    return plan.operations * setup_h + per_part_min * quantity * scrap / 60.0
