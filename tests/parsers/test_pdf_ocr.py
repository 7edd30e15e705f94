"""OCR of PDF pages without a usable text layer: scans and lettering drawn as outlines.

The drawings are fixtures/drawings/pdf_cases/ (make_pdf_cases.py): a vector plate, the same plate as a
200 dpi image, and the same plate with its glyphs turned into vector outlines.
"""

from __future__ import annotations

import time
from pathlib import Path

import pymupdf
import pytest

from parsers.models import DimensionKind, IssueCode, ParsedDrawing
from parsers.pdf import parse_pdf
from parsers.pdf_ocr import OCR_CONFIDENCE, clean_word, find_tessdata, ocr_dpi
from tests.conftest import DRAWINGS

CASES = DRAWINGS / "pdf_cases"
TESSDATA = find_tessdata({})
needs_tesseract = pytest.mark.skipif(
    TESSDATA is None, reason="Tesseract language data (eng.traineddata) not found: install tesseract-ocr"
)
# What the plate prints: nominal -> (kind, upper, lower) for the toleranced ones.
PLATE = {120.0: DimensionKind.LINEAR, 60.0: DimensionKind.LINEAR, 45.0: DimensionKind.LINEAR,
         6.5: DimensionKind.DIAMETER, 8.0: DimensionKind.RADIUS, 10.0: DimensionKind.DIAMETER}
PRINTED_TOLERANCES = {10.0: (0.015, 0.0)}


def _read(name: str) -> ParsedDrawing:
    return parse_pdf((CASES / name).read_bytes(), name)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("03.6", "Ø3.6"),
        ("D19,9", "Ø19,9"),
        ("O3.6", "Ø3.6"),
        ("RO,15", "R0,15"),
        ("D 16,5", "Ø 16,5"),
        pytest.param("0,8", "0,8", id="leading-zero-decimal-kept"),
        pytest.param("0.5", "0.5", id="leading-zero-point-kept"),
        pytest.param("2x", "2x", id="count-kept"),
        pytest.param("DATE", "DATE", id="word-kept"),
    ],
)
def test_clean_word_puts_back_what_ocr_confuses(word: str, expected: str) -> None:
    assert clean_word(word) == expected
    assert len(clean_word(word)) == len(word)


def test_ocr_resolution_is_capped_for_large_sheets() -> None:
    assert ocr_dpi(842, 595) == 300  # A4
    a0 = ocr_dpi(3370, 2384)
    assert 100 <= a0 < 300
    assert (3370 * a0 / 72) * (2384 * a0 / 72) <= 16_000_000
    poster = ocr_dpi(20000, 20000)
    assert (20000 * poster / 72) ** 2 <= 16_000_000


def test_tessdata_prefix_is_honoured(tmp_path: Path) -> None:
    (tmp_path / "tessdata").mkdir()
    (tmp_path / "tessdata" / "eng.traineddata").write_bytes(b"")
    assert find_tessdata({"TESSDATA_PREFIX": str(tmp_path)}) == str(tmp_path / "tessdata")


def test_without_tesseract_the_scan_says_ocr_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("parsers.pdf_ocr._installed_tessdata", lambda: None)
    drawing = parse_pdf((CASES / "plate_scan.pdf").read_bytes(), "scan.pdf", environ={})
    codes = {i.code for i in drawing.issues}
    assert {IssueCode.NO_TEXT_LAYER, IssueCode.OCR_UNAVAILABLE, IssueCode.NO_DIMENSIONS} <= codes
    assert drawing.dimensions == ()


def _check_ocr_reading(drawing: ParsedDrawing, *, at_least: int) -> None:
    codes = {i.code for i in drawing.issues}
    assert {IssueCode.NO_TEXT_LAYER, IssueCode.OCR, IssueCode.LOW_CONFIDENCE} <= codes
    found = {d.nominal: d for d in drawing.dimensions}
    assert len(set(found) & set(PLATE)) >= at_least, [d.text for d in drawing.dimensions]
    for dim in drawing.dimensions:
        assert dim.confidence <= OCR_CONFIDENCE
        if dim.upper is not None:  # a tolerance that is kept must be the printed one
            assert (dim.upper, dim.lower) == PRINTED_TOLERANCES.get(dim.nominal), dim.text
    assert drawing.material == "6061-T6"
    assert drawing.part_number == "PL-100"


@needs_tesseract
def test_scanned_drawing_is_read_by_ocr_at_lower_confidence() -> None:
    start = time.perf_counter()
    drawing = _read("plate_scan.pdf")
    assert time.perf_counter() - start < 20  # bounded: one A4 page at 300 dpi
    _check_ocr_reading(drawing, at_least=4)
    assert drawing.envelope is None  # OCR'd sizes are not trusted for the stock size


@needs_tesseract
def test_lettering_drawn_as_outlines_is_read_by_ocr() -> None:
    drawing = _read("plate_outlined.pdf")
    _check_ocr_reading(drawing, at_least=5)
    assert drawing.general_tolerance is not None and "2768" in drawing.general_tolerance


def test_vector_plate_is_not_ocred() -> None:
    drawing = _read("plate.pdf")
    codes = {i.code for i in drawing.issues}
    assert IssueCode.OCR not in codes and IssueCode.NO_TEXT_LAYER not in codes
    assert {d.nominal: d.kind for d in drawing.dimensions} == PLATE


@needs_tesseract
def test_at_most_four_pages_are_ocred() -> None:
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 40), False)
    pix.clear_with(255)
    doc = pymupdf.open()
    for _ in range(5):  # small blank scans: the cap is what is tested, not the reading
        doc.new_page(width=120, height=80).insert_image(pymupdf.Rect(0, 0, 120, 80), pixmap=pix)
    drawing = parse_pdf(doc.tobytes(), "five_scans.pdf")
    ocr = [i for i in drawing.issues if i.code is IssueCode.OCR]
    skipped = [i.detail for i in drawing.issues if i.code is IssueCode.OCR_UNAVAILABLE]
    assert len(ocr) == 4
    assert skipped == ["page 5: at most 4 pages are read by OCR"]
