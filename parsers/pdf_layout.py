"""PDF reading, step 2: group runs into callout candidates and find the sheet's non-drawing areas.

A printed callout is often several spans: a value, a drawn Ø, and a tolerance stacked in two rows after
it (``+0.1`` over ``-0.05``), or two stacked limits. Runs are grouped when they share a direction and
touch in their text frame; a group is then read as prefix, stacked top/bottom, and suffix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from parsers.pdf_text import Run, same_direction

_SIGNS = re.compile(r"^[+\-±−]+$")
_BARE_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
# What may be printed stacked: signed or unsigned values, or a fit class.
_STACKABLE = re.compile(r"^(?:[+\-±−]?(?:\d+(?:[.,]\d*)?|[.,]\d+)°?|(?:[A-Z]{1,2}|[a-z]{1,2})\d{1,2})$")
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
    if (_BARE_NUMBER.match(a.text) and _BARE_NUMBER.match(b.text) and min(a.size, b.size) > 0.85 * size
            and min(len(a.text), len(b.text)) > 1):
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

    # Sweep along x: only runs whose page boxes come within two text heights can touch.
    boxes = [r.page_box() for r in runs]
    order = sorted(range(len(runs)), key=lambda k: boxes[k][0])
    reach = 2 * max((r.size for r in runs), default=0.0)
    for n, i in enumerate(order):
        for j in order[n + 1:]:
            if boxes[j][0] > boxes[i][2] + reach:
                break
            if boxes[j][1] <= boxes[i][3] + reach and boxes[j][3] >= boxes[i][1] - reach and _touching(
                    runs[i], runs[j]):
                parent[find(i)] = find(j)
    members: dict[int, list[Run]] = {}
    for i, run in enumerate(runs):
        members.setdefault(find(i), []).append(run)
    return [g for group in members.values() for g in _read_layout(sorted(group, key=lambda r: r.u0))]


def _join(runs: Iterable[Run]) -> str:
    out, last_u1 = "", None
    for run in sorted(runs, key=lambda r: r.u0):
        if last_u1 is not None and run.u0 - last_u1 > 0.2 * run.size:
            out += " "
        out += run.text.strip()
        last_u1 = run.u1
    return out.strip()


def _read_layout(runs: list[Run]) -> list[Group]:
    """Read a cluster as prefix / stacked top and bottom / suffix; split it into rows when the stacked
    parts are not tolerance-like (two lines of a multi-line note are not a tolerance stack)."""
    size = max(r.size for r in runs)
    stacked = [a for a in runs if any(
        abs(a.v_mid - b.v_mid) > 0.4 * size and min(a.u1, b.u1) - max(a.u0, b.u0) > 0.1 * size
        for b in runs)]
    if not stacked:
        return [Group(tuple(runs), _join(runs), "", "", "")]
    su0, su1 = min(r.u0 for r in stacked), max(r.u1 for r in stacked)
    # A lone sign printed just before the stacked numbers belongs to them.
    signs = [r for r in runs if _SIGNS.match(r.text.strip()) and r.u1 >= su0 - 0.3 * size and r.u0 < su1]
    su0 = min([su0, *(r.u0 for r in signs)])
    in_stack = [r for r in runs if su0 - 1e-6 <= (r.u0 + r.u1) / 2 <= su1 + 1e-6]
    prefix = [r for r in runs if (r.u0 + r.u1) / 2 < su0 - 1e-6]
    suffix = [r for r in runs if (r.u0 + r.u1) / 2 > su1 + 1e-6]
    mids = [r.v_mid for r in in_stack]
    split = (min(mids) + max(mids)) / 2
    top = _join(r for r in in_stack if r.v_mid < split).replace(" ", "")
    bottom = _join(r for r in in_stack if r.v_mid >= split).replace(" ", "")
    if _STACKABLE.match(top) and _STACKABLE.match(bottom):
        return [Group(tuple(runs), _join(prefix), top, bottom, _join(suffix))]
    rows: list[list[Run]] = []
    for run in sorted(runs, key=lambda r: r.v_mid):
        if rows and abs(run.v_mid - rows[-1][0].v_mid) <= 0.4 * size:
            rows[-1].append(run)
        else:
            rows.append([run])
    return [Group(tuple(row), _join(row), "", "", "") for row in rows]


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
    lower = sorted(((b, r.size) for b, r in zip(boxes, labels, strict=True) if (b[1] + b[3]) / 2 > 0.55 * height),
                   key=lambda item: -item[0][1])
    # Chain labels upwards from the lowest; a stray "SCALE 2:1" under a view far above stays out.
    cluster = lower[:1]
    for box, size in lower[1:]:
        if min(b[1] for b, _ in cluster) - box[1] <= 0.12 * height:
            cluster.append((box, size))
    title = None
    if len(cluster) >= 2:
        x0 = min(b[0] for b, _ in cluster)
        y0 = min(b[1] for b, _ in cluster) - 1.5 * max(s for _, s in cluster)
        title = (x0 - 2.0, y0, width, height)
    return Sheet(width=width, height=height, edge_band=band, title_block=title)


_DATUM_OR_SYMBOL = re.compile(r"^(?:[A-Z]|[⌖⊥∥◎⌭○⏥∠⌯⌰⌒⌓↗]|//)$")


def is_feature_frame(group: Group, runs: Sequence[Run]) -> bool:
    """Whether a boxed value is the tolerance of a GD&T feature control frame (not a dimension).

    Args:
        group: a boxed callout candidate.
        runs: all runs of the page.

    Returns:
        True when a datum letter or geometric-characteristic symbol sits beside it on its baseline.
    """
    mine = {id(r) for r in group.runs}
    u0, u1, _, v1 = group.extent()
    ref = group.runs[0]
    for run in runs:
        if id(run) in mine or not same_direction(ref, run):
            continue
        if not (_DATUM_OR_SYMBOL.match(run.text.strip()) or "GDT" in run.font.upper()):
            continue
        if abs(run.v1 - v1) < 0.25 * group.size and max(run.u0 - u1, u0 - run.u1) <= 4 * group.size:
            return True
    return False
