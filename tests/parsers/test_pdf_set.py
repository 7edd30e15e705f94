"""Whole-file PDF behaviour: drawing sets split by title block, page cap, repairs, non-drawings."""

from __future__ import annotations

import pymupdf
import pytest

from parsers import parse_drawing
from parsers.errors import CorruptDrawing
from parsers.models import IssueCode
from parsers.pdf import parse_drawing_set, parse_pdf
from tests.conftest import DRAWINGS

CASES = DRAWINGS / "pdf_cases"


def test_drawing_set_is_split_into_parts_by_title_block() -> None:
    parts = parse_drawing_set((CASES / "drawing_set.pdf").read_bytes(), "set.pdf")
    assert [(p.part_number, p.page_numbers, p.material) for p in parts] == [
        ("PL-100", (1, 2), "6061-T6"),
        ("SH-200", (3,), "C45"),
    ]
    plate, shaft = parts
    assert {d.page for d in plate.dimensions} == {1, 2}  # the continuation sheet's 12.5 belongs to the plate
    assert 12.5 in {d.nominal for d in plate.dimensions}
    shaft_dims = {d.nominal: d for d in shaft.dimensions}
    assert set(shaft_dims) == {200.0, 20.0}
    assert shaft_dims[20.0].fit == "h6"
    assert all(d.page == 3 for d in shaft.dimensions)
    assert plate.pages == shaft.pages == 3


def test_parse_pdf_returns_the_first_part_and_says_how_many() -> None:
    drawing = parse_pdf((CASES / "drawing_set.pdf").read_bytes(), "set.pdf")
    assert drawing.part_number == "PL-100"
    assert drawing.page_numbers == (1, 2)
    details = [i.detail for i in drawing.issues if i.code is IssueCode.DRAWING_SET]
    assert details == ["the file is a drawing set of 2 parts: PL-100 (pages 1-2), SH-200 (pages 3); this is the first"]


def test_single_part_file_has_no_set_issue() -> None:
    drawing = parse_drawing((CASES / "plate.pdf").read_bytes(), "plate.pdf")
    assert drawing.page_numbers == (1,)
    assert IssueCode.DRAWING_SET not in {i.code for i in drawing.issues}


def test_letter_is_not_a_drawing() -> None:
    drawing = parse_pdf((CASES / "letter.pdf").read_bytes(), "offer.pdf")
    assert [i.code for i in drawing.issues] == [IssueCode.NOT_A_DRAWING]
    assert drawing.dimensions == ()
    assert (drawing.material, drawing.part_number, drawing.envelope) == (None, None, None)


def test_broken_xref_is_repaired_and_reported() -> None:
    drawing = parse_pdf((CASES / "broken_xref.pdf").read_bytes(), "broken.pdf")
    assert drawing.issues[0].code is IssueCode.PDF_REPAIRED
    assert {d.nominal for d in drawing.dimensions} == {d.nominal for d in parse_pdf(
        (CASES / "plate.pdf").read_bytes(), "plate.pdf").dimensions}


def test_zero_pages_is_a_corrupt_drawing() -> None:
    # A page tree with no pages: MuPDF opens it, there is nothing to read.
    data = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    with pytest.raises(CorruptDrawing) as info:
        parse_pdf(data, "empty.pdf")
    assert str(info.value) in ("'empty.pdf' has no pages.", )


def test_hundreds_of_pages_are_capped_and_the_rest_reported() -> None:
    doc = pymupdf.open()
    for n in range(300):
        doc.new_page(width=400, height=300).insert_text((50, 100), f"Ø{n + 1} H7", fontsize=12)
    drawing = parse_pdf(doc.tobytes(), "long.pdf", max_pages=20)
    assert [i.detail for i in drawing.issues if i.code is IssueCode.PAGES_SKIPPED] == [
        "the file has 300 pages; I read pages 1-20 (at most 20 pages of one file). "
        "Send pages 21-300 as a separate file to have them read too."
    ]
    assert drawing.pages == 300
    assert sorted(d.nominal for d in drawing.dimensions) == [float(n) for n in range(1, 21)]
