"""Read a vector PDF drawing: text spans -> grouped callouts -> Dimensions, title block -> fields.

Pipeline per page: runs (``pdf_text``) -> groups and sheet areas (``pdf_layout``) -> dimensions
(``pdf_callouts``). Text that is not a callout is joined into lines and read by ``notes.read_notes``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pymupdf

from parsers.errors import CorruptDrawing, DrawingTooLarge, EncryptedPdf
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
from parsers.pdf_layout import Group, find_sheet, group_runs, is_feature_frame
from parsers.pdf_notes import in_sentence, is_wordy, note_lines
from parsers.pdf_strokes import circles, in_balloon, in_table_cell, is_boxed, segments
from parsers.pdf_text import attach_glyphs, extract_glyphs, extract_runs
from parsers.units import infer_units_from_values

logger = logging.getLogger(__name__)

_BARE_ZONE = re.compile(r"^(?:\d{1,2}|[A-Z])$")
# Many strokes and almost no text: the exporter drew the lettering as vectors.
_OUTLINED_TEXT_PATHS = 2000
_SCAN_MAX_RUNS = 5
_MUPDF_ERRORS: tuple[type[Exception], ...] = (RuntimeError, cast(Any, pymupdf).mupdf.FzErrorBase)


@dataclass
class _Page:
    number: int
    groups: list[tuple[Group, bool]] = field(default_factory=list)  # (group, boxed)
    note_lines: list[str] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)
    scanned: bool = False


def parse_pdf(data: bytes, filename: str, *, max_pages: int = 20) -> ParsedDrawing:
    """Read the callouts and title-block fields of a vector PDF drawing.

    Args:
        data: the PDF's bytes.
        filename: the attachment's name, kept in the result and in error messages.
        max_pages: refuse documents with more pages than this.

    Returns:
        The drawing; nominal values in drawing units, pages 1-based.

    Raises:
        CorruptDrawing: the bytes are not a readable PDF.
        EncryptedPdf: the PDF needs a password.
        DrawingTooLarge: more than ``max_pages`` pages.
    """
    try:
        doc: Any = cast(Any, pymupdf).open(stream=data, filetype="pdf")
    except Exception as exc:  # pymupdf raises several unrelated types for broken files
        raise CorruptDrawing(f"{filename!r} is not a readable PDF: {exc}", filename=filename) from exc
    with doc:
        if doc.needs_pass:
            raise EncryptedPdf(filename=filename)
        if doc.page_count == 0:
            raise CorruptDrawing(f"{filename!r} has no pages.", filename=filename)
        if doc.page_count > max_pages:
            raise DrawingTooLarge(
                f"{filename!r} has {doc.page_count} pages; at most {max_pages} are read.", filename=filename
            )
        try:
            pages = [_read_page(page, number) for number, page in enumerate(doc, start=1)]
        except _MUPDF_ERRORS as exc:  # damaged content streams surface here, not at open()
            raise CorruptDrawing(f"{filename!r}: page content is damaged: {exc}", filename=filename) from exc
        page_count = doc.page_count
    return _build(pages, filename=filename, page_count=page_count)


def _read_page(page: Any, number: int) -> _Page:
    out = _Page(number)
    runs = extract_runs(page.get_text("rawdict"))
    drawings = page.get_drawings()
    if len(runs) < _SCAN_MAX_RUNS and page.get_images():
        # An image with (almost) no text: a scan, perhaps with a stamped header. No OCR here.
        out.scanned = True
        out.issues.append(ParseIssue(code=IssueCode.NO_TEXT_LAYER,
                                     detail=f"page {number} is a scanned image with {len(runs)} text spans"))
    if not runs:
        return out
    if len(drawings) > _OUTLINED_TEXT_PATHS and len(runs) < 10:
        out.issues.append(ParseIssue(
            code=IssueCode.NO_TEXT_LAYER,
            detail=f"page {number} has {len(drawings)} vector paths but only {len(runs)} text spans: "
                   "its lettering is drawn as strokes and cannot be read"))
    runs = attach_glyphs(runs, extract_glyphs(drawings))
    sheet = find_sheet(runs, width=page.rect.width, height=page.rect.height)
    strokes = segments(drawings)
    rings = circles(drawings)
    wordy = [r for r in runs if is_wordy(r)]
    for group in group_runs(runs):
        box = group.page_box()
        text = group.text
        if (sheet.in_title_block(box) or (sheet.in_edge_band(box) and _BARE_ZONE.match(text))
                or not re.search(r"\d", text) or in_sentence(group, wordy)
                or (_BARE_ZONE.match(text) and in_balloon(group, rings))
                or read_group(group, units="mm", page=number) is None):
            continue  # its runs are read as note text below
        boxed = is_boxed(group, strokes)
        if (boxed and is_feature_frame(group, runs)) or (not boxed and in_table_cell(group, strokes, runs)):
            continue
        out.groups.append((group, boxed))
    out.note_lines += note_lines(runs, skip={id(r) for g, _ in out.groups for r in g.runs})
    return out


def _build(pages: list[_Page], *, filename: str, page_count: int) -> ParsedDrawing:
    issues = [issue for page in pages for issue in page.issues]
    note_lines = [line for page in pages for line in page.note_lines]
    notes = read_notes(note_lines)
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
    scanned = any(i.code is IssueCode.NO_TEXT_LAYER for i in issues)
    for page in pages:
        if not any(d.page == page.number for d in dimensions) and not page.scanned:
            issues.append(ParseIssue(code=IssueCode.NO_DIMENSIONS,
                                     detail=f"page {page.number}: no dimension callouts found"))
    if not dimensions and scanned and not any(i.code is IssueCode.NO_DIMENSIONS for i in issues):
        issues.append(ParseIssue(code=IssueCode.NO_DIMENSIONS, detail="no readable dimension callouts"))
    low = [d for d in dimensions if d.confidence < 0.7]
    if low:
        issues.append(ParseIssue(code=IssueCode.LOW_CONFIDENCE,
                                 detail=f"{len(low)} isolated numbers read as dimensions"))
    envelope = _envelope(read)
    if envelope is not None:
        detail = ("envelope from the largest linear callout written along each sheet axis (square and "
                  "diameter callouts fill a missing axis); not measured from the view geometry")
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
        issues=tuple(issues),
    )


def _read_all(pages: Sequence[_Page], units: Units) -> list[tuple[Dimension, Group]]:
    return [(d, g) for page in pages for g, boxed in page.groups
            if (d := read_group(g, units=units, page=page.number, basic=boxed))]


def _envelope(read: Sequence[tuple[Dimension, Group]]) -> Envelope | None:
    """Largest printed size along each sheet axis, from the callouts' reading directions."""
    across: list[float] = []
    down: list[float] = []
    both: list[float] = []
    for dim, group in read:
        if dim.reference or dim.count > 1 or dim.confidence < 0.7:
            continue
        if dim.kind is DimensionKind.DIAMETER or (dim.kind is DimensionKind.LINEAR and "□" in dim.text):
            both.append(dim.nominal)
        elif dim.kind is DimensionKind.LINEAR:
            run = group.runs[0]
            if abs(run.dx) > 0.9:
                across.append(dim.nominal)
            elif abs(run.dy) > 0.9:
                down.append(dim.nominal)
    if not (across or down or both):
        return None
    round_ = max(both, default=0.0)
    x = max(across, default=round_)
    y = max(down, default=round_)
    return Envelope(x=max(x, round_), y=max(y, round_))
