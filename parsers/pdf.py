"""Read a vector or scanned PDF drawing: text spans -> grouped callouts -> Dimensions, title block -> fields.

Pipeline per page: runs (``pdf_text``, or ``pdf_ocr`` when the page has no usable text layer) -> groups
and sheet areas (``pdf_layout``) -> dimensions (``pdf_callouts``). Text that is not a callout is joined
into lines and read by ``notes.read_notes``. Pages are split into parts by their title blocks
(``pdf_set``) and each part becomes one ParsedDrawing (``pdf_build``).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from typing import Any, cast

import pymupdf

from parsers.errors import CorruptDrawing, EncryptedPdf
from parsers.limits import DEFAULT_MAX_PAGES
from parsers.models import IssueCode, ParsedDrawing, ParseIssue
from parsers.pdf_build import PageRead, build_drawing
from parsers.pdf_callouts import read_group
from parsers.pdf_layout import Group, find_sheet, group_runs, is_feature_frame
from parsers.pdf_notes import in_sentence, is_wordy, note_lines
from parsers.pdf_ocr import TILE_FONT, clean_word, find_tessdata, lettering_paths, ocr_page
from parsers.pdf_set import is_document_page, split_parts
from parsers.pdf_strokes import circles, in_balloon, in_table_cell, is_boxed, segments
from parsers.pdf_text import Run, attach_glyphs, extract_glyphs, extract_runs

logger = logging.getLogger(__name__)

_BARE_ZONE = re.compile(r"^(?:\d{1,2}|[A-Z])$")
# Many strokes and almost no text: the exporter drew the lettering as vectors.
_OUTLINED_MIN_GLYPHS = 100
_OUTLINED_MAX_RUNS = 10
_SCAN_MAX_RUNS = 5
_MAX_OCR_PAGES = 4
# Marks OCR makes of hatching and symbols, a letter glued to a number ("7a"), a material grade ("61-T6"),
# a degree sign inside a number ("80°55").
_OCR_NOISE = re.compile(r"[\[\]{}|@©§#&%$!?;:\"'_=~<>\\]|\d[a-wyzA-GI-LN-WYZ]|-[A-Z]+\d|°\d")
_MUPDF_ERRORS: tuple[type[Exception], ...] = (RuntimeError, cast(Any, pymupdf).mupdf.FzErrorBase)


def parse_pdf(data: bytes, filename: str, *, max_pages: int = DEFAULT_MAX_PAGES,
              environ: Mapping[str, str] | None = None) -> ParsedDrawing:
    """Read the callouts and title-block fields of a PDF drawing (the first part of a drawing set).

    Args:
        data: the PDF's bytes.
        filename: the attachment's name, kept in the result and in error messages.
        max_pages: read at most this many pages; later pages are skipped and an issue says so.
        environ: where to look for ``TESSDATA_PREFIX`` (default: the process environment).

    Returns:
        The drawing of the first part; nominal values in drawing units, pages 1-based. When the file
        holds several parts, a ``drawing-set`` issue says how many (see ``parse_drawing_set``).

    Raises:
        CorruptDrawing: the bytes are not a readable PDF, or it has no pages.
        EncryptedPdf: the PDF needs a password.
    """
    parts = parse_drawing_set(data, filename, max_pages=max_pages, environ=environ)
    first = parts[0]
    if len(parts) == 1:
        return first
    names = ", ".join(f"{p.part_number or '?'} (pages {_pages(p.page_numbers)})" for p in parts)
    issue = ParseIssue(code=IssueCode.DRAWING_SET,
                       detail=f"the file is a drawing set of {len(parts)} parts: {names}; this is the first")
    return first.model_copy(update={"issues": (*first.issues, issue)})


def parse_drawing_set(data: bytes, filename: str, *, max_pages: int = DEFAULT_MAX_PAGES,
                      environ: Mapping[str, str] | None = None) -> tuple[ParsedDrawing, ...]:
    """Read a PDF drawing set: one ParsedDrawing per part, split by the parts' title blocks.

    Each page is a sheet; a page whose title block names another part number starts a new part, and
    pages without one (continuation sheets) belong to the part before them.

    Args:
        data: the PDF's bytes.
        filename: the attachment's name, kept in the results and in error messages.
        max_pages: read at most this many pages; later pages are skipped and an issue says so.
        environ: where to look for ``TESSDATA_PREFIX`` (default: the process environment).

    Returns:
        At least one drawing, each with its ``page_numbers``.

    Raises:
        CorruptDrawing: the bytes are not a readable PDF, or it has no pages.
        EncryptedPdf: the PDF needs a password.
    """
    try:
        doc: Any = cast(Any, pymupdf).open(stream=data, filetype="pdf")
    except Exception as exc:  # pymupdf raises several unrelated types for broken files
        raise CorruptDrawing(f"{filename!r} is not a readable PDF: {exc}", filename=filename) from exc
    with doc:
        try:
            if doc.needs_pass:
                raise EncryptedPdf(filename=filename)
            page_count, repaired = doc.page_count, doc.is_repaired
        except _MUPDF_ERRORS as exc:  # a damaged page tree ("Invalid number of pages") surfaces here
            raise CorruptDrawing(f"{filename!r}: its page tree is damaged: {exc}", filename=filename) from exc
        if page_count == 0:
            raise CorruptDrawing(f"{filename!r} has no pages.", filename=filename)
        file_issues = []
        if repaired:
            file_issues.append(ParseIssue(code=IssueCode.PDF_REPAIRED,
                                          detail="the PDF's cross-reference table was damaged and rebuilt"))
        if page_count > max_pages:
            file_issues.append(ParseIssue(code=IssueCode.PAGES_SKIPPED, detail=_pages_skipped(page_count, max_pages)))
        tessdata = find_tessdata(os.environ if environ is None else environ)
        pages: list[PageRead] = []
        try:
            for number in range(1, min(page_count, max_pages) + 1):
                ocr_left = _MAX_OCR_PAGES - sum(p.ocr for p in pages)
                try:
                    page = doc[number - 1]
                except IndexError as exc:  # the page tree counts more pages than it holds
                    raise CorruptDrawing(f"{filename!r}: page {number} of {page_count} is missing",
                                         filename=filename) from exc
                pages.append(_read_page(page, number, tessdata=tessdata if ocr_left > 0 else None,
                                        ocr_capped=ocr_left <= 0))
        except _MUPDF_ERRORS as exc:  # damaged content streams surface here, not at open()
            raise CorruptDrawing(f"{filename!r}: page content is damaged: {exc}", filename=filename) from exc
    parts = split_parts(pages)
    drawings = [build_drawing(part, filename=filename, page_count=page_count) for part in parts]
    first = drawings[0]
    drawings[0] = first.model_copy(update={"issues": (*file_issues, *first.issues)})
    return tuple(drawings)


def _pages_skipped(page_count: int, max_pages: int) -> str:
    one = page_count == max_pages + 1
    rest = f"page {page_count}" if one else f"pages {max_pages + 1}-{page_count}"
    read, most = ("page 1", "1 page") if max_pages == 1 else (f"pages 1-{max_pages}", f"{max_pages:,} pages")
    return (f"the file has {page_count:,} pages; I read {read} (at most {most} of one file). "
            f"Send {rest} as a separate file to have {'it' if one else 'them'} read too.")


def _pages(numbers: tuple[int, ...]) -> str:
    return f"{numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else str(numbers[0]) if numbers else "?"


def _read_page(page: Any, number: int, *, tessdata: str | None, ocr_capped: bool) -> PageRead:
    out = PageRead(number)
    # dict.fromkeys: text drawn twice in the same place (overprinted for boldness, or a repeated content
    # stream) is read once; thousands of copies would otherwise make grouping quadratic
    runs = list(dict.fromkeys(extract_runs(page.get_text("rawdict"))))
    drawings = page.get_drawings()
    outlined = len(runs) < _OUTLINED_MAX_RUNS and len(lettering_paths(drawings)) >= _OUTLINED_MIN_GLYPHS
    if len(runs) < _SCAN_MAX_RUNS and _has_images(page):
        out.scanned = True
        out.issues.append(ParseIssue(code=IssueCode.NO_TEXT_LAYER,
                                     detail=f"page {number} is a scanned image with {len(runs)} text spans"))
    elif outlined:
        out.issues.append(ParseIssue(
            code=IssueCode.NO_TEXT_LAYER,
            detail=f"page {number} has {len(drawings)} vector paths but only {len(runs)} text spans: "
                   "its lettering is drawn as strokes"))
    if out.scanned or outlined:
        if tessdata is None:
            reason = (f"at most {_MAX_OCR_PAGES} pages are read by OCR" if ocr_capped else
                      "OCR is not available (Tesseract's language data was not found)")
            out.issues.append(ParseIssue(code=IssueCode.OCR_UNAVAILABLE, detail=f"page {number}: {reason}"))
        else:
            read = ocr_page(page, tessdata=tessdata, strokes=outlined)
            out.ocr = True
            out.issues.append(ParseIssue(
                code=IssueCode.OCR, detail=f"page {number} read by OCR at {read.dpi} dpi"))
            runs = _merge(_ocr_runs(extract_runs(read.page_dict)), runs)
    if not runs:
        return out
    runs = attach_glyphs(runs, extract_glyphs(drawings))
    sheet = find_sheet(runs, width=page.rect.width, height=page.rect.height)
    strokes = segments(drawings)
    if not out.ocr and is_document_page(runs, strokes=len(strokes.segs), title_block=sheet.title_block):
        out.document = True
        out.note_lines += note_lines(runs, skip=set())
        return out
    rings = circles(drawings)
    wordy = [r for r in runs if is_wordy(r)]
    for group in group_runs(runs):
        box = group.page_box()
        text = group.text
        if (sheet.in_title_block(box) or (sheet.in_edge_band(box) and _BARE_ZONE.match(text))
                or not re.search(r"\d", text) or in_sentence(group, wordy)
                or (_BARE_ZONE.match(text) and in_balloon(group, rings))):
            continue  # its runs are read as note text below
        if out.ocr and any(is_wordy(r) for r in group.runs):
            continue
        doubtful = False
        if out.ocr and not group.stacked:
            part = _readable_part(group, number)
            if part is None:
                continue
            group, doubtful = part
        elif read_group(group, units="mm", page=number) is None:
            continue
        boxed = is_boxed(group, strokes)
        if (boxed and is_feature_frame(group, runs)) or (not boxed and in_table_cell(group, strokes, runs)):
            continue
        out.groups.append((group, boxed, doubtful))
    out.note_lines += note_lines(runs, skip={id(r) for g, _, _ in out.groups for r in g.runs})
    return out


def _has_images(page: Any) -> bool:
    """Whether the page shows images; False when PyMuPDF cannot look the page up again in a damaged page
    tree ("bad page number(s)"): its text and strokes were read already."""
    try:
        return bool(page.get_images())
    except ValueError:
        return False


def _merge(ocr_runs: list[Run], native: list[Run]) -> list[Run]:
    """OCR runs plus the page's own text spans that OCR did not also read."""
    boxes = [r.page_box() for r in ocr_runs]
    kept = [r for r in native if not any(_overlap(r.page_box(), b) for b in boxes)]
    return ocr_runs + kept


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _readable_part(group: Group, number: int) -> tuple[Group, bool] | None:
    """The longest run of words of an OCR'd group that reads as a callout ("2x Ø19,9" of "2x Ø19,9 31",
    where OCR garbled a stacked tolerance), and whether digits were left out (a tolerance then is
    doubtful); None when no part reads."""
    words = clean_word(group.text).split()
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            if any(_is_ocr_noise(w) for w in words[start:start + size]):
                continue
            candidate = Group(group.runs, " ".join(words[start:start + size]), "", "", "")
            if read_group(candidate, units="mm", page=number) is not None:
                left_out = words[:start] + words[start + size:]
                return candidate, any(ch.isdigit() for w in left_out for ch in w)
    return None


