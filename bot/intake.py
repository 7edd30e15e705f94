"""ParsedDrawing + what the thread said -> PartSpec, or the list of things we must ask first."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from estimator import HoleFeature, PartSpec, RateCard, Size3, ToleranceFeature, find_material
from parsers import DimensionKind, IssueCode, ParsedDrawing

# Share of the stock envelope machined away when only a 2D drawing is known: a typical
# pocketed bracket. Stated in every quote that uses it.
DEFAULT_REMOVED_FRACTION = 0.5


@dataclass(frozen=True)
class Answers:
    """What the thread has told us besides the drawings."""

    quantities: tuple[int, ...] = ()
    material: str | None = None
    finish: str | None = None
    thickness_mm: float | None = None


@dataclass(frozen=True)
class Intake:
    spec: PartSpec | None
    needs: tuple[str, ...]


def part_name(drawing: ParsedDrawing) -> str:
    rev = f" rev {drawing.revision}" if drawing.revision else ""
    return f"{drawing.part_number or drawing.file}{rev}"


def build_part_spec(
    drawing: ParsedDrawing, answers: Answers, card: RateCard, *, ask_material: bool = True
) -> Intake:
    """Turn one drawing and the thread's answers into a PartSpec.

    Args:
        drawing: what the parser read.
        answers: quantities, material, finish and thickness given in the thread (thickness in mm).
        card: the rate card (material names, defaults).
        ask_material: when True and neither drawing nor thread names a material, "material" is asked
            (the caller passes False once it has asked); otherwise the card's default is assumed and stated.

    Returns:
        An Intake with a spec, or with the needs (``quantity``, ``material``, ``thickness``,
        ``dimensions``) that block pricing. Quantity alone never blocks building the spec.
    """
    needs: list[str] = []
    assumptions: list[str] = []
    if not answers.quantities:
        needs.append("quantity")

    material = answers.material or (find_material(card, drawing.material) if drawing.material else None)
    if material is not None and not answers.material and drawing.material and not _same_grade(
        drawing.material, material, card
    ):
        assumptions.append(
            f"material {drawing.material!r} priced as {card.materials[material].name}, the closest on our rate card"
        )
    if material is None:
        if drawing.material:
            assumptions.append(
                f"material {drawing.material!r} on the drawing is not in our rate card; "
                f"priced as {card.default_material}"
            )
        elif ask_material:
            needs.append("material")
        else:
            assumptions.append(f"material: {card.default_material} (the drawing does not say)")
        material = card.default_material

    scale = drawing.mm_per_unit
    if drawing.units is None:
        assumptions.append("units: millimetres (the drawing does not say)")

    if is_not_a_drawing(drawing):
        needs.append("drawing")
        return Intake(spec=None, needs=tuple(needs))
    if is_unreliable_scan(drawing):
        needs.append("vector")
        return Intake(spec=None, needs=tuple(needs))
    envelope = drawing.envelope
    if envelope is None or not (_measured(envelope.x) and _measured(envelope.y)):
        needs.append("dimensions")  # no outline read, or one without area (a single line)
        return Intake(spec=None, needs=tuple(needs))

    z_mm = envelope.z * scale if envelope.z is not None and _measured(envelope.z) else None
    if z_mm is None and drawing.thickness:
        z_mm = drawing.thickness * scale
        assumptions.append(f"thickness {drawing.thickness:g} from the drawing's note")
    if z_mm is None and answers.thickness_mm:
        z_mm = answers.thickness_mm
    if z_mm is None:
        needs.append("thickness")
        return Intake(spec=None, needs=tuple(needs))

    general = drawing.general_tolerance
    if general is None:
        general = card.default_general_tolerance
        assumptions.append(f"general tolerance: {general} (none printed)")
    setups = 2 if (drawing.views or 1) >= 2 else 1
    assumptions.append(
        f"{setups} setup{'s' if setups > 1 else ''} (from {drawing.views or 1} view"
        f"{'s' if (drawing.views or 1) > 1 else ''} on the drawing)"
    )
    assumptions.append(
        f"removed volume: {DEFAULT_REMOVED_FRACTION:.0%} of the stock envelope (estimated from a 2D drawing)"
    )
    finish = answers.finish or drawing.finish
    size = Size3(x=envelope.x * scale, y=envelope.y * scale, z=z_mm)
    turned = _turned_size(drawing, size)
    if turned is not None:
        size = turned
        assumptions.append(
            f"turned part: Ø{turned.x:g} × {turned.z:g} mm from bar (diameters dominate the drawing)"
        )
    radius = drawing.smallest_internal_radius
    roughness = min((r.ra_um for r in drawing.roughness), default=None)
    spec = PartSpec(
        name=part_name(drawing),
        file=drawing.file,
        part_number=drawing.part_number,
        revision=drawing.revision,
        material=material,
        envelope_mm=size,
        turned=turned is not None,
        roughness_ra_um=roughness,
        min_internal_radius_mm=radius * scale if radius else None,
        removed_fraction=DEFAULT_REMOVED_FRACTION,
        # on a turned part the diameters and threads are outside ones, not holes to drill and tap
        holes=() if turned is not None else _holes(drawing),
        tolerances=_tolerances(drawing),
        general_tolerance=general,
        setups=setups,
        finish=None if finish and finish.lower().startswith("as machined") else finish,
        feature_count=len(drawing.dimensions),
        quantities=answers.quantities,
        assumptions=tuple(assumptions),
    )
    return Intake(spec=spec, needs=tuple(needs))


# Below this share of confident callouts a scan is not priced: never a confident wrong tolerance.
MIN_CONFIDENT_SHARE = 0.5
LOW_CONFIDENCE = 0.7


def is_unreliable_scan(drawing: ParsedDrawing) -> bool:
    """A scanned (OCR) sheet whose callouts are mostly low confidence, or that has none at all."""
    scanned = any(i.code in (IssueCode.OCR, IssueCode.NO_TEXT_LAYER, IssueCode.OCR_UNAVAILABLE)
                  for i in drawing.issues)
    if not scanned:
        return False
    confident = sum(1 for d in drawing.dimensions if d.confidence >= LOW_CONFIDENCE)
    return not drawing.dimensions or confident < MIN_CONFIDENT_SHARE * len(drawing.dimensions)


def is_not_a_drawing(drawing: ParsedDrawing) -> bool:
    return any(i.code is IssueCode.NOT_A_DRAWING for i in drawing.issues)


def _holes(drawing: ParsedDrawing) -> tuple[HoleFeature, ...]:
    holes = []
    for d in drawing.dimensions:
        if d.kind is DimensionKind.THREAD:
            holes.append(HoleFeature(diameter_mm=d.nominal_mm, count=d.count, threaded=True, thread=d.thread))
        elif d.kind is DimensionKind.DIAMETER and d.nominal_mm <= 50:
            holes.append(HoleFeature(diameter_mm=d.nominal_mm, count=d.count))
    return tuple(holes)


def _tolerances(drawing: ParsedDrawing) -> tuple[ToleranceFeature, ...]:
    return tuple(
        ToleranceFeature(nominal_mm=d.nominal_mm, band_mm=d.tolerance_band_mm, label=d.text)
        for d in drawing.dimensions
        if d.tolerance_band_mm is not None and d.kind is not DimensionKind.ANGULAR
    )


def _turned_size(drawing: ParsedDrawing, size: Size3) -> Size3 | None:
    """A round envelope (Ø x Ø x length, in mm) when the part is a turned one, else None.

    Turned: at least two diameter callouts, the largest of them matches the two equal sides of the
    envelope (a shaft drawn in one view has those from its diameter), and the third side is the length.
    """
    diameters = [d.nominal_mm for d in drawing.dimensions if d.kind is DimensionKind.DIAMETER and d.count == 1]
    if len(diameters) < 2:
        return None
    x, y, z = sorted((size.x, size.y, size.z))
    largest = max(diameters)
    if abs(x - y) <= 0.02 * y and largest >= 0.95 * y:
        return Size3(x=y, y=y, z=z)
    return None


def _same_grade(printed: str, key: str, card: RateCard) -> bool:
    """False when the drawing names a grade number (1045, 7075) that the matched material does not carry."""
    grades = set(re.findall(r"\d{3,4}", printed))
    if not grades:
        return True
    names = " ".join((key, card.materials[key].name, *card.materials[key].aliases))
    return bool(grades & set(re.findall(r"\d{3,4}", names)))


def _measured(value: float | None) -> bool:
    """A size a part can have: positive and finite (a drawing of a single line measures 0 across)."""
    return value is not None and 0 < value < math.inf
