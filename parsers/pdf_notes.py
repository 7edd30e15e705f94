"""PDF reading: the sheet's non-callout text as note lines for ``notes.read_notes``.

Runs on one baseline become one line; a title-block label with its value in the cell below or beside
it ("MATERIAL:" over "6082") becomes "MATERIAL: 6082".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from parsers.pdf_layout import Group
from parsers.pdf_text import Run, same_direction

_CALLOUT_WORDS = frozenset(
    "THRU THROUGH TYP TYPICAL DEEP DP DEPTH REF MAX MIN PLCS PLC PLACES HOLES HOLE EQ SP EQSP CBORE CSK "
    "CSINK SPOTFACE BSC BASIC MM IN INCH FULL REAM DRILL TAP THREAD THREADS THD CHAMFER BOTH SIDES".split()
)
_LABEL = re.compile(
    r"^(MATERIAL|MATL|MAT'L|WERKSTOFF|FINISH|REV|REVISION|PART\s*NO|P/N|DWG\.?\s*NO|DRAWING\s*NO|QTY|"
    r"QUANTITY)\.?\s*:?$",
    re.I,
)
# "General tolerances 0.1" printed with a ± the text layer lost: a bare value there is plus/minus.
_BARE_GENERAL = re.compile(r"\b(GENERAL\s+TOLERANCES?|ALLGEMEINTOLERANZ(?:EN)?)\s*:?\s+(?=\d|[.,]\d)", re.I)


def is_wordy(run: Run) -> bool:
    """Whether a run reads as prose (a word that is not callout vocabulary)."""
    words = re.findall(r"[A-Za-zÄÖÜäöü]{3,}", run.text)
    return any(w.upper() not in _CALLOUT_WORDS for w in words)


def in_sentence(group: Group, wordy: Sequence[Run]) -> bool:
    """Whether a numeric group continues or starts a line of prose on the same baseline.

    Args:
        group: the callout candidate.
        wordy: the page's runs that read as prose (``is_wordy``).

    Returns:
        True when a wordy run shares the group's baseline within two text heights.
    """
    if group.stacked:
        return False
    mine = {id(r) for r in group.runs}
    u0, u1, _, v1 = group.extent()
    ref = group.runs[0]
    for run in wordy:
        if id(run) in mine or not same_direction(ref, run):
            continue
        size = max(run.size, group.size)
        if abs(run.v1 - v1) > 0.1 * size:
            continue
        gap = max(run.u0 - u1, u0 - run.u1)
        if gap <= 2.0 * size:
            return True
    return False


def note_lines(runs: Sequence[Run], *, skip: set[int]) -> list[str]:
    """Non-callout text as lines, title-block labels joined with their values.

    Args:
        runs: the page's runs.
        skip: ``id()`` of runs that were read as callouts.

    Returns:
        Lines in reading order per direction.
    """
    rest = [r for r in runs if id(r) not in skip]
    ordered = sorted(rest, key=lambda r: (round(r.dx, 2), round(r.dy, 2), round(r.v1), r.u0))
    lines: list[list[Run]] = []
    for run in ordered:
        last = lines[-1][-1] if lines else None
        if (last is not None and same_direction(last, run) and abs(last.v1 - run.v1) < 0.3 * run.size
                and run.u0 - last.u1 < 3 * run.size):
            lines[-1].append(run)
        else:
            lines.append([run])
    texts = _labelled_cells(rest) + [" ".join(r.text.strip() for r in line) for line in lines]
    return [_BARE_GENERAL.sub(lambda m: f"{m.group(1)} ±", t) for t in texts]


def _labelled_cells(runs: Sequence[Run]) -> list[str]:
    out = []
    for label in runs:
        if not _LABEL.match(label.text.strip()):
            continue
        lx0, ly0, lx1, ly1 = label.page_box()
        best: tuple[float, Run] | None = None
        for run in runs:
            if run is label or _LABEL.match(run.text.strip()):
                continue
            x0, y0, x1, y1 = run.page_box()
            below = ly0 - 2 <= y0 <= ly1 + 3 * label.size and lx0 - 5 <= x0 <= lx1 + 8 * label.size
            beside = abs(y0 - ly0) < 0.5 * label.size and lx1 <= x0 <= lx1 + 6 * label.size
            if below or beside:
                dist = abs(x0 - lx0) + 3 * abs(y0 - ly0)
                if best is None or dist < best[0]:
                    best = (dist, run)
        if best is not None:
            out.append(f"{label.text.strip()} {_line_from(best[1], runs)}")
    return out


def _line_from(first: Run, runs: Sequence[Run]) -> str:
    """The text of ``first`` and the runs that continue it on its baseline (OCR gives one run per word)."""
    words = [first]
    for run in sorted(runs, key=lambda r: r.u0):
        last = words[-1]
        if (run is not last and same_direction(last, run) and abs(run.v1 - last.v1) < 0.3 * last.size
                and 0 <= run.u0 - last.u1 < 1.5 * last.size and not _LABEL.match(run.text.strip())):
            words.append(run)
    return " ".join(r.text.strip() for r in words)
