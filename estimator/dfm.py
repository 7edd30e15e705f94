"""Geometry scale-up rules (holes, threads, walls, radii, part size), each returning a Verdict. Pure."""

from __future__ import annotations

import re

from estimator.models import HoleFeature, Severity
from estimator.rates import RateCard
from estimator.rule_context import Found, RuleContext, Verdict, verdict

_METRIC = re.compile(r"^M(\d+(?:\.\d+)?)(?:\s*[xX×]\s*(\d+(?:\.\d+)?))?(?:\s*-\s*\d[A-Za-z]{1,2})?$")
_UNIFIED = re.compile(r"^(#?\d+(?:/\d+)?)\s*-\s*(\d+)(?:\s*(?:UNC|UNF|UNEF)(?:\s*-?\s*\d[AB])?)?$", re.IGNORECASE)


def is_standard_thread(designation: str, card: RateCard) -> bool:
    """Whether the card's stock taps cut a thread ("M6x1-6H", "M8", "1/4-20 UNC").

    Args:
        designation: the thread as printed.
        card: the rate card ([threads]).

    Returns:
        True for a listed metric size and pitch (no pitch: the coarse one) or a listed unified thread.
    """
    text = designation.strip()
    if m := _METRIC.match(text):
        pitches = card.threads.metric.get(f"{float(m.group(1)):g}")
        return pitches is not None and (m.group(2) is None or float(m.group(2)) in pitches)
    if m := _UNIFIED.match(text):
        return f"{m.group(1).lstrip('#')}-{m.group(2)}" in card.threads.unified
    return False


def _thread_ratio(hole: HoleFeature) -> float:
    return hole.thread_depth_mm / hole.diameter_mm if hole.thread_depth_mm and hole.diameter_mm > 0 else 0.0


def rule_deep_holes(ctx: RuleContext) -> Verdict:
    """Hole depth over 4 x D: minor (peck drilling); over 10 x D: major (gun drilling)."""
    ratios = ctx.card.cutting.deep_hole_ratio
    worst = 0.0
    for hole in ctx.spec.holes:
        depth = hole.depth_mm if hole.depth_mm is not None else ctx.spec.envelope_mm.z
        if hole.diameter_mm > 0:
            worst = max(worst, depth / hole.diameter_mm)
    args: Found = {"threshold": f"depth > {ratios['peck']:g} x D (major > {ratios['gun']:g} x D)",
            "value": f"{worst:.1f} x D" if ctx.spec.holes else "no holes"}
    if worst <= ratios["peck"]:
        return verdict("deep_hole", "hole depth : diameter", **args)
    gun = worst > ratios["gun"]
    return verdict(
        "deep_hole", "hole depth : diameter", **args, severity=Severity.MAJOR if gun else Severity.MINOR,
        message=(f"hole depth {worst:.1f} x diameter (over {ratios['gun' if gun else 'peck']:g} x D): "
                 + ("gun drilling or drilling from both sides" if gun else "peck drilling, slower cycle")
                 + "; a larger diameter or a shallower hole is cheaper"),
    )


def rule_thread_depth(ctx: RuleContext) -> Verdict:
    """A thread tapped deeper than max_depth_ratio x D: minor (engagement beyond it adds no strength)."""
    limit = ctx.card.threads.max_depth_ratio
    threaded = [h for h in ctx.spec.holes if h.threaded]
    worst = max(threaded, key=_thread_ratio, default=None)
    ratio = _thread_ratio(worst) if worst else 0.0
    value = "no threads" if not threaded else (f"{ratio:.1f} x D" if ratio else "depth not given")
    args: Found = {"threshold": f"thread depth > {limit:g} x D", "value": value}
    if worst is None or ratio <= limit:
        return verdict("thread_depth", "thread depth", **args)
    variant = ctx.spec.model_copy(update={"holes": tuple(
        h.model_copy(update={"thread_depth_mm": limit * h.diameter_mm}) if _thread_ratio(h) > limit else h
        for h in ctx.spec.holes)})
    saved = ctx.saved(variant)
    return verdict(
        "thread_depth", "thread depth", **args, severity=Severity.MINOR, saving=saved,
        message=(f"{worst.thread or 'thread'} tapped {ratio:.1f} x D deep (over {limit:g} x D): engagement beyond "
                 f"{limit:g} x D adds no strength and risks broken taps; shorten the thread{ctx.saving_text(saved)}"),
    )


def rule_non_standard_thread(ctx: RuleContext) -> Verdict:
    """A thread the stock taps do not cut: major (special tap or thread milling, tooling lead time)."""
    named = [h.thread for h in ctx.spec.holes if h.threaded and h.thread]
    odd = [t for t in named if not is_standard_thread(t, ctx.card)]
    args: Found = {"threshold": "metric coarse / listed fine pitches, UNC/UNF #2–1/2 in",
            "value": ", ".join(odd or named) or "no threads named"}
    if not odd:
        return verdict("non_standard_thread", "standard threads", **args)
    return verdict(
        "non_standard_thread", "standard threads", **args, severity=Severity.MAJOR,
        message=(f"non-standard thread(s) {', '.join(odd)}: a special tap or thread milling, with tooling lead "
                 "time; use a standard ISO metric coarse or UNC/UNF size where the design allows"),
    )


