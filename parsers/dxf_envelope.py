"""Part envelope from DXF geometry: extents of the largest view, depth from a second view."""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ezdxf import bbox
from ezdxf.lldxf.const import DXFError

from parsers.models import IssueCode, ParseIssue

_GEOMETRY = frozenset({"LINE", "ARC", "CIRCLE", "ELLIPSE", "LWPOLYLINE", "POLYLINE", "SPLINE", "INSERT", "SOLID"})
# Annotation, sheet and construction layers; centre lines overshoot the part, so they go too.
_NOT_PART_LAYER = re.compile(
    r"DIM|TEXT|TITLE|BORDER|FRAME|RAHMEN|SCHRIFT|HATCH|VIEWPORT|DEFPOINTS|NOTE|AUX|CONSTR|HILFS|CENT(ER|RE)"
    r"|AXIS|AXES|MITTEL|SYMM",
    re.I,
)
_NOT_PART_LINETYPE = re.compile(r"CENT(ER|RE)|DASHDOT|PHANTOM|DIVIDE|BORDER", re.I)
_NOT_PART_BLOCK = re.compile(r"TITLE|BORDER|FRAME|RAHMEN|SCHRIFT|FORMAT|^A[0-4]\b|LOGO|SHEET|REVISION", re.I)
_SHEET_RATIOS = (math.sqrt(2), 11 / 8.5, 17 / 11, 22 / 17, 34 / 22)
# ezdxf measures an INSERT by expanding it: every array copy (MINSERT rows x columns) of every entity of
# its block, nested blocks too. Past this many virtual entities the INSERT is not measured: a 1000 x 1000
# array of a symbol, or a block that inserts itself, would take minutes (or forever) for no part geometry.
_MAX_EXPANDED_ENTITIES = 100_000
_MAX_BLOCK_DEPTH = 8
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
    if (box := _flat_box(entity, kind)) is not None:
        return box
    if kind == "INSERT" and _expanded_entities(entity) > _MAX_EXPANDED_ENTITIES:
        return None
    try:
        ext = bbox.extents([entity], fast=True)
    except (DXFError, ValueError, TypeError, ZeroDivisionError, AttributeError):
        return None
    if not ext.has_data:
        return None
    return ext.extmin.x, ext.extmin.y, ext.extmax.x, ext.extmax.y


def _flat_box(entity: Any, kind: str) -> _Box | None:
    """The box ezdxf's fast extents give a LINE or a flat CIRCLE, computed directly (the same floats, a
    fraction of the time); None for anything else."""
    if kind == "LINE":
        (x0, y0, _), (x1, y1, _) = entity.dxf.start, entity.dxf.end
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
    if kind == "CIRCLE" and entity.dxf.radius > 0 and tuple(entity.dxf.extrusion) == (0.0, 0.0, 1.0):
        (x, y, _), r = entity.dxf.center, entity.dxf.radius
        return x - r, y - r, x + r, y + r
    return None


def _expanded_entities(insert: Any, outer: tuple[str, ...] = ()) -> int:
    """How many virtual entities ezdxf creates to measure an INSERT (more than the limit when it never ends)."""
    name = str(insert.dxf.get("name", ""))
    too_many = _MAX_EXPANDED_ENTITIES + 1
    if name in outer or len(outer) >= _MAX_BLOCK_DEPTH:
        return too_many  # a block inserting itself, directly or through others
    block = insert.block()
    inner = 0
    for entity in block if block is not None else ():
        inner += _expanded_entities(entity, (*outer, name)) if entity.dxftype() == "INSERT" else 1
        if inner >= too_many:
            break
    return min(too_many, max(1, int(insert.mcount)) * max(1, inner))


@dataclass(frozen=True)
class _Group:
    box: _Box
    kinds: frozenset[str]

    @property
    def outline_only(self) -> bool:
        """Only circles and arcs: holes and bosses, never a view's outline or a sheet's lines."""
        return self.kinds <= {"CIRCLE", "ARC"}


