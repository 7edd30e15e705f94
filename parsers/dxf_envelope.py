"""Part envelope from DXF geometry: extents of the largest view, depth from a second view."""

from __future__ import annotations

import math
import re
from typing import Any

from ezdxf import bbox
from ezdxf.lldxf.const import DXFError

from parsers.models import IssueCode, ParseIssue

_GEOMETRY = frozenset(
    {"LINE", "ARC", "CIRCLE", "ELLIPSE", "LWPOLYLINE", "POLYLINE", "SPLINE", "INSERT", "SOLID"}
)
# Annotation, sheet and construction layers; centre lines overshoot the part, so they go too.
_NOT_PART_LAYER = re.compile(
    r"DIM|TEXT|TITLE|BORDER|FRAME|RAHMEN|SCHRIFT|HATCH|VIEWPORT|DEFPOINTS|NOTE|AUX|CONSTR|HILFS|CENT(ER|RE)"
    r"|AXIS|AXES|MITTEL|SYMM",
    re.I,
)
_NOT_PART_LINETYPE = re.compile(r"CENT(ER|RE)|DASHDOT|PHANTOM|DIVIDE|BORDER", re.I)
_NOT_PART_BLOCK = re.compile(r"TITLE|BORDER|FRAME|RAHMEN|SCHRIFT|FORMAT|^A[0-4]\b|LOGO|SHEET|REVISION", re.I)
_SHEET_RATIOS = (math.sqrt(2), 11 / 8.5, 17 / 11, 22 / 17, 34 / 22)
_Box = tuple[float, float, float, float]


def _entity_box(entity: Any) -> _Box | None:
    kind = entity.dxftype()
    if kind not in _GEOMETRY or _NOT_PART_LAYER.search(str(entity.dxf.get("layer", ""))):
        return None
    if _NOT_PART_LINETYPE.search(str(entity.dxf.get("linetype", ""))):
        return None
    if kind == "INSERT" and (entity.attribs or _NOT_PART_BLOCK.search(str(entity.dxf.name))):
        return None
    if (
        kind == "INSERT"
        and (block := entity.block()) is not None
        and any(e.dxftype() in ("TEXT", "MTEXT", "ATTDEF") for e in block)
    ):
        return None  # symbols and labels (datum flags, surface marks), not part geometry
    try:
        ext = bbox.extents([entity], fast=True)
    except (DXFError, ValueError, TypeError, ZeroDivisionError, AttributeError):
        return None
    if not ext.has_data:
        return None
    return ext.extmin.x, ext.extmin.y, ext.extmax.x, ext.extmax.y


def _cluster(boxes: list[_Box], gap: float) -> list[_Box]:
    """Merge boxes closer than ``gap`` into groups (sweep over x), returning the groups' boxes."""
    parent = list(range(len(boxes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(boxes)), key=lambda i: boxes[i][0])
    active: list[int] = []
    for i in order:
        x0, y0, x1, y1 = boxes[i]
        active = [j for j in active if boxes[j][2] + gap >= x0]
        for j in active:
            if boxes[j][1] - gap <= y1 and y0 <= boxes[j][3] + gap:
                parent[find(i)] = find(j)
        active.append(i)
    groups: dict[int, _Box] = {}
    for i, box in enumerate(boxes):
        root = find(i)
        old = groups.get(root, box)
        groups[root] = (min(old[0], box[0]), min(old[1], box[1]), max(old[2], box[2]), max(old[3], box[3]))
    return list(groups.values())


def _contains(outer: _Box, inner: _Box) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _size(box: _Box) -> tuple[float, float]:
    return box[2] - box[0], box[3] - box[1]


def _span(boxes: list[_Box]) -> float:
    return max(
        max(b[2] for b in boxes) - min(b[0] for b in boxes),
        max(b[3] for b in boxes) - min(b[1] for b in boxes),
    )


def _without_frame_entities(items: list[tuple[str, _Box]]) -> list[tuple[str, _Box]]:
    """Drop sheet frames drawn as one closed outline around the views (largest first, nested frames too)."""
    ordered = sorted(items, key=lambda item: -_size(item[1])[0] * _size(item[1])[1])
    while len(ordered) > 2 and ordered[0][0] in ("LWPOLYLINE", "POLYLINE"):
        frame, rest = ordered[0][1], ordered[1:]
        inside = [b for _, b in rest if _contains(frame, b)]
        if len(inside) < 0.95 * len(rest) or all(kind in ("CIRCLE", "ARC") for kind, _ in rest):
            break
        groups = [
            g for g in _cluster(inside, 0.03 * max(_size(frame))) if max(_size(g)) >= 0.05 * max(_size(frame))
        ]
        if not _is_sheet_frame(frame, [frame, *groups]):
            break
        ordered = rest
    return ordered


def _is_sheet_frame(box: _Box, others: list[_Box]) -> bool:
    width, height = _size(box)
    if min(width, height) <= 0:
        return False
    ratio = max(width, height) / min(width, height)
    inside = [o for o in others if o is not box and _contains(box, o)]
    return len(inside) >= 2 and any(abs(ratio - r) / r < 0.02 for r in _SHEET_RATIOS)


def extract_envelope(
    doc: Any, *, thickness: float | None
) -> tuple[tuple[float, float, float | None] | None, int | None, list[ParseIssue]]:
    """Overall part size from model-space geometry.

    Geometry is grouped into views by empty space; a sheet frame (a group enclosing the others with a
    paper-size aspect ratio) is dropped and groups nested in another group join it. The largest view
    gives x and y; a second view beside it gives z (its width), or above/below it (its height).

    Args:
        doc: the ezdxf document.
        thickness: a thickness from the notes (drawing units), used as z for single-view drawings.

    Returns:
        ((x, y, z) in drawing units or None, number of views or None, issues).
    """
    items = [(e.dxftype(), b) for e in doc.modelspace() if (b := _entity_box(e)) is not None]
    items = _without_frame_entities(items)
    boxes = [b for _, b in items]
    if not boxes:
        return None, None, []
    every = _cluster(boxes, 0.0)
    span = _span(every)
    groups = _cluster(boxes, 0.03 * span)
    groups = [g for g in groups if not _is_sheet_frame(g, groups)] or groups
    groups = [g for g in groups if not any(o is not g and _contains(o, g) for o in groups)]
    biggest = max(max(_size(g)) for g in groups)
    views = sorted(
        (g for g in groups if max(_size(g)) >= 0.2 * biggest), key=lambda g: -_size(g)[0] * _size(g)[1]
    )
    front = views[0]
    x, y = _size(front)
    z: float | None = None
    issues: list[ParseIssue] = []
    if len(views) >= 2:
        other = views[1]
        beside = other[1] < front[3] and front[1] < other[3]
        z = _size(other)[0] if beside else _size(other)[1]
    elif thickness is not None:
        z = thickness
    else:
        issues.append(
            ParseIssue(
                code=IssueCode.NO_THICKNESS,
                detail="one view and no thickness note: the part's depth is unknown",
            )
        )
    return (round(x, 6), round(y, 6), None if z is None else round(z, 6)), len(views), issues