def rule_thin_wall(ctx: RuleContext) -> Verdict:
    """Wall under the material's production minimum: major; under its prototype minimum: critical."""
    mat, wall = ctx.facts.material, ctx.spec.min_wall_mm
    if mat.min_wall_mm is None:
        return verdict("thin_wall", "minimum wall", threshold="no minimum on the card for this material",
                       value="none" if wall is None else f"{wall:g} mm")
    proto = mat.min_wall_prototype_mm or mat.min_wall_mm
    args: Found = {"threshold": f"< {mat.min_wall_mm:g} mm (critical < {proto:g} mm) in {mat.name}",
            "value": "not given" if wall is None else f"{wall:g} mm"}
    if wall is None or wall >= mat.min_wall_mm:
        return verdict("thin_wall", "minimum wall", **args)
    critical = wall < proto
    return verdict(
        "thin_wall", "minimum wall", **args, severity=Severity.CRITICAL if critical else Severity.MAJOR,
        message=(f"{wall:g} mm wall in {mat.name} (production minimum {mat.min_wall_mm:g} mm, prototype "
                 f"{proto:g} mm): chatters and deflects; light passes, support or a thicker wall"),
    )


def rule_wall_height(ctx: RuleContext) -> Verdict:
    """Pocket depth over wall_height_ratio x the thinnest wall: major (tall thin walls)."""
    limit, wall, depth = ctx.card.rules.wall_height_ratio, ctx.spec.min_wall_mm, ctx.spec.max_pocket_depth_mm
    ratio = depth / wall if wall and depth else None
    args: Found = {"threshold": f"wall height > {limit:g} x thickness",
            "value": f"{ratio:.1f} x" if ratio is not None else "wall or pocket depth not given"}
    if ratio is None or ratio <= limit:
        return verdict("wall_height", "wall height : thickness", **args)
    return verdict(
        "wall_height", "wall height : thickness", **args, severity=Severity.MAJOR,
        message=(f"walls {depth:g} mm tall and {wall:g} mm thick ({ratio:.1f} : 1, over {limit:g} : 1): machined in "
                 "steps with light passes; thicken the wall or add ribs"),
    )


def rule_internal_radius(ctx: RuleContext) -> Verdict:
    """Internal radius under depth / ratio: major (long-reach small tool); under min_internal_radius_mm:
    critical (EDM)."""
    rules, radius, depth = ctx.card.rules, ctx.spec.min_internal_radius_mm, ctx.spec.max_pocket_depth_mm
    need = depth / rules.internal_radius_depth_ratio if depth else None
    args: Found = {"threshold": (f"R < pocket depth / {rules.internal_radius_depth_ratio:g} "
                          f"(critical R < {rules.min_internal_radius_mm:g} mm)"),
            "value": "not given" if radius is None else f"R{radius:g}" + (f" at {depth:g} mm deep" if depth else "")}
    if radius is None:
        return verdict("internal_radius", "internal radius against depth", **args)
    if radius < rules.min_internal_radius_mm:
        return verdict("internal_radius", "internal radius against depth", **args, severity=Severity.CRITICAL,
                       message=(f"internal radius R{radius:g} (under R{rules.min_internal_radius_mm:g}): needs EDM "
                                "or a sharp-corner relief; R1–R2 cuts with standard tools"))
    if need is None or radius >= need:
        return verdict("internal_radius", "internal radius against depth", **args)
    return verdict(
        "internal_radius", "internal radius against depth", **args, severity=Severity.MAJOR,
        message=(f"internal radius R{radius:g} in a {depth:g} mm deep pocket (under depth / "
                 f"{rules.internal_radius_depth_ratio:g} = R{need:.1f}): a long, slender tool at low feed; "
                 f"R{need:.1f} or larger cuts faster"),
    )


def rule_large_part(ctx: RuleContext) -> Verdict:
    """Stock over large_part_travel_fraction of the 3-axis travel: minor; beyond it: major."""
    machine = ctx.card.machines["mill_3axis"]
    stock = sorted((ctx.facts.stock.x, ctx.facts.stock.y, ctx.facts.stock.z))
    share = max(s / t for s, t in zip(stock, sorted(machine.travel_mm), strict=True))
    fraction = ctx.card.rules.large_part_travel_fraction
    args: Found = {"threshold": f"> {fraction:.0%} of the {machine.name} travel", "value": f"{share:.0%}"}
    if share <= fraction:
        return verdict("large_part", "part size against machine travel", **args)
    return verdict(
        "large_part", "part size against machine travel", **args,
        severity=Severity.MAJOR if share > 1 else Severity.MINOR,
        message=(f"stock uses {share:.0%} of the {machine.name} travel (limit {fraction:.0%}): fewer machines can "
                 "run it and fixturing is harder; check whether it can be split or made from thinner stock"),
    )


def rule_thin_part(ctx: RuleContext) -> Verdict:
    """Thinner than thin_part_mm with an aspect over thin_part_aspect: major (distortion)."""
    e, rules = ctx.spec.envelope_mm, ctx.card.rules
    thin, longest = min(e.x, e.y, e.z), max(e.x, e.y, e.z)
    args: Found = {"threshold": f"< {rules.thin_part_mm:g} mm thick and aspect > {rules.thin_part_aspect:g}",
            "value": f"{thin:g} mm, aspect {longest / thin:.0f}"}
    if thin >= rules.thin_part_mm or longest / thin <= rules.thin_part_aspect:
        return verdict("thin_part", "plate thickness against size", **args)
    return verdict(
        "thin_part", "plate thickness against size", **args, severity=Severity.MAJOR,
        message=(f"{thin:g} mm thick over {longest:g} mm (thinner than {rules.thin_part_mm:g} mm, aspect over "
                 f"{rules.thin_part_aspect:g}): distorts when clamped and machined; needs a vacuum or glue "
                 "fixture, or consider laser cutting"),
    )
