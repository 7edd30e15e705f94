"""Scale-up warnings: RULES is a tuple of small functions, each returning a Verdict (the check and any warning).

Every rule takes a RuleContext; the check records the card's threshold and the value found whether or not it
fired, and a warning states the rule, the threshold and a suggestion, with its saving per part where the
estimator can price the alternative. Geometry rules live in estimator.dfm. Pure.
"""

from __future__ import annotations

from collections.abc import Callable

from estimator.dfm import (
    rule_deep_holes,
    rule_internal_radius,
    rule_large_part,
    rule_non_standard_thread,
    rule_thin_part,
    rule_thin_wall,
    rule_thread_depth,
    rule_wall_height,
)
from estimator.models import RuleCheck, ScaleUpWarning, Severity
from estimator.rule_context import Found, RuleContext, Verdict, verdict
from estimator.tolerances import general_band_mm, general_class


def rule_tight_tolerance(ctx: RuleContext) -> Verdict:
    """Zone under tight_band_major_mm: major; under tight_band_critical_mm: critical. Prices relaxing."""
    rules = ctx.card.rules
    threshold = f"zone < {rules.tight_band_major_mm:g} mm (critical < {rules.tight_band_critical_mm:g} mm)"
    tightest = min((t.band_mm for t in ctx.spec.tolerances), default=None)
    value = "no toleranced sizes" if tightest is None else f"tightest zone {tightest:g} mm"
    tight = [t for t in ctx.spec.tolerances if t.band_mm < rules.tight_band_major_mm]
    if not tight:
        return verdict("tight_tolerance", "tolerances the process holds", threshold=threshold, value=value)
    worst = min(tight, key=lambda t: t.band_mm)
    critical = worst.band_mm < rules.tight_band_critical_mm
    letter = general_class(ctx.spec.general_tolerance, ctx.card)
    relaxed = tuple(
        t if t.band_mm >= rules.tight_band_major_mm
        else t.model_copy(update={"band_mm": general_band_mm(t.nominal_mm, letter, ctx.card)})
        for t in ctx.spec.tolerances
    )
    saved = ctx.saved(ctx.spec.model_copy(update={"tolerances": relaxed}))
    limit = rules.tight_band_critical_mm if critical else rules.tight_band_major_mm
    process = "grinding or jig boring and CMM inspection" if critical else "finishing passes and in-process gauging"
    return verdict(
        "tight_tolerance", "tolerances the process holds", threshold=threshold, value=value, saving=saved,
        severity=Severity.CRITICAL if critical else Severity.MAJOR,
        message=(
            f"{len(tight)} toleranced size(s) with a zone under {limit:g} mm (tightest {worst.label!r}, "
            f"{worst.band_mm:g} mm): needs {process}. Relax to ISO 2768-{letter} where the function allows"
            f"{ctx.saving_text(saved)}"
        ),
    )


def rule_fine_general_tolerance(ctx: RuleContext) -> Verdict:
    """ISO 2768-f at production quantity: major, with the saving of ISO 2768-m."""
    letter = general_class(ctx.spec.general_tolerance, ctx.card)
    production = ctx.card.rules.production_quantity
    args: Found = {"threshold": f"ISO 2768-f at {production} pcs or more",
            "value": f"ISO 2768-{letter} at {ctx.quantity} pcs"}
    if letter != "f" or ctx.quantity < production:
        return verdict("fine_general_tolerance", "general tolerance on a production run", **args)
    saved = ctx.saved(ctx.spec.model_copy(update={"general_tolerance": "ISO 2768-m"}))
    return verdict(
        "fine_general_tolerance", "general tolerance on a production run", **args, severity=Severity.MAJOR,
        saving=saved,
        message=(
            f"general tolerance ISO 2768-f on {ctx.quantity} pcs (production from {production}): every "
            f"untoleranced size is held fine. ISO 2768-m comes off the machine at no extra cost"
            f"{ctx.saving_text(saved)}"
        ),
    )


def rule_fine_roughness(ctx: RuleContext) -> Verdict:
    """Ra finer than fine_roughness_ra_um: minor, with the saving of the card's as-machined Ra 3.2."""
    limit, ra = ctx.card.rules.fine_roughness_ra_um, ctx.spec.roughness_ra_um
    args: Found = {"threshold": f"Ra < {limit:g} µm", "value": "as machined" if ra is None else f"Ra {ra:g} µm"}
    if ra is None or ra >= limit:
        return verdict("fine_roughness", "surface roughness", **args)
    saved = ctx.saved(ctx.spec.model_copy(update={"roughness_ra_um": None}))
    return verdict(
        "fine_roughness", "surface roughness", **args, severity=Severity.MINOR, saving=saved,
        message=(f"Ra {ra:g} µm (finer than Ra {limit:g}): extra finishing passes or polishing; call it out on "
                 f"functional faces only and leave the rest as machined (Ra 3.2){ctx.saving_text(saved)}"),
    )


def rule_material_availability(ctx: RuleContext) -> Verdict:
    """Slow to source or expensive per kg: minor."""
    mat, rules, cur = ctx.facts.material, ctx.card.rules, ctx.card.currency
    args: Found = {
        "threshold": f"sourcing ≥ {rules.slow_sourcing_days} days or ≥ {rules.expensive_material_per_kg} {cur}/kg",
        "value": f"{mat.lead_days} days, {mat.price_per_kg} {cur}/kg",
    }
    notes = []
    if mat.lead_days >= rules.slow_sourcing_days:
        notes.append(f"sourcing takes {mat.lead_days} working days")
    if mat.price_per_kg >= rules.expensive_material_per_kg:
        notes.append(f"stock costs {mat.price_per_kg} {cur}/kg")
    if not notes:
        return verdict("material_availability", "material cost and availability", **args)
    return verdict(
        "material_availability", "material cost and availability", **args, severity=Severity.MINOR,
        message=f"{mat.name}: {' and '.join(notes)}; order stock with the PO or offer an alternative alloy",
    )


