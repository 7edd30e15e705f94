"""PDF reading, last step: what was read on a part's pages -> one ParsedDrawing (units, callouts, envelope).

OCR'd callouts are capped at ``OCR_CONFIDENCE``; a tolerance OCR read doubtfully is dropped and said so,
never passed on as a confident value.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from parsers.models import (
    Dimension,
    DimensionKind,
    DrawingKind,
    Envelope,
    IssueCode,
    ParsedDrawing,
    ParseIssue,
    Units,
)
from parsers.notes import read_notes
from parsers.pdf_callouts import read_group
from parsers.pdf_layout import Group
from parsers.pdf_ocr import OCR_CONFIDENCE
from parsers.units import infer_units_from_values

logger = logging.getLogger(__name__)

# A printed deviation larger than this share of the size is not believed from OCR.
_OCR_MAX_DEVIATION_SHARE = 0.2


@dataclass
class PageRead:
    """What one page gave: callout groups (group, boxed, doubtful), note lines and issues."""

    number: int
    groups: list[tuple[Group, bool, bool]] = field(default_factory=list)
    note_lines: list[str] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)
    scanned: bool = False
    ocr: bool = False
    document: bool = False


def build_drawing(pages: Sequence[PageRead], *, filename: str, page_count: int) -> ParsedDrawing:
    """Assemble one part's drawing from its pages.

    Args:
        pages: the part's pages, in order.
        filename: the attachment's name.
        page_count: pages in the whole file.

    Returns:
        The drawing; values in drawing units.
    """
    issues = [issue for page in pages for issue in page.issues]
    note_lines = [line for page in pages for line in page.note_lines]
    notes = read_notes(note_lines)
    if pages and all(page.document for page in pages):
        issues.append(ParseIssue(code=IssueCode.NOT_A_DRAWING,
                                 detail="the pages read as a text document (a letter, an invoice), not a drawing"))
        # Its text is no title block: no material, part number or tolerance is taken from it.
        return ParsedDrawing(file=filename, format=DrawingKind.PDF, pages=page_count,
                             notes=tuple(note_lines), issues=tuple(issues),
                             page_numbers=tuple(p.number for p in pages))
    units: Units | None = notes.units_hint
    read = _read_all(pages, units or "mm")
    if units is None and read:
        values = [d.nominal for d, _ in read if d.kind in (DimensionKind.LINEAR, DimensionKind.DIAMETER)]
        units = infer_units_from_values(values)
        commas = " with comma decimals" if any("," in d.text for d, _ in read) else ""
        issues.append(ParseIssue(code=IssueCode.UNITS_INFERRED,
                                 detail=f"no units note; read as {units} from {len(values)} values{commas}"))
        if units != "mm":
            read = _read_all(pages, units)
    elif units is None:
        units = "mm"
        issues.append(ParseIssue(code=IssueCode.UNITS_ASSUMED, detail="no units note, no values: assumed mm"))
    dimensions = tuple(d for d, _ in read)
    issues += _callout_issues(pages, dimensions)
    envelope = None
    if (found := _envelope(read)) is not None:
        envelope, detail = found
        if notes.thickness is not None:
            envelope = Envelope(x=envelope.x, y=envelope.y, z=notes.thickness)
            detail += "; z from the thickness note"
        issues.append(ParseIssue(code=IssueCode.ENVELOPE_ESTIMATED, detail=detail))
    logger.debug("%s: %d dimensions, %d note lines", filename, len(dimensions), len(note_lines))
    return ParsedDrawing(
        file=filename, format=DrawingKind.PDF, units=units, envelope=envelope,
        general_tolerance=notes.general_tolerance, material=notes.material, finish=notes.finish,
        part_number=notes.part_number, revision=notes.revision, thickness=notes.thickness,
        quantity=notes.quantity, pages=page_count, notes=tuple(note_lines), dimensions=dimensions,
        issues=tuple(issues), page_numbers=tuple(p.number for p in pages),
    )


def _callout_issues(pages: Sequence[PageRead], dimensions: Sequence[Dimension]) -> list[ParseIssue]:
    issues = []
    for page in pages:
        found = sum(1 for d in dimensions if d.page == page.number)
        if page.ocr:
            doubtful = sum(1 for g in page.groups if g[2])
            detail = (f"page {page.number}: {found} callouts read by OCR carry confidence <= {OCR_CONFIDENCE}"
                      if found else f"page {page.number}: OCR found no readable dimension callouts")
            if doubtful:
                detail += f"; {doubtful} printed tolerances could not be read and were left out"
            issues.append(ParseIssue(code=IssueCode.LOW_CONFIDENCE,
                                     detail=detail + "; a vector PDF or DXF would be read reliably"))
        elif not found and not page.scanned:
            issues.append(ParseIssue(code=IssueCode.NO_DIMENSIONS,
                                     detail=f"page {page.number}: no dimension callouts found"))
    if not dimensions and not any(i.code is IssueCode.NO_DIMENSIONS for i in issues):
        issues.append(ParseIssue(code=IssueCode.NO_DIMENSIONS, detail="no readable dimension callouts"))
    ocr_pages = {p.number for p in pages if p.ocr}
    low = [d for d in dimensions if d.confidence < 0.7 and d.page not in ocr_pages]
    if low:
        issues.append(ParseIssue(code=IssueCode.LOW_CONFIDENCE,
                                 detail=f"{len(low)} isolated numbers read as dimensions"))
    return issues


def _read_all(pages: Sequence[PageRead], units: Units) -> list[tuple[Dimension, Group]]:
    out = []
    for page in pages:
        for group, boxed, doubtful in page.groups:
            dim = read_group(group, units=units, page=page.number, basic=boxed)
            if dim is not None:
                out.append((_from_ocr(dim, doubtful=doubtful) if page.ocr else dim, group))
    return out


def _from_ocr(dim: Dimension, *, doubtful: bool) -> Dimension:
    """Cap an OCR'd callout's confidence; drop a tolerance that OCR cannot vouch for."""
    update: dict[str, object] = {"confidence": min(dim.confidence, OCR_CONFIDENCE)}
    if dim.upper is not None and dim.lower is not None:
        limit = _OCR_MAX_DEVIATION_SHARE * abs(dim.nominal)
        if dim.upper < dim.lower or max(abs(dim.upper), abs(dim.lower)) > limit:
            doubtful = True
    if doubtful:
        update.update(upper=None, lower=None, fit=None, confidence=min(dim.confidence, OCR_CONFIDENCE) - 0.2)
    return dim.model_copy(update=update)


def _envelope(read: Sequence[tuple[Dimension, Group]]) -> tuple[Envelope, str] | None:
    """Largest printed size along each sheet axis, from the callouts' reading directions, and how."""
    across: list[Dimension] = []
    down: list[Dimension] = []
    both: list[Dimension] = []
    for dim, group in read:
        if dim.reference or dim.count > 1 or dim.confidence < 0.7:
            continue
        if dim.kind is DimensionKind.DIAMETER or (dim.kind is DimensionKind.LINEAR and "□" in dim.text):
            both.append(dim)
        elif dim.kind is DimensionKind.LINEAR:
            run = group.runs[0]
            if abs(run.dx) > 0.9:
                across.append(dim)
            elif abs(run.dy) > 0.9:
                down.append(dim)
    if not (across or down or both):
        return None
    round_ = [max(both, key=lambda d: d.nominal)] if both else []
    x = max(across + round_, key=lambda d: d.nominal, default=None)
    y = max(down + round_, key=lambda d: d.nominal, default=None)
    how = (f"envelope x {_source(x)}, y {_source(y)}: the largest callout written along each sheet axis, "
           "a diameter or square filling a missing axis; not measured from the view geometry")
    return Envelope(x=x.nominal if x else 0.0, y=y.nominal if y else 0.0), how


def _source(dim: Dimension | None) -> str:
    return f"{dim.nominal:g} from {dim.text!r} (page {dim.page})" if dim else "0 (no callout along it)"
