"""PDF reading: what the strokes around a callout say (a basic box, a balloon, a table cell, a frame).

Vector drawings are reduced to straight segments and circles in page coordinates; each test looks at
them in the callout's own text frame, so rotated callouts are judged the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from parsers.pdf_layout import Group
from parsers.pdf_text import Run, same_direction

Segment = tuple[float, float, float, float]


class Strokes:
    """A page's straight strokes, bucketed on a coarse grid so that nearby ones are found quickly."""

    _CELL = 64.0
    # A stroke or query box spanning more grid cells than this (absurd coordinates in a damaged or hostile
    # file) is compared directly instead of cell by cell: enumerating its cells would take forever.
    _MAX_CELLS = 4096

    def __init__(self, segs: Sequence[Segment]) -> None:
        self.segs = list(segs)
        self._grid: dict[tuple[int, int], list[int]] = {}
        self._huge: list[int] = []
        for i, (x0, y0, x1, y1) in enumerate(self.segs):
            keys = self._keys(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            if keys is None:
                self._huge.append(i)
            for key in keys or ():
                self._grid.setdefault(key, []).append(i)

    def _keys(self, x0: float, y0: float, x1: float, y1: float) -> list[tuple[int, int]] | None:
        """The grid cells a box covers; None when they are more than ``_MAX_CELLS`` or the box is not finite."""
        if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
            return None
        c = self._CELL
        i0, i1, j0, j1 = int(x0 // c), int(x1 // c), int(y0 // c), int(y1 // c)
        if (i1 - i0 + 1) * (j1 - j0 + 1) > self._MAX_CELLS:
            return None
        return [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]

    def near(self, group: Group, margin: float) -> list[Segment]:
        """Segments whose boxes come within ``margin`` points of the group's page box."""
        x0, y0, x1, y1 = group.page_box()
        box = (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
        keys = self._keys(*box)
        if keys is None:
            hits = {i for i, seg in enumerate(self.segs) if self._overlaps(seg, box)}
        else:
            hits = {i for key in keys for i in self._grid.get(key, ())}
            hits.update(i for i in self._huge if self._overlaps(self.segs[i], box))
        return [self.segs[i] for i in sorted(hits)]

    def _overlaps(self, seg: Segment, box: tuple[float, float, float, float]) -> bool:
        """Whether a segment's box comes within one grid cell of ``box`` (what sharing a cell means)."""
        c = self._CELL
        return (min(seg[0], seg[2]) <= box[2] + c and max(seg[0], seg[2]) >= box[0] - c
                and min(seg[1], seg[3]) <= box[3] + c and max(seg[1], seg[3]) >= box[1] - c)


def segments(drawings: Sequence[dict[str, Any]]) -> Strokes:
    """Every straight stroke on the page, rectangles and quads split into their sides.

    Args:
        drawings: ``page.get_drawings()``.

    Returns:
        The strokes, each (x0, y0, x1, y1) in page coordinates.
    """
    out: list[Segment] = []
    for path in drawings:
        for item in path["items"]:
            if item[0] == "l":
                out.append((item[1].x, item[1].y, item[2].x, item[2].y))
            elif item[0] == "re":
                r = item[1]
                out += [(r.x0, r.y0, r.x1, r.y0), (r.x1, r.y0, r.x1, r.y1),
                        (r.x0, r.y1, r.x1, r.y1), (r.x0, r.y0, r.x0, r.y1)]
            elif item[0] == "qu":
                q = item[1]
                pts = [q.ul, q.ur, q.lr, q.ll, q.ul]
                out += [(a.x, a.y, b.x, b.y) for a, b in zip(pts, pts[1:], strict=False)]
    return Strokes(out)


def is_boxed(group: Group, strokes: Strokes) -> bool:
    """Whether a rectangle is drawn tightly around the group (a basic, theoretically exact value).

    Args:
        group: the callout candidate.
        strokes: the page's strokes.

    Returns:
        True when strokes close the group on all four sides within about half a text height.
    """
    ref = group.runs[0]
    u0, u1, v0, v1 = group.extent()
    s = group.size
    found = {"top": False, "bottom": False, "left": False, "right": False}
    for x0, y0, x1, y1 in strokes.near(group, 1.5 * s):
        a_u, a_v = x0 * ref.dx + y0 * ref.dy, -x0 * ref.dy + y0 * ref.dx
        b_u, b_v = x1 * ref.dx + y1 * ref.dy, -x1 * ref.dy + y1 * ref.dx
        if abs(a_v - b_v) < 0.05 * s:  # parallel to the text
            lo, hi, v = min(a_u, b_u), max(a_u, b_u), (a_v + b_v) / 2
            if lo <= u0 + 0.2 * s and hi >= u1 - 0.2 * s and hi - lo <= (u1 - u0) + 4 * s:
                if v0 - 0.7 * s <= v <= v0 + 0.2 * s:
                    found["top"] = True
                elif v1 - 0.2 * s <= v <= v1 + 0.7 * s:
                    found["bottom"] = True
        elif abs(a_u - b_u) < 0.05 * s:  # across the text
            lo, hi, u = min(a_v, b_v), max(a_v, b_v), (a_u + b_u) / 2
            if lo <= v0 + 0.3 * s and hi >= v1 - 0.3 * s and hi - lo <= (v1 - v0) + 2 * s:
                if u0 - 1.0 * s <= u <= u0 + 0.1 * s:
                    found["left"] = True
                elif u1 - 0.1 * s <= u <= u1 + 1.0 * s:
                    found["right"] = True
    return all(found.values())


def circles(drawings: Sequence[dict[str, Any]]) -> list[Segment]:
    """Page boxes of drawn circles (paths of curves around a square box), e.g. item balloons.

    Args:
        drawings: ``page.get_drawings()``.

    Returns:
        (x0, y0, x1, y1) per circle.
    """
    out = []
    for path in drawings:
        rect = path["rect"]
        kinds = {item[0] for item in path["items"]}
        if kinds == {"c"} and rect.width > 2 and 0.9 <= rect.height / rect.width <= 1.1:
            out.append((rect.x0, rect.y0, rect.x1, rect.y1))
    return out


def in_balloon(group: Group, rings: Sequence[Segment]) -> bool:
    """Whether a group sits alone inside a small circle (an item balloon, not a dimension).

    Args:
        group: the callout candidate.
        rings: drawn circles from ``circles``.

    Returns:
        True when a circle 1.2 to 4 text heights wide encloses the group's centre and box.
    """
    x0, y0, x1, y1 = group.page_box()
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    for rx0, ry0, rx1, ry1 in rings:
        diameter = rx1 - rx0
        if (1.2 * group.size <= diameter <= 4 * group.size and rx0 <= cx <= rx1 and ry0 <= cy <= ry1
                and abs(cx - (rx0 + rx1) / 2) < diameter / 4 and abs(cy - (ry0 + ry1) / 2) < diameter / 4):
            return True
    return False


def _in_frame(group: Group, segs: Sequence[Segment]) -> list[tuple[float, float, float, float]]:
    """Segments as (u, v) end points in the group's text frame."""
    dx, dy = group.runs[0].dx, group.runs[0].dy
    return [(x0 * dx + y0 * dy, -x0 * dy + y0 * dx, x1 * dx + y1 * dy, -x1 * dy + y1 * dx)
            for x0, y0, x1, y1 in segs]


def in_table_cell(group: Group, strokes: Strokes, runs: Sequence[Run]) -> bool:
    """Whether the group sits in a closed, ruled table cell (title block, BOM, revision table).

    A cell is a rectangle of rules: just above and below the text and on both sides of it, with more
    text between the same two rules in a neighbouring cell. (A small dimension's value can sit in a
    closed rectangle too, of extension lines, dimension line and part edge, but alone.)

    Args:
        group: the callout candidate.
        strokes: the page's strokes.
        runs: the page's runs.

    Returns:
        True when such a cell holds the group.
    """
    u0, u1, v0, v1 = group.extent()
    s = group.size
    reach = 25 * s
    tops: list[tuple[float, float, float]] = []
    bottoms: list[tuple[float, float, float]] = []
    lefts: list[tuple[float, float, float]] = []
    rights: list[tuple[float, float, float]] = []
    for a_u, a_v, b_u, b_v in _in_frame(group, strokes.near(group, 1.5 * s)):
        lo, hi, v = min(a_u, b_u), max(a_u, b_u), (a_v + b_v) / 2
        if abs(a_v - b_v) < 0.05 * s and lo <= u0 - 0.3 * s and hi >= u1 + 0.3 * s:
            if v0 - 1.2 * s <= v <= v0 + 0.2 * s:
                tops.append((v, lo, hi))
            elif v1 - 0.2 * s <= v <= v1 + 1.2 * s:
                bottoms.append((v, lo, hi))
    if not (tops and bottoms):
        return False  # the common case, decided without looking far to the sides
    for a_u, a_v, b_u, b_v in _in_frame(group, strokes.near(group, reach)):
        lo, hi, u = min(a_v, b_v), max(a_v, b_v), (a_u + b_u) / 2
        if abs(a_u - b_u) < 0.05 * s and lo <= v0 and hi >= v1:
            if u0 - reach <= u <= u0 + 0.1 * s:
                lefts.append((u, lo, hi))
            elif u1 - 0.1 * s <= u <= u1 + reach:
                rights.append((u, lo, hi))
    tol = 0.3 * s
    others = [r for r in runs if same_direction(group.runs[0], r) and all(r is not m for m in group.runs)]
    for top_v, top_lo, top_hi in tops:
        for bottom_v, bottom_lo, bottom_hi in bottoms:
            span_lo, span_hi = max(top_lo, bottom_lo), min(top_hi, bottom_hi)
            sides = [u for u, lo, hi in lefts + rights
                     if span_lo - tol <= u <= span_hi + tol and lo <= top_v + tol and hi >= bottom_v - tol]
            left = max((u for u in sides if u <= u0), default=None)
            right = min((u for u in sides if u >= u1), default=None)
            if left is None or right is None:
                continue
            # A table has more cells on the same rules; extension lines around a lone value do not.
            if any(top_v <= r.v_mid <= bottom_v and span_lo <= (r.u0 + r.u1) / 2 <= span_hi
                   and not left <= (r.u0 + r.u1) / 2 <= right for r in others):
                return True
    return False
