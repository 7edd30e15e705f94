"""PDF reading, step 1: a page's text spans as oriented runs, with symbol glyphs put back.

Each run carries its extent in its own text frame: ``u`` along the reading direction and ``v`` across it
(growing towards the glyphs' feet), so rotated callouts are grouped the same way as horizontal ones.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

# Letters that GD&T/symbol fonts use for the symbols a callout needs. The glyph is known only by its
# font, so a letter is mapped only in a short run (one symbol) set in a symbol font.
_SYMBOL_FONT = re.compile(r"GDT|SYMBOL|ISOCPEUR-?SYM|DIMSYM|GEOM", re.I)
_SYMBOL_LETTERS = {"n": "Ø", "N": "Ø", "P": "Ø", "o": "□", "Q": "□", "Æ": "Ø", "Ø": "Ø", "±": "±", "°": "°",
                   "v": "⌴", "w": "⌵", "x": "↧"}
_DIAMETER_LIKE = "⌀∅øΦφ"


@dataclass(frozen=True)
class Run:
    """One span of text on a page, measured in its own text frame (PDF points)."""

    text: str
    font: str
    size: float
    dx: float
    dy: float
    u0: float
    u1: float
    v0: float
    v1: float
    synthetic: bool = False

    @property
    def v_mid(self) -> float:
        return (self.v0 + self.v1) / 2

    def page_point(self, u: float, v: float) -> tuple[float, float]:
        """Page coordinates of a point given in this run's frame."""
        return u * self.dx - v * self.dy, u * self.dy + v * self.dx

    def page_box(self) -> tuple[float, float, float, float]:
        """Axis-aligned page box around the run: (x0, y0, x1, y1)."""
        corners = [self.page_point(u, v) for u in (self.u0, self.u1) for v in (self.v0, self.v1)]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        return min(xs), min(ys), max(xs), max(ys)


def same_direction(a: Run, b: Run) -> bool:
    return a.dx * b.dx + a.dy * b.dy > 0.995


def _frame(dx: float, dy: float, x: float, y: float) -> tuple[float, float]:
    return x * dx + y * dy, -x * dy + y * dx


def _map_symbols(text: str, font: str) -> str:
    if _SYMBOL_FONT.search(font) and len(text.strip()) <= 2:
        # A symbol font's letters stand for symbols only in short symbol runs, not in words.
        return "".join(_SYMBOL_LETTERS.get(ch, ch) for ch in text)
    out = []
    for ch in text:
        if ch in _DIAMETER_LIKE:
            out.append("Ø")
        elif 0xE000 <= ord(ch) <= 0xF8FF:
            # Private-use code points in CAD fonts are symbol glyphs; in front of a size it is a diameter.
            out.append("\ue000")
        else:
            out.append(ch)
    return "".join(out)


def extract_runs(page_dict: dict[str, Any]) -> list[Run]:
    """Turn ``page.get_text("rawdict")`` output into runs.

    Args:
        page_dict: the rawdict of one page.

    Returns:
        Runs with non-blank text, symbol-font letters mapped to Ø/□/±/°.
    """
    runs: list[Run] = []
    for block in page_dict.get("blocks", []):
        for line in block.get("lines", []):
            dx, dy = line["dir"]
            norm = math.hypot(dx, dy) or 1.0
            dx, dy = dx / norm, dy / norm
            for span in line["spans"]:
                runs += _span_runs(span, dx, dy)
    return _resolve_private_use(runs)


_BARE_NUMBER = re.compile(r"^[\d.,]+$")