def _ocr_runs(runs: list[Run]) -> list[Run]:
    """Drop OCR's reading of hatching and graphics (wordless runs far larger than the lettering), and
    second readings of the same text (the page is read whole first, then in tiles: the first wins)."""
    if not runs:
        return runs
    sizes = sorted(r.size for r in runs)
    median = sizes[len(sizes) // 2]
    kept: list[Run] = []
    for run in runs:
        if run.size > (3.0 if any(ch.isdigit() for ch in run.text) else 2.5) * median:
            continue
        box = run.page_box()
        clash = [other for other in kept if run.font == TILE_FONT and _same_place(run, box, other)]
        # A reading with digits wins over a wordless one in the same place (a turned value read as "a)").
        if clash and (not _has_digit(run) or any(_has_digit(other) for other in clash)):
            continue
        kept = [other for other in kept if all(other is not c for c in clash)] + [run]
    return kept


def _has_digit(run: Run) -> bool:
    return any(ch.isdigit() for ch in run.text)


def _same_place(run: Run, box: tuple[float, float, float, float], other: Run) -> bool:
    theirs = other.page_box()
    area = min((box[2] - box[0]) * (box[3] - box[1]), (theirs[2] - theirs[0]) * (theirs[3] - theirs[1]))
    if _shared_area(box, theirs) > 0.3 * max(area, 1e-6):
        return True
    if _shared_area(box, theirs) > 0 and _numbers(run) & _numbers(other):
        return True  # "4X" of a tile overlapping "4X Ø5.5 THRU" of the page
    near = max(abs(box[0] - theirs[0]), abs(box[1] - theirs[1])) < max(run.size, other.size)
    return near and run.text.strip() == other.text.strip()


def _numbers(run: Run) -> set[str]:
    return {w for w in run.text.split() if any(ch.isdigit() for ch in w)}


def _shared_area(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _is_ocr_noise(text: str) -> bool:
    """OCR of hatching, arrows and symbols: brackets, marks, or a letter glued to a number ("7a")."""
    return bool(_OCR_NOISE.search(text))
