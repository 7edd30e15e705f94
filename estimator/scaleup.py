"""Scale-up warnings: RULES is a tuple of small functions, each returning a ScaleUpWarning or None. Pure.

Every rule takes a RuleContext and returns a warning whose message states the rule, the card's threshold and a
suggestion, with its saving per part where the estimator can price the alternative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from estimator.cost import PartFacts, general_class
from estimator.models import PartSpec, ScaleUpWarning, Severity
from estimator.rates import RateCard


@dataclass(frozen=True)
class RuleContext:
    """What a rule may look at: the spec, the resolved facts, the card, the largest quantity priced, and a
    pricer returning the cheaper route's exact unit price for a variant of the spec at that quantity."""

    spec: PartSpec
    facts: PartFacts
    card: RateCard
    quantity: int
    unit_price: Callable[[PartSpec], Decimal]

    def saving(self, variant: PartSpec) -> str:
        """'saves about X USD per part at N pcs' for a variant of the spec ('' when it saves nothing)."""
        saved = self.unit_price(self.spec) - self.unit_price(variant)
        if saved < Decimal("0.005"):
            return ""
        return f"; saves about {saved:.2f} {self.card.currency} per part at {self.quantity} pcs"


def general_band_mm(nominal_mm: float, letter: str, card: RateCard) -> float:
    """Zone width (2 x the ± value) ISO 2768-1 gives a size in class ``letter``."""
    table = card.general_tolerances
    values: tuple[float, ...] = getattr(table, letter)
    for up_to, value in zip(table.up_to_mm, values, strict=True):
        if nominal_mm <= up_to:
            return 2 * value
    return 2 * values[-1]


def rule_tight_tolerance(ctx: RuleContext) -> ScaleUpWarning | None:
    """Zone under tight_band_major_mm: major; under tight_band_critical_mm: critical. Prices relaxing."""
    rules = ctx.card.rules
    tight = [t for t in ctx.spec.tolerances if t.band_mm < rules.tight_band_major_mm]
    if not tight:
        return None
    worst = min(tight, key=lambda t: t.band_mm)
    critical = worst.band_mm < rules.tight_band_critical_mm
    letter = general_class(ctx.spec.general_tolerance, ctx.card)
    relaxed = tuple(
        t if t.band_mm >= rules.tight_band_major_mm
        else t.model_copy(update={"band_mm": general_band_mm(t.nominal_mm, letter, ctx.card)})
        for t in ctx.spec.tolerances
    )
    limit = rules.tight_band_critical_mm if critical else rules.tight_band_major_mm
    process = (
        "grinding or jig boring and CMM inspection" if critical else "finishing passes and in-process gauging"
    )
    return ScaleUpWarning(
        severity=Severity.CRITICAL if critical else Severity.MAJOR,
        code="tight_tolerance",
        message=(
            f"{len(tight)} toleranced size(s) with a zone under {limit:g} mm (tightest {worst.label!r}, "
            f"{worst.band_mm:g} mm): needs {process}. Relax to ISO 2768-{letter} where the function allows"
            f"{ctx.saving(ctx.spec.model_copy(update={'tolerances': relaxed}))}"
        ),
    )


def rule_fine_general_tolerance(ctx: RuleContext) -> ScaleUpWarning | None:
    """ISO 2768-f at production quantity: major, with the saving of ISO 2768-m."""
    if general_class(ctx.spec.general_tolerance, ctx.card) != "f":
        return None
    if ctx.quantity < ctx.card.rules.production_quantity:
        return None
    variant = ctx.spec.model_copy(update={"general_tolerance": "ISO 2768-m"})
    return ScaleUpWarning(
        severity=Severity.MAJOR,
        code="fine_general_tolerance",
        message=(
            f"general tolerance ISO 2768-f on {ctx.quantity} pcs (production from "
            f"{ctx.card.rules.production_quantity}): every untoleranced size is held fine. ISO 2768-m "
            f"comes off the machine at no extra cost{ctx.saving(variant)}"
        ),
    )


def rule_deep_holes(ctx: RuleContext) -> ScaleUpWarning | None:
    """Hole depth over 4 x D: minor (peck drilling); over 10 x D: major (gun drilling)."""
    ratios = ctx.card.cutting.deep_hole_ratio
    worst = 0.0
    for hole in ctx.spec.holes:
        depth = hole.depth_mm if hole.depth_mm is not None else ctx.spec.envelope_mm.z
        if hole.diameter_mm > 0:
            worst = max(worst, depth / hole.diameter_mm)
    if worst <= ratios["peck"]:
        return None
    gun = worst > ratios["gun"]
    return ScaleUpWarning(
        severity=Severity.MAJOR if gun else Severity.MINOR,
        code="deep_hole",
        message=(
            f"hole depth {worst:.1f} x diameter (over {ratios['gun' if gun else 'peck']:g} x D): "
            + ("gun drilling or drilling from both sides" if gun else "peck drilling, slower cycle")
            + "; a larger diameter or a shallower hole is cheaper"
        ),
    )


def rule_large_part(ctx: RuleContext) -> ScaleUpWarning | None:
    """Stock over large_part_travel_fraction of the 3-axis travel: minor; beyond it: major."""
    machine = ctx.card.machines["mill_3axis"]
    stock = sorted((ctx.facts.stock.x, ctx.facts.stock.y, ctx.facts.stock.z))
    travel = sorted(machine.travel_mm)
    share = max(s / t for s, t in zip(stock, travel, strict=True))
    fraction = ctx.card.rules.large_part_travel_fraction
    if share <= fraction:
        return None
    return ScaleUpWarning(
        severity=Severity.MAJOR if share > 1 else Severity.MINOR,
        code="large_part",
        message=(
            f"stock uses {share:.0%} of the {machine.name} travel (limit {fraction:.0%}): fewer machines can "
            "run it and fixturing is harder; check whether it can be split or made from thinner stock"
        ),
    )