def _span_runs(span: dict[str, Any], dx: float, dy: float) -> list[Run]:
    """One run per piece of a span; a span is cut between two bare numbers or at a wide gap."""
    chars = list(span.get("chars", []))
    size = float(span["size"]) or 1.0
    if not chars:
        run = _make_run(span, [], dx, dy, size)
        return [run] if run is not None else []
    words: list[tuple[int, int]] = []  # [start, end) char indices of each word
    for i, ch in enumerate(chars):
        if ch["c"].strip():
            if words and words[-1][1] == i:
                words[-1] = (words[-1][0], i + 1)
            else:
                words.append((i, i + 1))
    pieces: list[tuple[int, int]] = []
    for start, end in words:
        if pieces:
            prev_start, prev_end = pieces[-1]
            last_word = next(w for w in reversed(words) if w[1] == prev_end)
            text = "".join(c["c"] for c in chars[start:end])
            prev = "".join(c["c"] for c in chars[last_word[0]:last_word[1]])
            here, before = chars[start]["origin"], chars[prev_end - 1]["origin"]
            gap = _frame(dx, dy, *here)[0] - _frame(dx, dy, *before)[0]
            if not (_BARE_NUMBER.match(text) and _BARE_NUMBER.match(prev)) and gap < 2.0 * size:
                pieces[-1] = (prev_start, end)
                continue
        pieces.append((start, end))
    return [run for a, b in pieces if (run := _make_run(span, chars[a:b], dx, dy, size)) is not None]


def _make_run(
    span: dict[str, Any], chars: list[dict[str, Any]], dx: float, dy: float, size: float
) -> Run | None:
    text = "".join(c["c"] for c in chars) if chars else span.get("text", "").strip()
    if not text.strip():
        return None
    if chars:
        origins = [_frame(dx, dy, *c["origin"]) for c in chars]
        advance = (origins[-1][0] - origins[0][0]) / (len(origins) - 1) if len(origins) > 1 else 0.55 * size
        if abs(dx) > 0.999 or abs(dy) > 0.999:  # axis-aligned: the last glyph's box is exact
            x0, y0, x1, y1 = chars[-1]["bbox"]
            advance = abs(x1 - x0) * abs(dx) + abs(y1 - y0) * abs(dy)
        u0, u1, v_base = origins[0][0], origins[-1][0] + max(advance, 0.3 * size), origins[0][1]
    else:
        x0, y0, x1, y1 = span["bbox"]
        u0, v_base = _frame(dx, dy, x0, y1)
        u1 = u0 + abs(x1 - x0) + abs(y1 - y0) - size
    ascender = float(span.get("ascender", 0.8))
    descender = float(span.get("descender", -0.2))
    return Run(text=_map_symbols(text, span.get("font", "")), font=span.get("font", ""), size=size,
               dx=dx, dy=dy, u0=u0, u1=u1, v0=v_base - ascender * size, v1=v_base - descender * size)


def _resolve_private_use(runs: list[Run]) -> list[Run]:
    out = []
    for run in runs:
        if "\ue000" in run.text:
            # Keep a private-use glyph only where it prefixes a number; elsewhere it is decoration.
            text = re.sub(r"\ue000(?=\s*[\d.,])", "Ø", run.text).replace("\ue000", "")
            run = replace(run, text=text)
        if run.text.strip():
            out.append(run)
    return out


@dataclass(frozen=True)
class Glyph:
    """A small vector-drawn symbol: its page box and what it most likely is."""

    symbol: str
    x0: float
    y0: float
    x1: float
    y1: float


def extract_glyphs(drawings: list[dict[str, Any]]) -> list[Glyph]:
    """Find symbols that a CAD exporter drew as strokes instead of text (Ø, □, ±).

    Args:
        drawings: ``page.get_drawings()``.

    Returns:
        Small paths: a ring (curves or many short segments) crossed by one long stroke is a
        diameter sign; exactly four lines around a square are a square sign; two equal parallel
        strokes with one across them are a plus-minus sign.
    """
    glyphs: list[Glyph] = []
    for path in drawings:
        rect = path["rect"]
        w, h = rect.width, rect.height
        if not (2.0 <= w <= 60.0 and 2.0 <= h <= 60.0) or max(w, h) > 1.6 * min(w, h):
            continue
        items = path["items"]
        kinds = {item[0] for item in items}
        if ("c" in kinds or len(items) >= 12) and _has_slash(items, max(w, h)):  # a ring and its stroke
            glyphs.append(Glyph("Ø", rect.x0, rect.y0, rect.x1, rect.y1))
        elif kinds <= {"l", "re", "qu"} and (len(items) == 4 or kinds == {"re"}) and w / h > 0.8:
            glyphs.append(Glyph("□", rect.x0, rect.y0, rect.x1, rect.y1))
        elif kinds == {"l"} and len(items) == 3 and _is_plus_minus(items):
            glyphs.append(Glyph("±", rect.x0, rect.y0, rect.x1, rect.y1))
    return glyphs


