"""Machine minutes per part by activity, what they come from, and CAM programming hours. Pure."""

from __future__ import annotations

from estimator.facts import PartFacts, RawTerm, RoutePlan, term
from estimator.models import PartSpec, Route
from estimator.rates import RateCard
from estimator.stock import part_area_cm2, part_volume_cm3
from estimator.tolerances import general_class, roughness_factor, tolerance_factor


def thread_depth_mm(diameter_mm: float, given_mm: float | None, card: RateCard) -> float:
    """Tapped length: as given, else the card's assumed engagement (x D).

    Args:
        diameter_mm: nominal thread diameter.
        given_mm: the thread depth on the drawing, or None.
        card: the rate card ([threads] assumed_depth_ratio).

    Returns:
        Thread depth in mm.
    """
    return given_mm if given_mm is not None else card.threads.assumed_depth_ratio * diameter_mm


def cycle_minutes(facts: PartFacts, card: RateCard) -> dict[str, float]:
    """Machine minutes per part by activity, before the route's cycle factor and without load/unload.

    Roughing: removed volume / removal rate. Finishing: machined area / area rate x the material's cutting
    factor x general-tolerance and roughness factors. Holes: positioning (not material dependent) plus
    drilling and tapping (x the material's factor); tool changes. Toleranced sizes: (tolerance factor - 1) of
    a standard finishing pass each.

    Args:
        facts: the part resolved against the card.
        card: the rate card.

    Returns:
        Minutes for "roughing", "finishing", "holes" and "toleranced features".
    """
    key = ("cycle", id(card))
    if key not in facts.memo:
        facts.memo[key] = _cycle_minutes(facts, card)
    return dict(facts.memo[key])


def _cycle_minutes(facts: PartFacts, card: RateCard) -> dict[str, float]:
    spec, mat, cut = facts.spec, facts.material, card.cutting
    gen = card.general_tolerance_factor.get(general_class(spec.general_tolerance, card), 1.0)
    rough = roughness_factor(spec.roughness_ra_um, card)
    roughing = part_volume_cm3(spec) * spec.removed_fraction / mat.removal_cm3_min
    machined_cm2 = part_area_cm2(spec) * (1 + cut.machined_area_factor * spec.removed_fraction)
    finishing = machined_cm2 / cut.finish_area_cm2_per_min * mat.finishing_factor * gen * rough
    holes = 0.0
    for hole in spec.holes:
        depth = hole.depth_mm if hole.depth_mm is not None else spec.envelope_mm.z
        ratio = depth / hole.diameter_mm if hole.diameter_mm > 0 else 0.0
        deep = 1.0
        if ratio > cut.deep_hole_ratio["gun"]:
            deep = cut.deep_hole_factor["gun"]
        elif ratio > cut.deep_hole_ratio["peck"]:
            deep = cut.deep_hole_factor["peck"]
        tap = 0.0
        if hole.threaded and hole.diameter_mm > 0:
            engaged = thread_depth_mm(hole.diameter_mm, hole.thread_depth_mm, card)
            tap = cut.tap_min * max(1.0, engaged / (card.threads.assumed_depth_ratio * hole.diameter_mm))
        cutting = (depth * cut.hole_min_per_mm * deep + tap) * mat.finishing_factor
        tools = 2 if hole.threaded else 1
        holes += hole.count * (cut.hole_base_min + cutting) + tools * cut.tool_change_min
    # The standard-tolerance pass is part of finishing; a tighter zone adds (factor - 1) of it.
    toleranced = sum(
        cut.toleranced_feature_min * (tolerance_factor(t.band_mm, card) - 1) * mat.finishing_factor
        for t in spec.tolerances
    )
    return {"roughing": roughing, "finishing": finishing, "holes": holes, "toleranced features": toleranced}


def cycle_drivers(facts: PartFacts, card: RateCard) -> dict[str, tuple[str, tuple[RawTerm, ...]]]:
    """What each activity's minutes come from (see cycle_minutes): a formula and its inputs, for explanations.

    Args:
        facts: the part resolved against the card.
        card: the rate card.

    Returns:
        For "roughing", "finishing", "holes" and "toleranced features": (formula of the minutes, inputs).
    """
    key = ("drivers", id(card))
    if key not in facts.memo:
        facts.memo[key] = _cycle_drivers(facts, card)
    return dict(facts.memo[key])


def _cycle_drivers(facts: PartFacts, card: RateCard) -> dict[str, tuple[str, tuple[RawTerm, ...]]]:
    spec, mat, cut = facts.spec, facts.material, card.cutting
    letter = general_class(spec.general_tolerance, card)
    area = part_area_cm2(spec) * (1 + cut.machined_area_factor * spec.removed_fraction)
    holes = sum(h.count for h in spec.holes)
    return {
        "roughing": ("removed volume / removal rate", (
            term("removed volume", part_volume_cm3(spec) * spec.removed_fraction, "cm3"),
            term("removal rate", mat.removal_cm3_min, "cm3/min"))),
        "finishing": ("machined area / area rate x material x general tolerance x roughness factors", (
            term("machined area", area, "cm2"), term("area rate", cut.finish_area_cm2_per_min, "cm2/min"),
            term("material factor", mat.finishing_factor, "x"),
            term(f"ISO 2768-{letter} factor", card.general_tolerance_factor.get(letter, 1.0), "x"),
            term("roughness factor", roughness_factor(spec.roughness_ra_um, card), "x"))),
        "holes": ("holes x positioning + drilling/tapping x material factor + tool changes", (
            term("holes", holes, "pcs"), term("positioning", cut.hole_base_min, "min/hole"),
            term("material factor", mat.finishing_factor, "x"), term("tool change", cut.tool_change_min, "min"))),
        "toleranced features": ("sum of standard pass x (tolerance factor - 1) x material factor", (
            term("standard pass", cut.toleranced_feature_min, "min"),
            *(term(f"{t.label} factor", tolerance_factor(t.band_mm, card), "x") for t in spec.tolerances),
            term("material factor", mat.finishing_factor, "x"))),
    }


def cam_tier(spec: PartSpec, card: RateCard) -> str:
    """The card's programming tier (simple, moderate, complex) from a score of holes, tolerances, setups and
    dimensions / 4."""
    prog = card.programming
    score = len(spec.holes) + len(spec.tolerances) + spec.setups + spec.feature_count / 4
    if score >= prog.complex_from_score:
        return "complex"
    return "moderate" if score >= prog.moderate_from_score else "simple"


def cam_hours(facts: PartFacts, plan: RoutePlan, card: RateCard) -> float:
    """Programming hours: the card's tier for the part's complexity, plus optimisation on production."""
    extra = card.programming.production_extra_hours if plan.route is Route.PRODUCTION else 0.0
    return card.programming.hours[cam_tier(facts.spec, card)] + extra
