"""Title-block and note fields from sheet texts."""

from __future__ import annotations

import pytest

from parsers.notes import NoteFields, read_notes


@pytest.mark.parametrize(
    ("texts", "material"),
    [
        (["MATERIAL: AL 6061-T6"], "AL 6061-T6"),
        (["6061-T6 ALUMINIUM"], "6061-T6"),
        (["MATL 7075-T651"], "7075-T651"),
        (["304 STAINLESS STEEL"], "304 STAINLESS STEEL"),
        (["Material: 316L"], "316L"),
        (["STEEL 1018"], "STEEL 1018"),
        (["MATERIAL: 4140"], "4140"),
        (["420"], None),
        (["4140 STEEL"], "4140 STEEL"),
        (["BRASS C360"], "BRASS C360"),
        (["Delrin black"], "Delrin"),
        (["POM-C"], "POM-C"),
        (["PEEK natural"], "PEEK"),
        (["NYLON 6/6"], "NYLON 6/6"),
        (["Ti-6Al-4V"], "Ti-6Al-4V"),
        (["MATERIAL: Unobtainium X"], "Unobtainium X"),
        (["TITLE", "SCALE 1:1", "MATERIAL: {\\C1;AL 6082-T6}"], "AL 6082-T6"),
        (["Bracket", "REV A"], None),
        (["PLA"], "PLA"),
        (["black PETG"], "PETG"),
        (["ABS natural"], "ABS"),
        (["Acrylic clear"], "Acrylic"),
        (["MATERIAL: PC"], "PC"),
        (["2 PC REQD"], None),
    ],
)
def test_material(texts: list[str], material: str | None) -> None:
    assert read_notes(texts).material == material


@pytest.mark.parametrize(
    ("text", "finish"),
    [
        ("FINISH: BLACK ANODIZE", "black anodize"),
        ("anodise clear", "anodise clear"),
        ("ZINC PLATED", "zinc plated"),
        ("PASSIVATE PER ASTM A967", "passivate"),
        ("powder coat RAL 9005", "powder coat"),
        ("FINISH: AS MACHINED", "as machined"),
        ("FINISH: NONE", None),
    ],
)
def test_finish(text: str, finish: str | None) -> None:
    assert read_notes([text]).finish == finish


@pytest.mark.parametrize(
    ("text", "part_number"),
    [
        ("PART NO. QB-1001", "QB-1001"),
        ("P/N: 12-345-A", "12-345-A"),
        ("DWG NO. 4711", "4711"),
        ("DRAWING NUMBER X7", None),
    ],
)
def test_part_number(text: str, part_number: str | None) -> None:
    assert read_notes([text]).part_number == part_number


@pytest.mark.parametrize(
    ("text", "revision"),
    [("REV C", "C"), ("REVISION B", "B"), ("Rev: 02", "02"), ("REVIEWED BY JS", None), ("PREVIEW", None)],
)
def test_revision(text: str, revision: str | None) -> None:
    assert read_notes([text]).revision == revision


@pytest.mark.parametrize(
    ("text", "thickness"),
    [
        ("THK 6", 6.0),
        ("THICKNESS 6", 6.0),
        ("6 mm plate", 6.0),
        ("3,2 THK", 3.2),
        ("T=4", 4.0),
        ("AL 6061-T6", None),
    ],
)
def test_thickness(text: str, thickness: float | None) -> None:
    assert read_notes([text]).thickness == thickness


@pytest.mark.parametrize(
    ("text", "quantity"), [("QTY 50", 50), ("QTY: 50", 50), ("Quantity = 12", 12), ("QUALITY A", None)]
)
def test_quantity(text: str, quantity: int | None) -> None:
    assert read_notes([text]).quantity == quantity


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("DIMENSIONS IN MM", "mm"),
        ("ALL DIMENSIONS IN INCH", "in"),
        ("DIMENSIONS ARE IN INCHES", "in"),
        ("UNITS: MM", "mm"),
        ("MM", None),
    ],
)
def test_units_hint(text: str, units: str | None) -> None:
    assert read_notes([text]).units_hint == units


def test_title_block_together() -> None:
    fields = read_notes(
        [
            "BRACKET",
            "PART NO. QB-7",
            "REV B",
            "MATERIAL: 6061-T6",
            "FINISH: CLEAR ANODIZE",
            "GENERAL TOLERANCES ISO 2768-mK",
            "DIMENSIONS IN MM",
            "QTY 25",
        ]
    )
    assert fields == NoteFields(
        material="6061-T6",
        finish="clear anodize",
        part_number="QB-7",
        revision="B",
        general_tolerance="ISO 2768-mK",
        thickness=None,
        quantity=25,
        units_hint="mm",
    )


def test_nothing_found() -> None:
    assert read_notes([]) == NoteFields()
