"""The DXF reader on the regression drawings of fixtures/drawings/dxf_cases (built by make_dxf_cases.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from parsers import (
    CorruptDrawing,
    DimensionKind,
    EmptyFile,
    IssueCode,
    ParsedDrawing,
    UnsupportedFileType,
    parse_drawing,
)
from parsers.errors import TruncatedDrawing
from parsers.models import HoleGroup
from tests.conftest import DRAWINGS

CASES = DRAWINGS / "dxf_cases"


def load_maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_dxf_cases", DRAWINGS / "make_dxf_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def case_path(name: str) -> Path:
    good = CASES / "good" / name
    return good if good.exists() else CASES / "bad" / name


def read(name: str, **kwargs: object) -> ParsedDrawing:
    return parse_drawing(case_path(name).read_bytes(), name, **kwargs)  # type: ignore[arg-type]


def codes(drawing: ParsedDrawing) -> list[IssueCode]:
    return [i.code for i in drawing.issues]


def test_committed_cases_match_the_generator(tmp_path: Path) -> None:
    written = load_maker().build_all(tmp_path)
    committed = sorted(p.relative_to(CASES) for p in CASES.glob("*/*"))
    assert sorted(p.relative_to(tmp_path) for p in written) == committed
    for path in written:
        assert path.read_bytes() == (CASES / path.relative_to(tmp_path)).read_bytes(), f"{path}: run make_dxf_cases.py"


def test_tolerance_entities_become_gdt_frames_not_dimensions() -> None:
    drawing = read("gdt_frames.dxf")
    assert [d.text for d in drawing.dimensions] == ["100"]
    position, flatness, parallelism = drawing.gdt
    assert (position.characteristic, position.tolerance, position.diameter_zone) == ("position", 0.05, True)
    assert (position.modifier, position.datums) == ("MMC", ("A", "B", "C"))
    assert (flatness.characteristic, flatness.tolerance, flatness.datums) == ("flatness", 0.02, ())
    assert (parallelism.characteristic, parallelism.datums) == ("parallelism", ("A",))
    assert position.text == "⌖ | Ø0.05Ⓜ | A | B | C"


def test_roughness_from_text_and_from_a_surface_symbol_block() -> None:
    drawing = read("roughness.dxf")
    assert sorted(r.ra_um for r in drawing.roughness) == [0.8, 3.2]
    assert [d.text for d in drawing.dimensions] == ["100"]


def test_circles_are_holes_counted_by_diameter_and_pocket_corners_give_the_internal_radius() -> None:
    drawing = read("holes_and_radii.dxf")
    # counterbore circles are the same hole; the plate's R5 outer corners are convex, the pocket's R3 concave
    assert drawing.holes == (HoleGroup(diameter=6.6, count=4), HoleGroup(diameter=10.0, count=2))
    assert drawing.smallest_internal_radius == 3.0
    assert drawing.envelope is not None and (drawing.envelope.x, drawing.envelope.y, drawing.envelope.z) == (
        100.0,
        60.0,
        8.0,
    )


def test_convex_corners_alone_give_no_internal_radius() -> None:
    drawing = read("plate_r2010.dxf")
    assert drawing.smallest_internal_radius is None
    assert drawing.holes == (HoleGroup(diameter=12.0, count=1),)


def test_three_views_and_how_the_envelope_was_decided() -> None:
    drawing = read("three_views.dxf")
    assert drawing.views == 3
    assert drawing.envelope is not None and (drawing.envelope.x, drawing.envelope.y, drawing.envelope.z) == (
        80.0,
        50.0,
        20.0,
    )
    (how,) = [i.detail for i in drawing.issues if i.code is IssueCode.ENVELOPE]
    assert how.startswith("3 views from 3 geometry groups split by empty space, 1 sheet frame dropped")
    assert "z 20 from the height of the view above or below it" in how


def test_a_pile_of_stacked_dimensions_is_one_issue_not_callouts() -> None:
    drawing = read("dimension_pile.dxf")
    assert [d.text for d in drawing.dimensions] == ["100", "60"]
    piles = [i for i in drawing.issues if i.code is IssueCode.DUPLICATE_DIMENSIONS]
    assert len(piles) == 1
    assert "6 dimensions" in piles[0].detail and "5 stacked" in piles[0].detail and "1 zero-length" in piles[0].detail


def test_symbol_fonts_and_unicode_escapes_are_decoded_before_parsing() -> None:
    dims = {d.text: d for d in read("symbol_fonts.dxf").dimensions}
    assert set(dims) == {"Ø12 H7", "2X Ø8 THRU", "4X Ø 5.5 THRU", "M6x1-6H ↧12"}
    assert (dims["Ø12 H7"].kind, dims["Ø12 H7"].upper, dims["Ø12 H7"].lower) == (DimensionKind.DIAMETER, 0.018, 0.0)
    assert (dims["2X Ø8 THRU"].count, dims["4X Ø 5.5 THRU"].count) == (2, 4)
    assert dims["M6x1-6H ↧12"].kind is DimensionKind.THREAD


def test_title_block_attributes_fill_the_fields_their_tags_name() -> None:
    drawing = read("title_block_attribs.dxf")
    assert (drawing.material, drawing.part_number, drawing.revision) == ("ALUMINIUM 6082-T6", "QB-2041", "C")


def test_alternate_units_are_printed_but_not_read_as_a_second_value() -> None:
    first, second = read("alternate_units.dxf").dimensions
    assert (first.text, first.nominal, first.upper) == ("100 [3.937]", 100.0, None)
    assert (second.text, second.nominal, second.upper, second.lower) == ("50 ±0.1 [1.969]", 50.0, 0.1, -0.1)


def test_angles_in_radians_grads_and_degrees_minutes_keep_degrees_as_the_value() -> None:
    dims = read("angle_units.dxf").dimensions
    assert [d.text for d in dims] == [".5236r", "33.3333g", "30°0'"]
    assert all(d.kind is DimensionKind.ANGULAR and d.nominal == pytest.approx(30.0) for d in dims)


@pytest.mark.parametrize("version", ["r12", "r2000", "r2004", "r2007", "r2010", "r2013", "r2018"])
def test_every_dxf_version_reads_the_same(version: str) -> None:
    drawing = read(f"plate_{version}.dxf")
    linear, diameter = drawing.dimensions
    assert (linear.nominal, linear.upper, linear.lower) == (100.0, 0.1, -0.05)
    assert (diameter.kind, diameter.nominal) == (DimensionKind.DIAMETER, 12.0)
    assert drawing.material == "6061-T6"
    assert (IssueCode.UNITS_ASSUMED in codes(drawing)) == (version == "r12")  # R12 has no $INSUNITS


def test_binary_dxf() -> None:
    drawing = read("binary_r2013.dxf")
    assert [(d.text, d.kind, d.count) for d in drawing.dimensions] == [
        ("100", DimensionKind.LINEAR, 1),
        ("2X M5 THRU", DimensionKind.THREAD, 2),
    ]


def test_recover_mode_repairs_become_issues() -> None:
    drawing = read("repaired.dxf")
    repairs = [i.detail for i in drawing.issues if i.code is IssueCode.DXF_REPAIRED]
    assert any("undefined text style" in r for r in repairs)
    assert any("invalid color index" in r for r in repairs)
    assert any('"5..0"' in r for r in repairs)
    assert [d.text for d in drawing.dimensions] == ["100", "4X Ø6.6 THRU"]


@pytest.mark.parametrize(
    ("name", "error", "code"),
    [
        ("truncated.dxf", TruncatedDrawing, "truncated-drawing"),
        ("text_named.dxf", UnsupportedFileType, "unsupported-file-type"),
        ("dwg_named.dxf", UnsupportedFileType, "unsupported-file-type"),
        ("empty.dxf", EmptyFile, "empty-file"),
    ],
)
def test_bad_files_get_a_specific_error(name: str, error: type[Exception], code: str) -> None:
    with pytest.raises(error) as info:
        read(name)
    assert info.value.code == code  # type: ignore[attr-defined]


def test_truncated_message_and_dwg_detection() -> None:
    with pytest.raises(CorruptDrawing) as info:
        read("truncated.dxf")
    size = case_path("truncated.dxf").stat().st_size
    assert str(info.value) == (
        f"'truncated.dxf' is truncated: it ends after {size} bytes, inside its drawing data "
        "(no end of the ENTITIES section)"
    )
    with pytest.raises(UnsupportedFileType) as dwg:
        read("dwg_named.dxf")
    assert dwg.value.detected == "DWG"


def test_progress_is_reported_from_zero_to_one() -> None:
    ticks: list[float] = []
    read("holes_and_radii.dxf", progress=ticks.append)
    assert ticks[0] == 0.0 and ticks[-1] == 1.0
    assert ticks == sorted(ticks)


STREAMABLE = sorted(
    p
    for folder in ("dxf", "dxf_cases/good")
    for p in (DRAWINGS / folder).glob("*.dxf")
    if p.name != "corrupt.dxf" and not p.read_bytes().startswith(b"AutoCAD Binary DXF")
)
COMPARED = ("units", "envelope", "views", "dimensions", "holes", "gdt", "roughness", "material", "part_number")


@pytest.mark.parametrize("path", STREAMABLE, ids=lambda p: p.name)
def test_streaming_reader_reads_what_the_full_reader_reads(path: Path) -> None:
    from parsers.dxf import parse_dxf
    from parsers.dxf_stream import parse_large_dxf

    data = path.read_bytes()
    ticks: list[float] = []
    streamed = parse_large_dxf(data, path.name, progress=ticks.append)
    whole = parse_dxf(data, path.name)
    assert {k: getattr(streamed, k) for k in COMPARED} == {k: getattr(whole, k) for k in COMPARED}
    assert IssueCode.LARGE_FILE in codes(streamed) and IssueCode.LARGE_FILE not in codes(whole)
    assert ticks[-1] == 1.0 and ticks == sorted(ticks)


def test_streaming_reader_decodes_utf8_text_of_r2007_and_later() -> None:
    """From R2007 a DXF is UTF-8 whatever its $DWGCODEPAGE says; the streamed notes must not turn to mojibake."""
    import io

    from ezdxf.filemanagement import new

    from parsers.dxf import parse_dxf
    from parsers.dxf_stream import parse_large_dxf

    doc = new("R2010", setup=True, units=4)
    doc.modelspace().add_line((0, 0), (40, 0))
    doc.modelspace().add_text("4X Ø6.6 THRU", height=2.5)
    stream = io.StringIO()
    doc.write(stream)
    data = stream.getvalue().encode("utf-8")
    assert "Ø".encode() in data

    streamed = parse_large_dxf(data, "plate.dxf", progress=lambda _done: None)

    assert [d.text for d in streamed.dimensions] == ["4X Ø6.6 THRU"]
    assert streamed.dimensions == parse_dxf(data, "plate.dxf").dimensions


def test_large_files_take_the_streaming_path() -> None:
    from parsers.dxf_load import ENTITIES_SECTION
    from parsers.dxf_stream import STREAM_BYTES

    small = case_path("holes_and_radii.dxf").read_bytes()
    section = ENTITIES_SECTION.search(small)
    assert section is not None
    line = "  0\nLINE\n  8\nPART\n 10\n{x}\n 20\n{y}\n 11\n{x}.5\n 21\n{y}\n".format
    filler = "".join(line(x=40 + i % 20, y=14 + i % 12) for i in range(STREAM_BYTES // 45)).encode()
    data = small[: section.end()] + filler + small[section.end() :]
    assert len(data) > STREAM_BYTES
    ticks: list[float] = []
    drawing = parse_drawing(data, "big.dxf", progress=ticks.append)
    expected = read("holes_and_radii.dxf")
    assert IssueCode.LARGE_FILE in codes(drawing)
    assert (drawing.envelope, drawing.holes, drawing.dimensions) == (
        expected.envelope,
        expected.holes,
        expected.dimensions,
    )
    assert len(ticks) > 3 and ticks[-1] == 1.0 and ticks == sorted(ticks)
