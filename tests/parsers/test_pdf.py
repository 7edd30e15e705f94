"""parse_pdf on drawings built in code with PyMuPDF: callout assembly, sheet areas, errors, issues."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pymupdf
import pytest

from parsers import parse_drawing
from parsers.errors import CorruptDrawing, EncryptedPdf
from parsers.models import Dimension, DimensionKind, IssueCode, ParsedDrawing
from parsers.pdf import parse_pdf
from parsers.pdf_callouts import read_group
from parsers.pdf_layout import Group
from parsers.pdf_text import Run, extract_runs

Page = Any
W, H = 842.0, 595.0  # A4 landscape, points


def _text(page: Page, x: float, y: float, text: str, *, size: float = 12, rotate: int = 0) -> None:
    page.insert_text((x, y), text, fontsize=size, fontname="helv", rotate=rotate)


def _stack(page: Page, x: float, y: float, top: str, bottom: str, *, size: float = 8) -> None:
    """Two small rows after a value whose baseline is y: top row raised, bottom row on the baseline."""
    _text(page, x, y - size * 0.9, top, size=size)
    _text(page, x, y + size * 0.1, bottom, size=size)


def _sheet(page: Page, *, notes: tuple[str, ...] = ("DIMENSIONS IN MM",)) -> None:
    """Border, zone markers, a ruled title block with filled cells, and notes."""
    page.draw_rect(pymupdf.Rect(20, 20, W - 20, H - 20), width=1.5)
    for i, x in enumerate((150, 350, 550, 750), start=1):
        _text(page, x, 15, str(i), size=9)
        _text(page, x, H - 8, str(i), size=9)
    for letter, y in (("A", 120), ("B", 300), ("C", 480)):
        _text(page, 8, y, letter, size=9)
    x0, y0 = 520.0, 480.0
    page.draw_rect(pymupdf.Rect(x0, y0, W - 20, H - 20), width=1)
    for y in (505, 530, 555):
        page.draw_line((x0, y), (W - 20, y))
    page.draw_line((680, y0), (680, H - 20))
    cells = [("TITLE:", "BRACKET 12"), ("DWG NO.", "40321-7"), ("MATERIAL:", "6061-T6"), ("SCALE", "1:2")]
    for row, (label, value) in enumerate(cells):
        _text(page, x0 + 4, y0 + 9 + 25 * row, label, size=6)
        _text(page, x0 + 30, y0 + 20 + 25 * row, value, size=9)
    _text(page, 684, y0 + 9, "REV", size=6)
    _text(page, 700, y0 + 20, "3", size=9)
    _text(page, 684, y0 + 34, "SHEET 1 OF 1", size=6)
    for n, note in enumerate(notes):
        _text(page, 40, 470 + 12 * n, note, size=9)


def _pdf(draw: Callable[[Page], None], *, sheet: bool = True, notes: tuple[str, ...] | None = None) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=W, height=H)
    if sheet:
        _sheet(page, notes=notes if notes is not None else ("DIMENSIONS IN MM",))
    draw(page)
    data: bytes = doc.tobytes()
    doc.close()
    return data


def _one(drawing: ParsedDrawing, nominal: float) -> Dimension:
    found = [d for d in drawing.dimensions if abs(d.nominal - nominal) < 1e-9]
    assert len(found) == 1, (nominal, [d.text for d in drawing.dimensions])
    return found[0]


def test_plain_and_prefixed_callouts() -> None:
    def draw(page: Page) -> None:
        _text(page, 100, 100, "120")
        _text(page, 100, 150, "Ø10 H7")
        _text(page, 100, 200, "4X Ø6.6 THRU")
        _text(page, 100, 250, "M6x1-6H")
        _text(page, 100, 300, "R2.5")
        _text(page, 100, 350, "45°")
        _text(page, 100, 400, "(30)")
        _text(page, 250, 100, "62.5 ±0.05")

    drawing = parse_pdf(_pdf(draw), "plate.pdf")
    assert sorted(d.nominal for d in drawing.dimensions) == [2.5, 6.0, 6.6, 10.0, 30.0, 45.0, 62.5, 120.0]
    assert _one(drawing, 10).kind is DimensionKind.DIAMETER and _one(drawing, 10).fit == "H7"
    assert _one(drawing, 10).upper == pytest.approx(0.015) and _one(drawing, 10).lower == 0.0
    hole = _one(drawing, 6.6)
    assert (hole.kind, hole.count, hole.upper) == (DimensionKind.DIAMETER, 4, None)
    assert _one(drawing, 6).kind is DimensionKind.THREAD
    assert _one(drawing, 2.5).kind is DimensionKind.RADIUS
    assert _one(drawing, 45).kind is DimensionKind.ANGULAR
    assert _one(drawing, 30).reference
    assert (_one(drawing, 62.5).upper, _one(drawing, 62.5).lower) == (0.05, -0.05)
    assert all(d.page == 1 for d in drawing.dimensions)
    assert _one(drawing, 120).confidence < _one(drawing, 62.5).confidence


def test_title_block_zone_markers_and_notes_are_not_callouts() -> None:
    drawing = parse_pdf(_pdf(lambda page: _text(page, 200, 200, "75")), "sheet.pdf")
    assert [d.nominal for d in drawing.dimensions] == [75.0]
    assert drawing.units == "mm"
    assert drawing.material is not None and "6061" in drawing.material
    assert drawing.part_number == "40321-7"


def test_stacked_deviations_after_the_value() -> None:
    def draw(page: Page) -> None:
        _text(page, 100, 100, "25")
        _stack(page, 115, 100, "+0.1", "-0.05")
        _text(page, 100, 200, "Ø12")
        _stack(page, 124, 200, "0", "-0.02")

    drawing = parse_pdf(_pdf(draw), "stack.pdf")
    shaft = _one(drawing, 25)
    assert (shaft.upper, shaft.lower, shaft.kind) == (0.1, -0.05, DimensionKind.LINEAR)
    pin = _one(drawing, 12)
    assert (pin.upper, pin.lower, pin.kind) == (0.0, -0.02, DimensionKind.DIAMETER)
    assert len(drawing.dimensions) == 2


def test_stacked_limits_and_fit_pair() -> None:
    def draw(page: Page) -> None:
        _text(page, 100, 100, "8.20")
        _text(page, 100, 112, "8.00")
        _text(page, 100, 200, "2x Ø6")
        _stack(page, 133, 200, "H7", "k6", size=9)

    drawing = parse_pdf(_pdf(draw), "limits.pdf")
    limits = _one(drawing, 8.0)
    assert limits.upper == pytest.approx(0.2) and limits.lower == 0.0
    fit = _one(drawing, 6.0)
    assert (fit.fit, fit.count, fit.kind) == ("H7/k6", 2, DimensionKind.DIAMETER)
    assert len(drawing.dimensions) == 2


def test_rotated_callouts() -> None:
    def draw(page: Page) -> None:
        _text(page, 300, 300, "40 ±0.02", rotate=90)
        _text(page, 400, 300, "18")
        _stack(page, 414, 300, "+0.2", "0")

    drawing = parse_pdf(_pdf(draw), "rotated.pdf")
    vertical = _one(drawing, 40)
    assert (vertical.upper, vertical.lower) == (0.02, -0.02)
    assert (_one(drawing, 18).upper, _one(drawing, 18).lower) == (0.2, 0.0)
    assert drawing.envelope is not None
    assert (drawing.envelope.x, drawing.envelope.y) == (18.0, 40.0)
    assert IssueCode.ENVELOPE_ESTIMATED in {i.code for i in drawing.issues}


def test_centred_small_tolerance_rotated_stack_and_two_line_note() -> None:
    def draw(page: Page) -> None:
        _text(page, 100, 200, "42")
        _text(page, 115, 195, "+0.05", size=7)
        _text(page, 115, 203, "-0.10", size=7)
        _text(page, 300, 300, "36", rotate=90)  # reads upwards; its tolerance rows sit left and right
        _text(page, 294, 286, "+0.1", size=7, rotate=90)
        _text(page, 301, 286, "0", size=7, rotate=90)
        _text(page, 100, 100, "4X Ø6.6 THRU", size=10)  # two tightly spaced lines of one hole note
        _text(page, 100, 110, "Ø11 DEEP 6", size=10)

    drawing = parse_pdf(_pdf(draw), "mixed.pdf")
    assert (_one(drawing, 42).upper, _one(drawing, 42).lower) == (0.05, -0.1)
    assert (_one(drawing, 36).upper, _one(drawing, 36).lower) == (0.1, 0.0)
    assert (_one(drawing, 6.6).count, _one(drawing, 11).kind) == (4, DimensionKind.DIAMETER)
    assert len(drawing.dimensions) == 4


def test_symbols_drawn_as_strokes_and_boxed_basic_value() -> None:
    def draw(page: Page) -> None:
        diameter = page.new_shape()  # a Ø drawn as one path: a circle and a stroke
        diameter.draw_circle((106, 96), 4)
        diameter.draw_line((101, 102), (111, 90))
        diameter.finish(width=0.5)
        diameter.commit()
        _text(page, 113, 100, "14")
        page.draw_rect(pymupdf.Rect(102, 192, 109, 199), width=0.5)  # a □ drawn as a square
        _text(page, 113, 200, "30")
        _text(page, 300, 100, "50")
        page.draw_rect(pymupdf.Rect(296, 88, 318, 104), width=0.5)
        _text(page, 300, 200, "70.5")
        plus_minus = page.new_shape()  # a ± drawn as three strokes
        plus_minus.draw_line((326, 200), (333, 200))
        plus_minus.draw_line((329.5, 197), (329.5, 190))
        plus_minus.draw_line((326, 194), (333, 194))
        plus_minus.finish(width=0.5, closePath=False)
        plus_minus.commit()
        _text(page, 335, 200, "0.05")

    drawing = parse_pdf(_pdf(draw), "glyphs.pdf")
    assert (_one(drawing, 70.5).upper, _one(drawing, 70.5).lower) == (0.05, -0.05)
    assert _one(drawing, 14).kind is DimensionKind.DIAMETER
    assert _one(drawing, 30).text.startswith("□")
    assert _one(drawing, 50).basic and not _one(drawing, 14).basic


def test_touching_values_sentences_balloons_and_dates() -> None:
    def draw(page: Page) -> None:
        _text(page, 100, 100, "8,500")  # two texts whose boxes touch, as separate text objects
        page.insert_text((131, 100), "15,500", fontsize=12, fontname="helv", color=(0, 0, 0.2))
        _text(page, 100, 200, "USE 3.99 MM PRECISION GROUND ROD")
        page.draw_circle((306, 296), 10)
        _text(page, 302, 300, "7")
        _text(page, 100, 300, "30.11.2018")

    drawing = parse_pdf(_pdf(draw, notes=()), "misc.pdf")
    assert sorted(d.nominal for d in drawing.dimensions) == [8.5, 15.5]
    assert drawing.units == "mm"
    assert IssueCode.UNITS_INFERRED in {i.code for i in drawing.issues}


def test_table_cells_and_feature_control_frames_are_not_callouts() -> None:
    def draw(page: Page) -> None:
        # a parts list above the title block: ruled cells holding bare numbers
        for y in (380, 395, 410):
            page.draw_line((520, y), (822, y))
        for x in (520, 560, 700, 822):
            page.draw_line((x, 380), (x, 410))
        for y, (item, name, qty) in zip((392, 407), (("1", "BASE", "2"), ("2", "PIN", "12")), strict=True):
            _text(page, 525, y, item, size=9)
            _text(page, 565, y, name, size=9)
            _text(page, 705, y, qty, size=9)
        # a feature control frame: |symbol|0.05|A|, one box per compartment
        for x0, x1 in ((100, 114), (114, 146), (146, 160)):
            page.draw_rect(pymupdf.Rect(x0, 288, x1, 304), width=0.5)
        _text(page, 117, 300, "0.05", size=10)
        _text(page, 149, 300, "A", size=10)
        _text(page, 300, 300, "64")
        # a small dimension whose value sits alone between its extension lines, dimension line and
        # the part edge: closed on four sides, but not a table
        page.draw_line((380, 60), (380, 200))
        for y in (100, 128):
            page.draw_line((382, y), (460, y))
        page.draw_line((450, 100), (450, 128))
        _text(page, 420, 119, "10")

    drawing = parse_pdf(_pdf(draw), "bom.pdf")
    assert sorted(d.nominal for d in drawing.dimensions) == [10.0, 64.0]


def test_units_and_general_tolerance_from_notes() -> None:
    notes = ("DIMENSIONS IN INCHES", "GENERAL TOLERANCES ±0.005")
    drawing = parse_pdf(_pdf(lambda page: _text(page, 100, 100, "1.250"), notes=notes), "inch.pdf")
    assert drawing.units == "in"
    assert drawing.general_tolerance == "+/-0.005"
    assert [d.units for d in drawing.dimensions] == ["in"]


def test_inch_fractions_inline_and_stacked() -> None:
    def draw(page: Page) -> None:
        _text(page, 100, 100, "1/4-20 UNC-2B")
        _text(page, 100, 150, "Ø3/4 THRU")
        _text(page, 100, 200, "2")
        _stack(page, 109, 200, "1", "2", size=7)

    drawing = parse_pdf(_pdf(draw, notes=("DIMENSIONS IN INCHES",)), "fractions.pdf")
    thread = _one(drawing, 0.25)
    assert (thread.kind, thread.thread) == (DimensionKind.THREAD, "1/4-20 UNC-2B")
    assert _one(drawing, 0.75).kind is DimensionKind.DIAMETER
    assert (_one(drawing, 2.5).upper, _one(drawing, 2.5).lower) == (None, None)


def test_general_tolerance_whose_plus_minus_sign_was_lost() -> None:
    notes = ("DIMENSIONS IN MM", "General tolerances 0.1mm")
    drawing = parse_pdf(_pdf(lambda page: _text(page, 100, 100, "12"), notes=notes), "gt.pdf")
    assert drawing.general_tolerance == "+/-0.1"
    assert [d.nominal for d in drawing.dimensions] == [12.0]


def test_symbol_font_letters_are_mapped() -> None:
    raw = {
        "blocks": [
            {
                "lines": [
                    {
                        "dir": (1.0, 0.0),
                        "spans": [
                            {"size": 10.0, "font": "AIGDT", "text": "n", "bbox": (10, 10, 16, 20)},
                            {
                                "size": 10.0,
                                "font": "Helvetica",
                                "text": "\ue101 12",
                                "bbox": (20, 10, 40, 20),
                            },
                        ],
                    }
                ]
            }
        ]
    }
    assert [r.text for r in extract_runs(raw)] == ["Ø", "Ø 12"]


@pytest.mark.parametrize(("text", "nominal"), [("⌴Ø11 ↧6.5", 11.0), ("⌵Ø12 X 90°", 12.0)])
def test_counterbore_countersink_and_depth_marks(text: str, nominal: float) -> None:
    run = Run(text=text, font="Helvetica", size=10, dx=1, dy=0, u0=0, u1=50, v0=0, v1=10)
    dim = read_group(Group((run,), text, "", "", ""), units="mm", page=1)
    assert dim is not None and (dim.nominal, dim.kind) == (nominal, DimensionKind.DIAMETER)


def test_page_without_callouts_reports_no_dimensions() -> None:
    drawing = parse_pdf(_pdf(lambda page: _text(page, 100, 100, "Ra 1.6")), "none.pdf")
    assert drawing.dimensions == ()
    assert IssueCode.NO_DIMENSIONS in {i.code for i in drawing.issues}


def test_pages_are_numbered_and_an_empty_page_is_reported() -> None:
    doc = pymupdf.open()
    for text in ("NOTES ONLY", "Ø16 H7"):
        _text(doc.new_page(width=W, height=H), 200, 200, text)
    drawing = parse_pdf(doc.tobytes(), "two.pdf")
    assert [(d.nominal, d.page) for d in drawing.dimensions] == [(16.0, 2)]
    assert drawing.pages == 2
    assert [i.detail for i in drawing.issues if i.code is IssueCode.NO_DIMENSIONS] == [
        "page 1: no dimension callouts found"
    ]


def test_image_only_page_reports_no_text_layer() -> None:
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 30), False)
    pix.clear_with(200)
    doc = pymupdf.open()
    doc.new_page(width=W, height=H).insert_image(pymupdf.Rect(0, 0, W, H), pixmap=pix)
    drawing = parse_drawing(doc.tobytes(), "scan.pdf")
    assert drawing.dimensions == ()
    assert {i.code for i in drawing.issues} >= {IssueCode.NO_TEXT_LAYER}


def test_corrupt_bytes_raise_corrupt_drawing() -> None:
    with pytest.raises(CorruptDrawing) as info:
        parse_pdf(b"%PDF-1.7\n" + b"\x00garbage" * 50, "broken.pdf")
    assert info.value.filename == "broken.pdf"
    assert info.value.__cause__ is not None


def test_password_protected_pdf_raises_encrypted() -> None:
    doc = pymupdf.open()
    _text(doc.new_page(), 100, 100, "25")
    aes_256 = pymupdf.PDF_ENCRYPT_AES_256  # type: ignore[attr-defined]
    data = doc.tobytes(encryption=aes_256, user_pw="x", owner_pw="y")
    with pytest.raises(EncryptedPdf):
        parse_pdf(data, "locked.pdf")


def test_page_limit_reads_the_first_pages_and_says_so() -> None:
    doc = pymupdf.open()
    for text in ("Ø10", "Ø20", "Ø30"):
        _text(doc.new_page(), 100, 100, text)
    drawing = parse_pdf(doc.tobytes(), "long.pdf", max_pages=2)
    assert [d.nominal for d in drawing.dimensions] == [10.0, 20.0]
    assert [i.detail for i in drawing.issues if i.code is IssueCode.PAGES_SKIPPED] == [
        "the file has 3 pages; I read pages 1-2 (at most 2 pages of one file). "
        "Send page 3 as a separate file to have it read too."
    ]