def _cluster(items: list[tuple[str, _Box]], gap: float, *, sweep_max: int = 2000) -> list[_Group]:
    """Merge boxes closer than ``gap`` into groups (union-find).

    Two boxes are close when the gap between them, along x and along y, is at most ``gap``. Up to
    ``sweep_max`` boxes are paired by a sweep along x; more are paired through a grid of ``gap``-sized
    cells, which finds the same groups in time linear in the number of boxes (``_grid_pairs``).
    """
    boxes = [b for _, b in items]
    parent = list(range(len(boxes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    if len(boxes) <= sweep_max or not _grid_pairs(boxes, gap, union=union, find=find):
        _sweep_pairs(boxes, gap, union=union)
    merged: dict[int, tuple[_Box, set[str]]] = {}
    for i, (kind, box) in enumerate(items):
        old, kinds = merged.get(find(i), (box, set()))
        kinds.add(kind)
        merged[find(i)] = (_union(old, box), kinds)
    return [_Group(box, frozenset(kinds)) for box, kinds in merged.values()]


def _sweep_pairs(boxes: list[_Box], gap: float, *, union: Callable[[int, int], None]) -> None:
    """Union every close pair, sweeping along x (quadratic when many boxes overlap in x)."""
    active: list[int] = []
    for i in sorted(range(len(boxes)), key=lambda i: boxes[i][0]):
        x0, y0, _, y1 = boxes[i]
        active = [j for j in active if boxes[j][2] + gap >= x0]
        for j in active:
            if boxes[j][1] <= y1 + gap and y0 <= boxes[j][3] + gap:
                union(i, j)
        active.append(i)


# Cells are a hair smaller than the gap: two boxes touching one cell are always close, and two close
# boxes touch cells at most two apart along each axis.
_CELL = 1 - 1e-6
_FORWARD = [(dc, dr) for dc in range(3) for dr in range(-2, 3) if dc > 0 or dr > 0]


def _grid_pairs(
    boxes: list[_Box], gap: float, *, union: Callable[[int, int], None], find: Callable[[int], int]
) -> bool:
    """Union the same close pairs as ``_sweep_pairs`` through a grid of cells; False when it cannot.

    Each box is filed under every cell it touches; boxes sharing a cell are close, so each cell is one
    group. Two nearby cells are joined when some box of one is close to some box of the other: along a
    row or a column that is one comparison of extremes, diagonally it is a dominance test over sorted
    corners. The grid needs a gap that is not vanishingly small against the coordinates.
    """
    if not boxes or not math.isfinite(gap) or gap <= 0:
        return False
    x_min, y_min = min(b[0] for b in boxes), min(b[1] for b in boxes)
    reach = max(max(abs(b[0]), abs(b[1]), abs(b[2]), abs(b[3])) for b in boxes)
    if not math.isfinite(reach) or reach > 1e8 * gap:
        return False
    size = gap * _CELL
    cells: dict[tuple[int, int], list[int]] = {}
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        c0, c1 = int((x0 - x_min) / size), int((x1 - x_min) / size)
        r0, r1 = int((y0 - y_min) / size), int((y1 - y_min) / size)
        if (c1 - c0 + 1) * (r1 - r0 + 1) > 4 * len(boxes) + 10_000:
            return False  # a grid far finer than the drawing: the sweep is cheaper
        for c in range(c0, c1 + 1):
            for r in range(r0, r1 + 1):
                cells.setdefault((c, r), []).append(i)
    for members in cells.values():
        for j in members[1:]:
            union(j, members[0])
    for (c, r), members in cells.items():
        for dc, dr in _FORWARD:
            other = cells.get((c + dc, r + dr))
            if other is not None and find(members[0]) != find(other[0]) and _any_close(
                [boxes[i] for i in members], [boxes[i] for i in other], gap, dc=dc, dr=dr
            ):
                union(members[0], other[0])
    return True


def _any_close(first: list[_Box], second: list[_Box], gap: float, *, dc: int, dr: int) -> bool:
    """True when a box of ``first`` is close to a box of ``second``, whose cell lies ``dc`` columns right
    and ``dr`` rows up (0 <= dc, -2 <= dr <= 2) of the first's.

    Boxes in cells further right cannot start left of the first's boxes, so only "the second starts
    within ``gap`` of where the first ends" is left to test along x (and along y, up or down).
    """
    # Each test reads u(b) <= p(a): the second box b starts no further than gap past the first box a.
    tests: list[tuple[Callable[[_Box], float], Callable[[_Box], float]]] = []
    if dc > 0:
        tests.append((lambda b: b[0], lambda a: a[2] + gap))
    if dr > 0:
        tests.append((lambda b: b[1], lambda a: a[3] + gap))
    elif dr < 0:
        tests.append((lambda b: -(b[3] + gap), lambda a: -a[1]))
    if len(tests) == 1:
        (u, p), = tests
        return min(u(b) for b in second) <= max(p(a) for a in first)
    (u, p), (v, q) = tests
    ordered = sorted((u(b), v(b)) for b in second)
    starts = [s for s, _ in ordered]
    lowest = list(itertools.accumulate((w for _, w in ordered), min))
    for a in first:
        k = bisect.bisect_right(starts, p(a))
        if k and lowest[k - 1] <= q(a):
            return True
    return False


def _union(a: _Box, b: _Box) -> _Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def _contains(outer: _Box, inner: _Box) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def _size(box: _Box) -> tuple[float, float]:
    return box[2] - box[0], box[3] - box[1]


def _is_sheet_frame(frame: _Group, groups: list[_Group]) -> bool:
    """A paper-proportioned group around a drawn view (not just around holes, as a plate would be)."""
    width, height = _size(frame.box)
    if min(width, height) <= 0:
        return False
    ratio = max(width, height) / min(width, height)
    inside = [g for g in groups if g is not frame and _contains(frame.box, g.box)]
    return any(not g.outline_only for g in inside) and any(abs(ratio - r) / r < 0.02 for r in _SHEET_RATIOS)


def _without_frame_outlines(items: list[tuple[str, _Box]]) -> list[tuple[str, _Box]]:
    """Drop sheet frames drawn as one closed outline around everything (largest first, nested ones too)."""
    ordered = sorted(items, key=lambda item: -_size(item[1])[0] * _size(item[1])[1])
    while len(ordered) > 2 and ordered[0][0] in ("LWPOLYLINE", "POLYLINE"):
        frame = _Group(ordered[0][1], frozenset({ordered[0][0]}))
        rest = ordered[1:]
        if sum(_contains(frame.box, b) for _, b in rest) < 0.95 * len(rest):
            break
        if not _is_sheet_frame(frame, _cluster(rest, 0.03 * max(_size(frame.box)))):
            break
        ordered = rest
    return ordered


@dataclass(frozen=True)
class EnvelopeResult:
    """The part size (drawing units), the views it came from and how it was decided."""

    size: tuple[float, float, float | None] | None
    views: int | None
    view_boxes: tuple[_Box, ...]
    how: str
    issues: tuple[ParseIssue, ...]


def collect_part_items(entities: Any) -> list[tuple[str, _Box]]:
    """(DXF type, 2D box) of every entity that draws the part (not sheet, annotation or symbol)."""
    return [(e.dxftype(), b) for e in entities if (b := _entity_box(e)) is not None]


def is_part_layer(layer: str, linetype: str) -> bool:
    """True when a layer and linetype can carry part geometry (not annotation, sheet or centre lines)."""
    return not _NOT_PART_LAYER.search(layer) and not _NOT_PART_LINETYPE.search(linetype)


def part_box(entity: Any) -> _Box | None:
    """The entity's 2D box (drawing units) when it draws the part, else None."""
    return _entity_box(entity)


def is_part_geometry(entity: Any) -> bool:
    """True when the entity is drawn on a part layer with a part linetype (see ``collect_part_items``)."""
    return _entity_box(entity) is not None


def extract_envelope(items: list[tuple[str, _Box]], *, thickness: float | None) -> EnvelopeResult:
    """Overall part size from part geometry.

    Geometry is grouped into views by empty space; a sheet frame (a group enclosing a view with a
    paper-size aspect ratio) is dropped and groups nested in another group join it. The largest view
    gives x and y; a second view beside it gives z (its width), or above/below it (its height).

    Args:
        items: (DXF type, (x0, y0, x1, y1)) of the part geometry, drawing units (``collect_part_items``).
        thickness: a thickness from the notes (drawing units), used as z for single-view drawings.

    Returns:
        The size (x, y, z) in drawing units or None, the number of views, their boxes, how it was decided
        and issues.
    """
    total = len(items)
    items = _without_frame_outlines(items)
    frames = total - len(items)
    if not items:
        return EnvelopeResult(None, None, (), "no part geometry", ())
    extent = (
        min(b[0] for _, b in items),
        min(b[1] for _, b in items),
        max(b[2] for _, b in items),
        max(b[3] for _, b in items),
    )
    groups = _cluster(items, 0.03 * max(_size(extent)))
    kept = [g for g in groups if not _is_sheet_frame(g, groups)] or groups
    frames += len(groups) - len(kept)
    boxes = [g.box for g in kept]
    boxes = [b for b in boxes if not any(o is not b and _contains(o, b) for o in boxes)]
    biggest = max(max(_size(b)) for b in boxes)
    views = sorted(
        (
            b for b in boxes if max(_size(b)) >= 0.2 * biggest and min(_size(b)) > 1e-6 * biggest
        ),  # a lone line is no view
        key=lambda b: -_size(b)[0] * _size(b)[1],
    ) or sorted(boxes, key=lambda b: -max(_size(b)))
    front = views[0]
    x, y = _size(front)
    z: float | None = None
    issues: list[ParseIssue] = []
    how = f"{len(views)} view{'s' if len(views) > 1 else ''} from {len(boxes)} geometry group"
    how += f"{'s' if len(boxes) > 1 else ''} split by empty space"
    how += f", {frames} sheet frame{'s' if frames != 1 else ''} dropped" if frames else ""
    how += f"; x {x:g} and y {y:g} from the largest view"
    if len(views) >= 2:
        other = views[1]
        beside = other[1] < front[3] and front[1] < other[3]
        z = _size(other)[0] if beside else _size(other)[1]
        how += f"; z {z:g} from the {'width of the view beside' if beside else 'height of the view above or below'} it"
    elif thickness is not None:
        z = thickness
        how += f"; z {z:g} from the thickness note"
    else:
        how += "; z unknown"
        issues.append(
            ParseIssue(
                code=IssueCode.NO_THICKNESS,
                detail="one view and no thickness note: the part's depth is unknown",
            )
        )
    size = (round(x, 6), round(y, 6), None if z is None else round(z, 6))
    return EnvelopeResult(size, len(views), tuple(views), how, tuple(issues))