def rule_thin_part(ctx: RuleContext) -> ScaleUpWarning | None:
    """Thinner than thin_part_mm with an aspect over thin_part_aspect: major (distortion)."""
    e = ctx.spec.envelope_mm
    thin, longest = min(e.x, e.y, e.z), max(e.x, e.y, e.z)
    rules = ctx.card.rules
    if thin >= rules.thin_part_mm or longest / thin <= rules.thin_part_aspect:
        return None
    return ScaleUpWarning(
        severity=Severity.MAJOR,
        code="thin_part",
        message=(
            f"{thin:g} mm thick over {longest:g} mm (thinner than {rules.thin_part_mm:g} mm, aspect over "
            f"{rules.thin_part_aspect:g}): distorts when clamped and machined; needs a vacuum or glue "
            "fixture, or consider laser cutting"
        ),
    )


def rule_material_availability(ctx: RuleContext) -> ScaleUpWarning | None:
    """Slow to source or expensive per kg: minor."""
    mat, rules = ctx.facts.material, ctx.card.rules
    notes = []
    if mat.lead_days >= rules.slow_sourcing_days:
        notes.append(f"sourcing takes {mat.lead_days} working days")
    if mat.price_per_kg >= rules.expensive_material_per_kg:
        notes.append(f"stock costs {mat.price_per_kg} {ctx.card.currency}/kg")
    if not notes:
        return None
    return ScaleUpWarning(
        severity=Severity.MINOR,
        code="material_availability",
        message=f"{mat.name}: {' and '.join(notes)}; order stock with the PO or offer an alternative alloy",
    )


def rule_default_material(ctx: RuleContext) -> ScaleUpWarning | None:
    """The caller assumed the material (an assumption mentions it): major."""
    assumed = [a for a in ctx.spec.assumptions if "material" in a.lower()]
    if not assumed:
        return None
    return ScaleUpWarning(
        severity=Severity.MAJOR,
        code="material_assumed",
        message=f"material not confirmed ({assumed[0]}); priced as {ctx.facts.material.name}",
    )


def rule_missing_general_tolerance(ctx: RuleContext) -> ScaleUpWarning | None:
    """No general tolerance given: minor, the card's default is priced."""
    if ctx.spec.general_tolerance is not None:
        return None
    return ScaleUpWarning(
        severity=Severity.MINOR,
        code="general_tolerance_assumed",
        message=f"no general tolerance on the drawing; priced as {ctx.card.default_general_tolerance}",
    )


def rule_many_setups(ctx: RuleContext) -> ScaleUpWarning | None:
    """More setups than many_setups_minor: minor; than many_setups_major: major. Prices fewer."""
    rules = ctx.card.rules
    if ctx.spec.setups <= rules.many_setups_minor:
        return None
    variant = ctx.spec.model_copy(update={"setups": rules.many_setups_minor})
    return ScaleUpWarning(
        severity=Severity.MAJOR if ctx.spec.setups > rules.many_setups_major else Severity.MINOR,
        code="many_setups",
        message=(
            f"{ctx.spec.setups} setups (over {rules.many_setups_minor}): each adds a clamping, a fixture and "
            f"positional error; design for {rules.many_setups_minor} or fewer{ctx.saving(variant)}"
        ),
    )


def rule_near_net_process(ctx: RuleContext) -> ScaleUpWarning | None:
    """Aluminium or plastic at near_net_quantity or more: suggest die casting / moulding."""
    threshold = ctx.card.rules.near_net_quantity
    if ctx.quantity < threshold or ctx.facts.material.density > 3.0:
        return None
    plastic = ctx.facts.material.density < 2.0
    process = (
        "injection moulding (mould 5,000–80,000 USD)" if plastic else "die casting (tooling 8,000–20,000 USD)"
    )
    return ScaleUpWarning(
        severity=Severity.MINOR,
        code="near_net_process",
        message=f"{ctx.quantity} pcs (from {threshold}): ask for a {process} quote; it often wins at volume",
    )


def rule_revision_at_volume(ctx: RuleContext) -> ScaleUpWarning | None:
    """A drawing revision at production quantity: CAM and fixtures are tied to it."""
    if not ctx.spec.revision or ctx.quantity < ctx.card.rules.production_quantity:
        return None
    return ScaleUpWarning(
        severity=Severity.MINOR,
        code="revision_control",
        message=(
            f"production quantity on revision {ctx.spec.revision}: CAM and fixtures are made for this "
            "revision; confirm it is frozen, a later change repeats those one-off costs"
        ),
    )


RULES: tuple[Callable[[RuleContext], ScaleUpWarning | None], ...] = (
    rule_tight_tolerance,
    rule_fine_general_tolerance,
    rule_deep_holes,
    rule_large_part,
    rule_thin_part,
    rule_material_availability,
    rule_default_material,
    rule_missing_general_tolerance,
    rule_many_setups,
    rule_near_net_process,
    rule_revision_at_volume,
)


def check_scale_up(ctx: RuleContext) -> tuple[ScaleUpWarning, ...]:
    """Run every rule in RULES order.

    Args:
        ctx: the part, the card and the reference quantity.

    Returns:
        The warnings that fired, most severe first (stable within a severity).
    """
    fired = [w for rule in RULES if (w := rule(ctx)) is not None]
    rank = {Severity.CRITICAL: 0, Severity.MAJOR: 1, Severity.MINOR: 2}
    return tuple(sorted(fired, key=lambda w: rank[w.severity]))
