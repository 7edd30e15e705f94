"""Inspection time: characteristics measured by hand or on the CMM, and the ISO 2859-1 sampling plan. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from estimator.models import PartSpec
from estimator.rates import RateCard
from estimator.tolerances import tolerance_factor


@dataclass(frozen=True)
class InspectionTime:
    """Minutes to measure one part: by hand (inspector rate) and on the CMM (CMM rate)."""

    manual_min: float
    cmm_min: float
    cmm_characteristics: int

    @property
    def total_min(self) -> float:
        return self.manual_min + self.cmm_min

    def cost(self, card: RateCard) -> Decimal:
        """Cost of measuring one part in the card's currency."""
        insp = card.inspection
        return (Decimal(self.manual_min) * insp.rate + Decimal(self.cmm_min) * insp.cmm_rate) / 60


def count_characteristics(spec: PartSpec) -> int:
    """Characteristics an inspector measures: the three overall sizes, each hole group, each tolerance."""
    return max(spec.feature_count, 3 + len(spec.holes) + len(spec.tolerances))


def inspection_time(spec: PartSpec, characteristics: int, card: RateCard) -> InspectionTime:
    """Minutes per measured part. Each characteristic takes the card's minutes, a toleranced one its tolerance
    factor times that; zones under ``cmm_band_mm`` are measured on the CMM.

    Args:
        spec: the part (its tolerances).
        characteristics: characteristics measured on each part.
        card: the rate card.

    Returns:
        The manual and CMM minutes.
    """
    each = card.inspection.measure_min_per_characteristic
    cmm = [t for t in spec.tolerances if t.band_mm < card.inspection.cmm_band_mm]
    manual = [t for t in spec.tolerances if t.band_mm >= card.inspection.cmm_band_mm]
    manual_weight = characteristics - len(cmm) + sum(tolerance_factor(t.band_mm, card) - 1 for t in manual)
    cmm_weight = sum(tolerance_factor(t.band_mm, card) for t in cmm)
    return InspectionTime(manual_weight * each, cmm_weight * each, len(cmm))


def sample_size(lot: int, card: RateCard) -> int:
    """ISO 2859-1 / ANSI Z1.4 general level II sample size for a lot (the whole lot when smaller).

    Args:
        lot: parts in the lot (>= 1).
        card: the rate card (its sampling table).

    Returns:
        Parts to measure.
    """
    n = next((n for up_to, n in card.inspection.sampling if lot <= up_to), card.inspection.sampling[-1][1])
    return min(n, lot)


def sampled_share(lot: int, card: RateCard) -> float:
    """Share of the lot charged for sampling: the plan's n/lot, held to its largest value at any larger lot.

    The raw n/lot jumps up at each code-letter boundary (2 of 8, then 3 of 9); charging the running maximum
    over larger lots keeps the per-part charge from rising with quantity while never charging less than n.

    Args:
        lot: parts in the lot (>= 1).
        card: the rate card.

    Returns:
        A share between 0 and 1.
    """
    share = sample_size(lot, card) / lot
    start = 1
    for up_to, n in card.inspection.sampling:
        if start > lot:
            share = max(share, n / start)
        start = up_to + 1
    return min(share, 1.0)
