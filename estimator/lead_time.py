"""Lead time of one route at one quantity, in whole working days. Pure."""

from __future__ import annotations

import math

from estimator.cost import PartFacts, RoutePlan, cam_hours, inspection_minutes, machine_hours, sampled_share
from estimator.rates import RateCard


def estimate_lead_time_days(facts: PartFacts, plan: RoutePlan, card: RateCard, *, quantity: int) -> int:
    """Working days from order to shipment.

    Queue + material sourcing + programming hours over the office day + machine hours (setup and cycle,
    scrap remakes included) over the shop's machine hours per day + outside finishing + inspection hours
    over the office day, rounded up to whole days.

    Args:
        facts: the part resolved against the card.
        plan: the route.
        card: the rate card (queue days, hours per day, finish days).
        quantity: parts in the batch (>= 1).

    Returns:
        Whole working days (>= 1).
    """
    office_h = card.office_hours_per_day
    days = float(card.queue_days + facts.material.lead_days)
    days += cam_hours(facts, plan, card) / office_h
    days += machine_hours(facts, plan, card, quantity=quantity) / card.shop_hours_per_day
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
