"""Lead time in whole working days: queue + sourcing + programming + machining + finishing + inspection."""

from __future__ import annotations

import math

import pytest

from estimator import PartSpec, Route, Size3, load_rate_card
from estimator.cost import inspection_minutes
from estimator.cycle import cam_hours
from estimator.facts import RoutePlan
from estimator.lead_time import (
    estimate_lead_time,
    estimate_lead_time_days,
    machine_hours,
    machine_hours_split,
    machines_available,
)
from estimator.strategy import build_facts

CARD = load_rate_card()
PROTO = RoutePlan(Route.PROTOTYPE, "mill_3axis", 2, dedicated_fixture=False, full_inspection=True)
PROD = RoutePlan(Route.PRODUCTION, "mill_3axis", 2, dedicated_fixture=True, full_inspection=False)


def block(**update: object) -> PartSpec:
    spec = PartSpec(name="block", material="6061-T6", envelope_mm=Size3(x=60, y=40, z=20),
                    general_tolerance="ISO 2768-m")
    return spec.model_copy(update=update)


def test_one_prototype_adds_up_the_calendar() -> None:
    facts = build_facts(block(), CARD)
    expected = (
        CARD.queue_days + facts.material.lead_days
        + cam_hours(facts, PROTO, CARD) / CARD.office_hours_per_day
        + machine_hours(facts, PROTO, CARD, quantity=1) / CARD.shop_hours_per_day
        + inspection_minutes(facts, CARD) / 60 / CARD.office_hours_per_day
    )
    assert estimate_lead_time_days(facts, PROTO, CARD, quantity=1) == math.ceil(expected)


def test_lead_time_is_whole_days_and_at_least_queue_plus_sourcing() -> None:
    facts = build_facts(block(), CARD)
    days = estimate_lead_time_days(facts, PROTO, CARD, quantity=1)
    assert isinstance(days, int)
    assert days >= CARD.queue_days + facts.material.lead_days


@pytest.mark.parametrize("plan", [PROTO, PROD])
def test_more_parts_never_ship_sooner(plan: RoutePlan) -> None:
    facts = build_facts(block(), CARD)
    days = [estimate_lead_time_days(facts, plan, CARD, quantity=q) for q in (1, 10, 100, 1000, 10000)]
    assert days == sorted(days)
    assert days[-1] > days[0]


def test_slow_material_adds_its_sourcing_days() -> None:
    al = estimate_lead_time_days(build_facts(block(), CARD), PROTO, CARD, quantity=1)
    ti = estimate_lead_time_days(build_facts(block(material="Ti-6Al-4V"), CARD), PROTO, CARD, quantity=1)
    delta = CARD.materials["Ti-6Al-4V"].lead_days - CARD.materials["6061-T6"].lead_days
    assert ti >= al + delta


def test_outside_finish_adds_its_days() -> None:
    plain = estimate_lead_time_days(build_facts(block(), CARD), PROTO, CARD, quantity=5)
    hard = build_facts(block(finish="hard anodize"), CARD)
    anodized = estimate_lead_time_days(hard, PROTO, CARD, quantity=5)
    assert anodized - plain in (CARD.finishes["hard_anodize"].extra_days,
                                CARD.finishes["hard_anodize"].extra_days + 1)


def test_machining_hours_fill_the_shop_calendar() -> None:
    facts = build_facts(block(), CARD)
    hours = machine_hours(facts, PROD, CARD, quantity=5000)
    days = estimate_lead_time_days(facts, PROD, CARD, quantity=5000)
    assert days >= hours / CARD.shop_hours_per_day / machines_available(PROD, CARD)


def test_a_short_run_stays_on_one_machine() -> None:
    lead = estimate_lead_time(build_facts(block(), CARD), PROD, CARD, quantity=100)
    assert lead.machines == 1
    assert lead.machining_days == pytest.approx(lead.machine_hours / CARD.shop_hours_per_day)


def test_a_long_run_is_spread_over_the_cards_share_of_machines() -> None:
    """10,000 pcs: the run on one machine would take months; the card lets one order use half the VMCs."""
    facts = build_facts(block(), CARD)
    setup_h, run_h = machine_hours_split(facts, PROD, CARD, quantity=10000)
    limit = machines_available(PROD, CARD)
    assert limit == int(CARD.machines["mill_3axis"].count * CARD.capacity.max_share) > 1
    lead = estimate_lead_time(facts, PROD, CARD, quantity=10000)
    assert 1 < lead.machines <= limit
    expected = max(CARD.capacity.split_after_days, (setup_h + run_h / limit) / CARD.shop_hours_per_day)
    assert lead.machining_days == pytest.approx(expected)
    assert lead.machining_days < (setup_h + run_h) / CARD.shop_hours_per_day / 2


def test_lead_time_never_falls_as_runs_are_split() -> None:
    facts = build_facts(block(), CARD)
    days = [estimate_lead_time(facts, PROD, CARD, quantity=q).machining_days for q in range(500, 20001, 250)]
    assert days == sorted(days)


@pytest.mark.parametrize("quantity", [1, 100, 5000])
def test_expedite_is_never_slower(quantity: int) -> None:
    facts = build_facts(block(), CARD)
    normal = estimate_lead_time_days(facts, PROD, CARD, quantity=quantity)
    rush = estimate_lead_time_days(facts, PROD, CARD, quantity=quantity, expedite=True)
    assert rush <= normal - CARD.queue_days or rush == 1
