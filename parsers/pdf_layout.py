"""PDF reading, step 2: group runs into callout candidates and find the sheet's non-drawing areas.

A printed callout is often several spans: a value, a drawn Ø, and a tolerance stacked in two rows after
it (``+0.1`` over ``-0.05``), or two stacked limits. Runs are grouped when they share a direction and
touch in their text frame; a group is then read as prefix, stacked top/bottom, and suffix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from parsers.pdf_text import Run, same_direction

_SIGNS = re.compile(r"^[+\-±−]+$")
_BARE_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_TITLE_WORDS = re.compile(
    r"^(TITLE|DWG|DRAWN|CHECKED|CHK|APPROVED|APPV|SCALE|SHEET|DATE|NAME|WEIGHT|REVISION|REV|"
    r"DRAWING NO|PART NO|CREATED BY|APPROVED BY|DOCUMENT|STANDARD|STATE|CHANGES|DEPT|SIZE|MFG|Q\.A)\b",
    re.I,
)


@dataclass(frozen=True)
class Group:
    """Runs read together as one callout candidate, in the first run's text frame."""

    runs: tuple[Run, ...]
    prefix: str
    top: str
    bottom: str
    suffix: str

    @property
    def stacked(self) -> bool:
        return bool(self.top or self.bottom)

    @property
    def size(self) -> float:
        return max(r.size for r in self.runs)

    @property
    def text(self) -> str:
        """The callout as one line, stacked parts written ``top/bottom``."""
        parts = [self.prefix]
        if self.stacked:
            parts.append(f"{self.top}/{self.bottom}")
        parts.append(self.suffix)
        return " ".join(p for p in parts if p)

    def extent(self) -> tuple[float, float, float, float]:
        """(u0, u1, v0, v1) of all runs in the first run's frame."""
        ref = self.runs[0]
        return (min(r.u0 for r in self.runs), max(r.u1 for r in self.runs),
                min(r.v0 for r in self.runs), max(r.v1 for r in self.runs)) if all(
            same_direction(ref, r) for r in self.runs) else (ref.u0, ref.u1, ref.v0, ref.v1)

    def page_box(self) -> tuple[float, float, float, float]:
        boxes = [r.page_box() for r in self.runs]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))


def _touching(a: Run, b: Run) -> bool:
    if not same_direction(a, b):
        return False
    size = max(a.size, b.size)
    gap_u = max(a.u0, b.u0) - min(a.u1, b.u1)
    overlap_v = min(a.v1, b.v1) - max(a.v0, b.v0)
    if overlap_v <= -0.1 * size or abs(a.v_mid - b.v_mid) > 1.1 * size:
        return False
    if abs(a.v_mid - b.v_mid) > 0.4 * size:
        # Different rows join only where they overlap along the text: a stacked tolerance or limit.
        later = a if a.u0 > b.u0 else b
        tolerance_like = (bool(_SIGNS.match(a.text) or _SIGNS.match(b.text)) or later.text[:1] in "+-±−"
                          or later.size < 0.85 * size)
        return gap_u <= 0.05 * size or (tolerance_like and gap_u <= 0.3 * size)
    if _BARE_NUMBER.match(a.text) and _BARE_NUMBER.match(b.text) and min(a.size, b.size) > 0.85 * size:
        return False  # two values side by side are two callouts, even when their texts touch
    return gap_u <= 0.6 * size


