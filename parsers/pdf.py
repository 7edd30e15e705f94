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


