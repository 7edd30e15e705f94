"""Machining features seen in DXF geometry: holes (circles) with counts, and the smallest internal radius."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ezdxf import path as ezpath
from ezdxf.lldxf.const import DXFError
from ezdxf.math import bulge_to_arc

from parsers.models import HoleGroup

_Box = tuple[float, float, float, float]
_Segment = tuple[float, float, float, float]
_MAX_SEGMENTS = 200_000
_HIDDEN_LINETYPE = re.compile(r"HIDDEN|DASHED|VERDECKT|CACHE", re.I)
_TESTS_PER_RADIUS = 8


@dataclass(frozen=True)
class Arc:
    """A circular arc of the part outline: centre, radius and mid angle (radians), drawing units."""

    cx: float
    cy: float
    radius: float
    mid: float


def circle_of(entity: Any) -> tuple[float, float, float]:
    """(centre x, centre y, radius) of a CIRCLE, drawing units."""
    center = entity.dxf.center
    return float(center[0]), float(center[1]), float(entity.dxf.radius)


def _inside(box: _Box, x: float, y: float) -> bool:
    return box[0] - 1e-9 <= x <= box[2] + 1e-9 and box[1] - 1e-9 <= y <= box[3] + 1e-9


def extract_holes(circles: Iterable[tuple[float, float, float]], view_boxes: tuple[_Box, ...]) -> list[HoleGroup]:
    """Holes drawn as circles, grouped by diameter.

    Concentric circles (counterbores, chamfers, thread major lines) count as one hole of the smallest
    diameter; a circle that spans its whole view is the outline of a round part, not a hole.

    Args:
        circles: (centre x, centre y, radius) of part-geometry circles, drawing units.
        view_boxes: the views' boxes; circles outside every view are ignored.

    Returns:
        One group per diameter (rounded to 4 decimals), largest count first.
    """
    smallest: dict[tuple[float, float], float] = {}
    for cx, cy, r in circles:
        view = next((b for b in view_boxes if _inside(b, cx, cy)), None)
        if view is None or r <= 0 or 2 * r >= 0.98 * max(view[2] - view[0], view[3] - view[1]):
            continue
        key = (round(cx, 3), round(cy, 3))
        smallest[key] = min(r, smallest.get(key, math.inf))
    counts = Counter(round(2 * r, 4) for r in smallest.values())
    return [HoleGroup(diameter=d, count=n) for d, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def entity_arcs(entity: Any) -> list[Arc]:
    """The arcs an ARC or a bulged LWPOLYLINE/POLYLINE draws (full circles are holes, not radii)."""
    kind = entity.dxftype()
    if kind == "ARC":
        start, end = math.radians(entity.dxf.start_angle), math.radians(entity.dxf.end_angle)
        sweep = (end - start) % math.tau
        center = entity.dxf.center
        return [Arc(float(center[0]), float(center[1]), float(entity.dxf.radius), start + sweep / 2)]
    if kind == "LWPOLYLINE":
        points = [(float(x), float(y), float(b)) for x, y, b in entity.get_points("xyb")]
        closed = bool(entity.closed)
    elif kind == "POLYLINE" and entity.is_2d_polyline:
        points = [(float(v.dxf.location[0]), float(v.dxf.location[1]), float(v.dxf.bulge)) for v in entity.vertices]
        closed = bool(entity.is_closed)
    else:
        return []
    arcs = []
    pairs = list(zip(points, points[1:] + (points[:1] if closed else []), strict=False))
    for (x0, y0, bulge), (x1, y1, _) in pairs:
        if abs(bulge) < 1e-9 or (x0, y0) == (x1, y1):
            continue
        center, start, end, radius = bulge_to_arc((x0, y0), (x1, y1), bulge)
        sweep = (end - start) % math.tau
        arcs.append(Arc(center.x, center.y, radius, start + sweep / 2))
    return arcs


def entity_segments(entity: Any, *, flatness: float) -> list[_Segment]:
    """The entity flattened to straight segments (x0, y0, x1, y1), drawing units."""
    if entity.dxftype() == "LINE":  # what its path flattens to, without building the path
        start, end = entity.dxf.start, entity.dxf.end
        return [(start.x, start.y, end.x, end.y)]
    try:
        vertices = list(ezpath.make_path(entity).flattening(flatness))
    except (DXFError, ValueError, TypeError, AttributeError, ZeroDivisionError):
        return []
    return [(a.x, a.y, b.x, b.y) for a, b in zip(vertices, vertices[1:], strict=False)]


class _Bands:
    """Segments bucketed by horizontal band so a ray test looks at few of them."""

    def __init__(self, segments: list[_Segment], box: _Box, count: int = 64) -> None:
        self.y0, self.height = box[1], max(box[3] - box[1], 1e-9) / count
        self.count = count
        self.bands: list[list[_Segment]] = [[] for _ in range(count)]
        for seg in segments:
            lo, hi = self._band(min(seg[1], seg[3])), self._band(max(seg[1], seg[3]))
            for i in range(lo, hi + 1):
                self.bands[i].append(seg)

    def _band(self, y: float) -> int:
        return min(self.count - 1, max(0, int((y - self.y0) / self.height)))

    def crossings(self, x: float, y: float) -> int:
        """How many segments a ray from (x, y) towards +x crosses."""
        hits = 0
        for x0, y0, x1, y1 in self.bands[self._band(y)]:
            if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                hits += 1
        return hits


def smallest_internal_radius(arcs: list[Arc], segments: list[_Segment], box: _Box) -> float | None:
    """The smallest concave (internal) arc radius of a view: the largest tool that can finish its corners.

    An arc is internal when the side towards its centre is empty space: a point just inside the arc,
    on the centre's side, lies outside the material (an even number of outline crossings to the right).

    Args:
        arcs: the view's arcs; segments: the view's outline flattened; box: the view's box (drawing units).

    Returns:
        The radius in drawing units, None when no arc is internal or the view is too large to test.
    """
    if not arcs or not segments or len(segments) > _MAX_SEGMENTS:
        return None
    bands = _Bands(segments, box)
    step = 1e-3 * max(box[2] - box[0], box[3] - box[1])
    tested: Counter[float] = Counter()
    for arc in sorted(arcs, key=lambda a: a.radius):
        key = round(arc.radius, 6)
        if tested[key] >= _TESTS_PER_RADIUS or arc.radius <= 0:
            continue
        tested[key] += 1
        inset = min(0.25 * arc.radius, step)
        # A slightly tilted ray keeps clear of vertices that sit exactly on the test line.
        x = arc.cx + (arc.radius - inset) * math.cos(arc.mid)
        y = arc.cy + (arc.radius - inset) * math.sin(arc.mid) + 1.234567e-7 * step
        if bands.crossings(x, y) % 2 == 0:
            return round(arc.radius, 6)
    return None


def view_internal_radius(part: list[Any], box: _Box) -> float | None:
    """The smallest concave arc radius of the part geometry inside a view's box (hidden lines left out).

    Args:
        part: part-geometry entities; box: the view's box, drawing units.

    Returns:
        The radius in drawing units, or None.
    """
    flatness = 1e-3 * max(box[2] - box[0], box[3] - box[1])
    outline = [
        e for e in part if e.dxftype() != "INSERT" and not _HIDDEN_LINETYPE.search(str(e.dxf.get("linetype", "")))
    ]
    arcs = [a for e in outline for a in entity_arcs(e) if box[0] <= a.cx <= box[2] and box[1] <= a.cy <= box[3]]
    if not arcs:
        return None
    segments: list[tuple[float, float, float, float]] = []
    for entity in outline:
        for seg in entity_segments(entity, flatness=flatness):
            if box[0] - flatness <= min(seg[0], seg[2]) and max(seg[0], seg[2]) <= box[2] + flatness:
                if box[1] - flatness <= min(seg[1], seg[3]) and max(seg[1], seg[3]) <= box[3] + flatness:
                    segments.append(seg)
    return smallest_internal_radius(arcs, segments, box)