def group_runs(runs: Sequence[Run]) -> list[Group]:
    """Group touching runs of the same direction and read each group's layout.

    Args:
        runs: the page's runs (glyph runs included).

    Returns:
        One group per connected set of runs.
    """
    parent = list(range(len(runs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(runs):
        for j in range(i + 1, len(runs)):
            if _touching(a, runs[j]):
                parent[find(i)] = find(j)
    members: dict[int, list[Run]] = {}
    for i, run in enumerate(runs):
        members.setdefault(find(i), []).append(run)
    return [_read_layout(sorted(group, key=lambda r: r.u0)) for group in members.values()]


def _join(runs: Iterable[Run]) -> str:
    out, last_u1 = "", None
    for run in sorted(runs, key=lambda r: r.u0):
        if last_u1 is not None and run.u0 - last_u1 > 0.2 * run.size:
            out += " "
        out += run.text.strip()
        last_u1 = run.u1
    return out.strip()


def _read_layout(runs: list[Run]) -> Group:
    size = max(r.size for r in runs)
    stacked = [a for a in runs if any(
        abs(a.v_mid - b.v_mid) > 0.4 * size and min(a.u1, b.u1) - max(a.u0, b.u0) > 0.1 * size
        for b in runs)]
    if not stacked:
        return Group(tuple(runs), _join(runs), "", "", "")
    su0, su1 = min(r.u0 for r in stacked), max(r.u1 for r in stacked)
    # A lone sign printed just before the stacked numbers belongs to them.
    signs = [r for r in runs if _SIGNS.match(r.text.strip()) and r.u1 >= su0 - 0.3 * size and r.u0 < su1]
    su0 = min([su0, *(r.u0 for r in signs)])
    in_stack = [r for r in runs if su0 - 1e-6 <= (r.u0 + r.u1) / 2 <= su1 + 1e-6]
    prefix = [r for r in runs if (r.u0 + r.u1) / 2 < su0 - 1e-6]
    suffix = [r for r in runs if (r.u0 + r.u1) / 2 > su1 + 1e-6]
    mids = [r.v_mid for r in in_stack]
    split = (min(mids) + max(mids)) / 2
    top = [r for r in in_stack if r.v_mid < split]
    bottom = [r for r in in_stack if r.v_mid >= split]
    return Group(tuple(runs), _join(prefix), _join(top).replace(" ", ""), _join(bottom).replace(" ", ""),
                 _join(suffix))


@dataclass(frozen=True)
class Sheet:
    """Areas of a page that hold no drawing callouts, in page coordinates."""

    width: float
    height: float
    edge_band: float
    title_block: tuple[float, float, float, float] | None

    def in_title_block(self, box: tuple[float, float, float, float]) -> bool:
        if self.title_block is None:
            return False
        x0, y0, x1, y1 = self.title_block
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        return x0 <= cx <= x1 and y0 <= cy <= y1

    def in_edge_band(self, box: tuple[float, float, float, float]) -> bool:
        band = self.edge_band
        return box[0] < band or box[1] < band or box[2] > self.width - band or box[3] > self.height - band


def find_sheet(runs: Sequence[Run], *, width: float, height: float) -> Sheet:
    """Locate the zone-marker band along the page edge and the title block.

    The title block is where its field labels (TITLE, DWG NO, SCALE, DRAWN ...) cluster in the lower
    part of the sheet; it reaches from the highest such label to the bottom-right corner.

    Args:
        runs: the page's runs.
        width: page width, points.
        height: page height, points.

    Returns:
        The sheet areas.
    """
    band = max(0.06 * min(width, height), 24.0)
    labels = [r for r in runs if _TITLE_WORDS.match(r.text.strip())]
    boxes = [r.page_box() for r in labels]
    lower = [(b, r.size) for b, r in zip(boxes, labels, strict=True) if (b[1] + b[3]) / 2 > 0.55 * height]
    title = None
    if len(lower) >= 2:
        x0 = min(b[0] for b, _ in lower)
        y0 = min(b[1] for b, _ in lower) - 1.5 * max(s for _, s in lower)
        title = (x0 - 2.0, y0, width, height)
    return Sheet(width=width, height=height, edge_band=band, title_block=title)


def segments(drawings: Sequence[dict[str, Any]]) -> list[tuple[float, float, float, float]]:
    """Every straight stroke on the page as (x0, y0, x1, y1), rectangles and quads split into sides.

    Args:
        drawings: ``page.get_drawings()``.

    Returns:
        The segments.
    """
    out: list[tuple[float, float, float, float]] = []
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
    return out


def is_boxed(group: Group, segs: Sequence[tuple[float, float, float, float]]) -> bool:
    """Whether a rectangle is drawn tightly around the group (a basic, theoretically exact value).

    Args:
        group: the callout candidate.
        segs: the page's segments.

    Returns:
        True when strokes close the group on all four sides within about half a text height.
    """
    ref = group.runs[0]
    u0, u1, v0, v1 = group.extent()
    s = group.size
    found = {"top": False, "bottom": False, "left": False, "right": False}
    for x0, y0, x1, y1 in segs:
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


def circles(drawings: Sequence[dict[str, Any]]) -> list[tuple[float, float, float, float]]:
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


def in_balloon(group: Group, rings: Sequence[tuple[float, float, float, float]]) -> bool:
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