def rule_default_material(ctx: RuleContext) -> Verdict:
    """The caller assumed the material (an assumption mentions it): major."""
    assumed = [a for a in ctx.spec.assumptions if "material" in a.lower()]
    args: Found = {"threshold": "material given on the drawing or in the thread",
            "value": assumed[0] if assumed else "given"}
    if not assumed:
        return verdict("material_assumed", "material stated", **args)
    return verdict("material_assumed", "material stated", **args, severity=Severity.MAJOR,
                   message=f"material not confirmed ({assumed[0]}); priced as {ctx.facts.material.name}")


def rule_missing_general_tolerance(ctx: RuleContext) -> Verdict:
    """No general tolerance given: minor, the card's default is priced."""
    given = ctx.spec.general_tolerance
    args: Found = {"threshold": "a general tolerance on the drawing", "value": given or "none"}
    if given is not None:
        return verdict("general_tolerance_assumed", "general tolerance stated", **args)
    return verdict("general_tolerance_assumed", "general tolerance stated", **args, severity=Severity.MINOR,
                   message=f"no general tolerance on the drawing; priced as {ctx.card.default_general_tolerance}")


def rule_many_setups(ctx: RuleContext) -> Verdict:
    """More setups than many_setups_minor: minor; than many_setups_major: major. Prices fewer."""
    rules = ctx.card.rules
    args: Found = {"threshold": f"> {rules.many_setups_minor} setups (major > {rules.many_setups_major})",
            "value": f"{ctx.spec.setups} setups"}
    if ctx.spec.setups <= rules.many_setups_minor:
        return verdict("many_setups", "number of setups", **args)
    saved = ctx.saved(ctx.spec.model_copy(update={"setups": rules.many_setups_minor}))
    return verdict(
        "many_setups", "number of setups", **args, saving=saved,
        severity=Severity.MAJOR if ctx.spec.setups > rules.many_setups_major else Severity.MINOR,
        message=(f"{ctx.spec.setups} setups (over {rules.many_setups_minor}): each adds a clamping, a fixture and "
                 f"positional error; design for {rules.many_setups_minor} or fewer{ctx.saving_text(saved)}"),
    )


def rule_near_net_process(ctx: RuleContext) -> Verdict:
    """The material's near-net process costs less than CNC at the reference quantity (tooling included)."""
    nn, cur = ctx.near_net, ctx.card.currency
    if nn is None:
        return verdict("near_net_process", "near-net process at volume", threshold="tooling break-even",
                       value="no near-net process for this material on the card")
    even = f"{nn.break_even_quantity} pcs" if nn.break_even_quantity else "none up to 1,000,000 pcs"
    args: Found = {"threshold": f"break-even {even}", "value": f"{ctx.quantity} pcs"}
    if not nn.wins:
        return verdict("near_net_process", "near-net process at volume", **args)
    saved = nn.cnc_unit_price - nn.unit_price
    return verdict(
        "near_net_process", "near-net process at volume", **args, severity=Severity.MAJOR, saving=saved,
        message=(f"{nn.name} wins from {even} (tooling {nn.tooling:,.0f} {cur}): {nn.unit_price} vs CNC "
                 f"{nn.cnc_unit_price} {cur} per part at {ctx.quantity} pcs; ask for a quote (alloy or grade "
                 f"change and draft angles to agree)"),
    )


def rule_revision_at_volume(ctx: RuleContext) -> Verdict:
    """A drawing revision at production quantity: CAM and fixtures are tied to it."""
    production = ctx.card.rules.production_quantity
    args: Found = {"threshold": f"a revision at {production} pcs or more",
            "value": f"revision {ctx.spec.revision or 'none'} at {ctx.quantity} pcs"}
    if not ctx.spec.revision or ctx.quantity < production:
        return verdict("revision_control", "revision control at volume", **args)
    return verdict(
        "revision_control", "revision control at volume", **args, severity=Severity.MINOR,
        message=(f"production quantity on revision {ctx.spec.revision}: CAM and fixtures are made for this "
                 "revision; confirm it is frozen, a later change repeats those one-off costs"),
    )


RULES: tuple[Callable[[RuleContext], Verdict], ...] = (
    rule_tight_tolerance,
    rule_fine_general_tolerance,
    rule_fine_roughness,
    rule_deep_holes,
    rule_thread_depth,
    rule_non_standard_thread,
    rule_thin_wall,
    rule_wall_height,
    rule_internal_radius,
    rule_large_part,
    rule_thin_part,
    rule_material_availability,
    rule_default_material,
    rule_missing_general_tolerance,
    rule_many_setups,
    rule_near_net_process,
    rule_revision_at_volume,
)


def check_scale_up(ctx: RuleContext) -> tuple[tuple[ScaleUpWarning, ...], tuple[RuleCheck, ...]]:
    """Run every rule in RULES order.

    Args:
        ctx: the part, the card and the reference quantity.

    Returns:
        The warnings that fired, most severe first (stable within a severity), and every check in RULES order.
    """
    verdicts = [rule(ctx) for rule in RULES]
    rank = {Severity.CRITICAL: 0, Severity.MAJOR: 1, Severity.MINOR: 2}
    fired = sorted((v.warning for v in verdicts if v.warning is not None), key=lambda w: rank[w.severity])
    return tuple(fired), tuple(v.check for v in verdicts)
