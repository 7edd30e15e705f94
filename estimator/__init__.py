"""Cost, lead time, route and scale-up warnings for machined parts. Pure: models in, models out."""

from __future__ import annotations

from estimator.errors import EstimateError, OutsideMachineEnvelope, QuantityNotPriced, UnknownMaterial
from estimator.explanation import ExplainGroup, ExplainLine, Explanation, explain, render_explanation_text
from estimator.models import (
    CostLine,
    Estimate,
    HoleFeature,
    LeadTime,
    NearNetOption,
    PartEstimate,
    PartSpec,
    PriceBreak,
    Route,
    RouteQuote,
    RuleCheck,
    ScaleUpWarning,
    Severity,
    Size3,
    Term,
    ToleranceFeature,
)
from estimator.rates import RateCard, find_material, load_rate_card

__all__ = [
    "CostLine",
    "Estimate",
    "EstimateError",
    "ExplainGroup",
    "ExplainLine",
    "Explanation",
    "HoleFeature",
    "LeadTime",
    "NearNetOption",
    "OutsideMachineEnvelope",
    "PartEstimate",
    "PartSpec",
    "PriceBreak",
    "QuantityNotPriced",
    "RateCard",
    "Route",
    "RouteQuote",
    "RuleCheck",
    "STANDARD_BREAKS",
    "ScaleUpWarning",
    "Severity",
    "Size3",
    "Term",
    "ToleranceFeature",
    "UnknownMaterial",
    "estimate",
    "explain",
    "find_material",
    "load_rate_card",
    "render_explanation_text",
]

STANDARD_BREAKS: tuple[int, ...] = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, 10000)


def estimate(specs: tuple[PartSpec, ...] | list[PartSpec], card: RateCard) -> Estimate:
    """Price every part at the quantities asked and around them.

    Args:
        specs: the parts, with ``quantities`` set (an empty tuple prices the standard breaks).
        card: the shop's rate card.

    Returns:
        One PartEstimate per spec, in order, with money in ``card.currency``.

    Raises:
        UnknownMaterial: a spec names a material the card does not list.
    """
    from estimator.strategy import estimate_part

    return Estimate(currency=card.currency, parts=tuple(estimate_part(s, card) for s in specs))