def _has_slash(items: list[Any], extent: float) -> bool:
    return any(item[0] == "l" and math.hypot(item[2].x - item[1].x, item[2].y - item[1].y) >= 0.8 * extent
               for item in items)


def _is_plus_minus(items: list[Any]) -> bool:
    """Two parallel strokes of equal length and one across them: a ± drawn as lines."""
    vectors = [(item[2].x - item[1].x, item[2].y - item[1].y) for item in items]
    lengths = [math.hypot(*v) for v in vectors]
    if min(lengths) <= 0:
        return False
    for i in range(3):
        (ax, ay), (bx, by) = (vectors[j] for j in range(3) if j != i)
        cx, cy = vectors[i]
        la, lb = (lengths[j] for j in range(3) if j != i)
        parallel = abs(ax * by - ay * bx) < 0.05 * la * lb and abs(la - lb) < 0.1 * la
        across = abs(ax * cx + ay * cy) < 0.05 * la * lengths[i]
        if parallel and across:
            return True
    return False


def attach_glyphs(runs: list[Run], glyphs: list[Glyph]) -> list[Run]:
    """Add a synthetic run for each drawn symbol that sits just before a number.

    Args:
        runs: the page's text runs.
        glyphs: the page's drawn symbols.

    Returns:
        ``runs`` plus one symbol run per glyph that prefixes a numeric run.
    """
    cell = 32.0
    grid: dict[tuple[int, int], list[int]] = {}
    for i, glyph in enumerate(glyphs):
        key = (int((glyph.x0 + glyph.x1) / 2 // cell), int((glyph.y0 + glyph.y1) / 2 // cell))
        grid.setdefault(key, []).append(i)
    added: list[Run] = []
    used: set[int] = set()
    for run in runs:
        if not re.match(r"\s*[\d.,]", run.text):
            continue
        x, y = run.page_point(run.u0, run.v_mid)
        if not all(math.isfinite(v) for v in (x, y, run.size)):
            continue
        reach = int(1.5 * run.size // cell) + 1
        col, row = int(x // cell), int(y // cell)
        if (2 * reach + 1) ** 2 > len(grid):  # a huge run (or few glyphs): look at each glyph's cell instead
            near = sorted(i for (gx, gy), found in grid.items() if abs(gx - col) <= reach and abs(gy - row) <= reach
                          for i in found)
        else:
            near = sorted(i for gx in range(col - reach, col + reach + 1) for gy in range(row - reach, row + reach + 1)
                          for i in grid.get((gx, gy), ()))
        for i in near:
            glyph = glyphs[i]
            if i in used:
                continue
            cx, cy = (glyph.x0 + glyph.x1) / 2, (glyph.y0 + glyph.y1) / 2
            gu, gv = _frame(run.dx, run.dy, cx, cy)
            extent = max(glyph.x1 - glyph.x0, glyph.y1 - glyph.y0)
            lead = run.u0 - gu
            if (0.0 < lead <= 1.4 * run.size and run.v0 <= gv <= run.v1
                    and 0.45 * run.size <= extent <= 1.0 * run.size):
                half = extent / 2
                added.append(Run(text=glyph.symbol, font="vector", size=run.size, dx=run.dx, dy=run.dy,
                                 u0=gu - half, u1=gu + half, v0=run.v0, v1=run.v1, synthetic=True))
                used.add(i)
                break
    return runs + added
