"""Tolerance, general-tolerance and roughness factors from the rate card's tiers and ISO 2768-1 table. Pure."""

from __future__ import annotations

from estimator.rates import RateCard


def tolerance_factor(band_mm: float, card: RateCard) -> float:
    """The card's multiplier for a tolerance zone.

    Args:
        band_mm: total width of the zone in mm (±0.02 is 0.04).
        card: the rate card (its tolerance tiers).

    Returns:
        The factor (1.0 at standard tolerance; larger for a tighter zone).
    """
    tiers = sorted(card.tolerance_tiers, key=lambda t: -t.min_band_mm)
    return next(t.factor for t in tiers if band_mm >= t.min_band_mm)


def roughness_factor(ra_um: float | None, card: RateCard) -> float:
    """The card's multiplier on finishing passes for the finest roughness called out.

    Args:
        ra_um: Ra in micrometres; None means as machined (factor 1).
        card: the rate card (its roughness tiers).

    Returns:
        The factor (1.0 at Ra 3.2 and rougher).
    """
    if ra_um is None:
        return 1.0
    tiers = sorted(card.roughness_tiers, key=lambda t: -t.min_ra_um)
    return next(t.factor for t in tiers if ra_um >= t.min_ra_um)


def general_class(general_tolerance: str | None, card: RateCard) -> str:
    """The ISO 2768-1 class (f, m, c, v) a general tolerance note names; the card's default if none."""
    for text in (general_tolerance or "", card.default_general_tolerance):
        for letter in "fmcv":
            if f"2768-{letter}" in text.lower() or f"2768 {letter}" in text.lower():
                return letter
    return "m"


def general_band_mm(nominal_mm: float, letter: str, card: RateCard) -> float:
    """Zone width (2 x the ± value) ISO 2768-1 gives a size in class ``letter``."""
    table = card.general_tolerances
    values: tuple[float, ...] = getattr(table, letter)
    for up_to, value in zip(table.up_to_mm, values, strict=True):
        if nominal_mm <= up_to:
            return 2 * value
    return 2 * values[-1]
