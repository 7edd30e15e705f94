"""The DXF reader on drawings built in code with ezdxf (like ezdxf's own dimension tests)."""

from __future__ import annotations

import io
import math
import random
from typing import Any

import pytest
from ezdxf.filemanagement import new as ezdxf_new
from ezdxf.lldxf.const import DXFError
from ezdxf.math import Matrix44, Vec2
from ezdxf.render import mleader

from parsers import CorruptDrawing, DimensionKind, IssueCode, ParsedDrawing, parse_drawing
from parsers.dxf import parse_dxf

MM_STYLE = {"dimlfac": 1.0, "dimdec": 2}  # ezdxf's EZDXF style shows metres as centimetres (dimlfac 100)


def new_doc(version: str = "R2010") -> Any:
    return ezdxf_new(version, setup=True, units=4)


def to_bytes(doc: Any) -> bytes:
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode("utf-8")


def read(doc: Any) -> ParsedDrawing:
    return parse_dxf(to_bytes(doc), "part.dxf")


def linear(doc: Any, length: float = 25.0, *, text: str = "<>", **override: Any) -> None:
    dim = doc.modelspace().add_linear_dim(
        base=(0, 10),
        p1=(0, 0),
        p2=(length, 0),
        text=text,
        dimstyle="EZDXF",
        override={**MM_STYLE, **override},
    )
    dim.render()


def codes(drawing: ParsedDrawing) -> list[IssueCode]:
    return [issue.code for issue in drawing.issues]


def test_linear_dimension() -> None:
    doc = new_doc()
    linear(doc, 25.0)
    drawing = read(doc)
    (dim,) = drawing.dimensions
    assert (dim.nominal, dim.kind, dim.upper, dim.lower, dim.fit, dim.count) == (
        25.0,
        "linear",
        None,
        None,
        None,
        1,
    )
    assert dim.confidence == 1.0
    assert drawing.units == "mm"
    assert IssueCode.UNITS_ASSUMED not in codes(drawing)


def test_dimtol_gives_signed_deviations() -> None:
    doc = new_doc()
    linear(doc, 25.0, dimtol=1, dimtp=0.1, dimtm=0.05, dimtzin=0)
    (dim,) = read(doc).dimensions
    assert (dim.nominal, dim.upper, dim.lower) == pytest.approx((25.0, 0.1, -0.05))
    assert dim.text == "25 +0.10/-0.05"  # DIMTDEC 2, DIMTZIN 0


def test_symmetric_dimtol_prints_plus_minus() -> None:
    doc = new_doc()
    linear(doc, 40.0, dimtol=1, dimtp=0.02, dimtm=0.02)
    (dim,) = read(doc).dimensions
    assert (dim.upper, dim.lower) == pytest.approx((0.02, -0.02))
    assert "±" in dim.text


def test_dimlim_reads_limits_as_lower_limit_plus_band() -> None:
    doc = new_doc()
    linear(doc, 25.0, dimlim=1, dimtp=0.1, dimtm=0.1)
    (dim,) = read(doc).dimensions
    assert (dim.nominal, dim.upper, dim.lower) == pytest.approx((24.9, 0.2, 0.0))


@pytest.mark.parametrize(
    ("length", "override", "nominal", "text"),
    [
        (12.345, {"dimdec": 1}, 12.3, "12.3"),
        (12.5, {"dimlfac": 2.0}, 25.0, "25"),
        (25.5, {"dimzin": 8, "dimdec": 2}, 25.5, "25.5"),
        (25.5, {"dimzin": 0, "dimdec": 2}, 25.5, "25.50"),
        (52.5, {"dimdsep": ord(","), "dimzin": 8}, 52.5, "52,5"),
        (10.3, {"dimrnd": 0.5, "dimzin": 8}, 10.5, "10.5"),
        (0.5, {"dimzin": 12, "dimdec": 2}, 0.5, ".5"),
    ],
)
def test_display_value_follows_the_style(length: float, override: dict[str, Any], nominal: float, text: str) -> None:
    doc = new_doc()
    linear(doc, length, **override)
    (dim,) = read(doc).dimensions
    assert dim.nominal == pytest.approx(nominal)
    assert dim.text == text


def test_dimpost_suffix_is_kept_in_text() -> None:
    doc = new_doc()
    linear(doc, 25.0, dimpost="<> mm", dimzin=8)
    (dim,) = read(doc).dimensions
    assert dim.text == "25 mm" and dim.nominal == 25.0


def test_fit_written_in_dimension_text() -> None:
    doc = new_doc()
    dim = doc.modelspace().add_diameter_dim(
        center=(0, 0), radius=5, angle=45, text="<> H7", dimstyle="EZDXF", override=MM_STYLE
    )
    dim.render()
    (found,) = read(doc).dimensions
    assert (found.kind, found.nominal, found.fit) == ("diameter", 10.0, "H7")
    assert (found.upper, found.lower) == pytest.approx((0.015, 0.0))


def test_diameter_symbol_on_a_linear_dimension_makes_it_a_diameter() -> None:
    doc = new_doc()
    linear(doc, 97.66, text="%%c<> h11")
    (dim,) = read(doc).dimensions
    assert (dim.kind, dim.fit) == ("diameter", "h11")
    assert (dim.upper, dim.lower) == pytest.approx((0.0, -0.22))


def test_stacked_mtext_tolerance_in_dimension_text() -> None:
    doc = new_doc()
    linear(doc, 38.3, text="\\A1;<>\\S+0.2^ 0;")
    (dim,) = read(doc).dimensions
    assert (dim.nominal, dim.upper, dim.lower) == pytest.approx((38.3, 0.2, 0.0))


def test_overridden_text_that_disagrees_with_geometry_is_reported() -> None:
    doc = new_doc()
    linear(doc, 15.976, text="16")
    drawing = read(doc)
    (dim,) = drawing.dimensions
    assert dim.nominal == 16.0 and dim.confidence < 1.0
    assert IssueCode.TEXT_OVERRIDE_MISMATCH in codes(drawing)


def test_overridden_text_that_agrees_is_not_reported() -> None:
    doc = new_doc()
    linear(doc, 17.9977, text="(18)")
    drawing = read(doc)
    (dim,) = drawing.dimensions
    assert dim.nominal == 18.0 and dim.reference
    assert IssueCode.TEXT_OVERRIDE_MISMATCH not in codes(drawing)


def test_radius_diameter_and_angular_kinds() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_radius_dim(center=(0, 0), radius=5, angle=30, dimstyle="EZ_RADIUS", override=MM_STYLE).render()
    msp.add_diameter_dim(center=(50, 0), radius=3.3, angle=30, dimstyle="EZDXF", override=MM_STYLE).render()
    msp.add_angular_dim_2l(
        base=(10, 10), line1=((0, 0), (20, 0)), line2=((0, 0), (20, 20)), dimstyle="EZDXF", override=MM_STYLE
    ).render()
    found = {dim.kind: dim for dim in read(doc).dimensions}
    assert found[DimensionKind.RADIUS].nominal == 5.0
    assert found[DimensionKind.RADIUS].text.startswith("R")
    assert found[DimensionKind.DIAMETER].nominal == 6.6
    assert found[DimensionKind.DIAMETER].text.startswith("Ø")
    assert found[DimensionKind.ANGULAR].nominal == pytest.approx(45.0)


def test_suppressed_and_collapsed_dimensions_are_skipped() -> None:
    doc = new_doc()
    linear(doc, 25.0, text=" ")  # a single space hides the text
    msp = doc.modelspace()
    msp.add_linear_dim(base=(0, 5), p1=(3, 0), p2=(3, 0), dimstyle="EZDXF", override=MM_STYLE).render()
    # drawn in a vertical plane: the top view sees it edge-on, as an illegible pile
    dim = msp.add_linear_dim(base=(0, 5), p1=(0, 0), p2=(30, 0), dimstyle="EZDXF", override=MM_STYLE)
    dim.render()
    dim.dimension.transform(Matrix44.x_rotate(math.pi / 2))
    dim.dimension.dxf.extrusion = (0, 0, 1)
    linear(doc, 12.0)
    assert [d.nominal for d in read(doc).dimensions] == [12.0]


def test_dimensions_in_blocks_and_paper_space() -> None:
    doc = new_doc()
    block = doc.blocks.new("DETAIL")
    block.add_linear_dim(base=(0, 5), p1=(0, 0), p2=(8, 0), dimstyle="EZDXF", override=MM_STYLE).render()
    doc.modelspace().add_blockref("DETAIL", (100, 100))
    doc.layout("Layout1").add_linear_dim(
        base=(0, 5), p1=(0, 0), p2=(42, 0), dimstyle="EZDXF", override=MM_STYLE
    ).render()
    assert sorted(d.nominal for d in read(doc).dimensions) == [8.0, 42.0]


def test_hole_notes_from_mtext_but_not_plain_numbers() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_mtext("4X %%c6.6 THRU", dxfattribs={"insert": (10, 10)})
    msp.add_text("M6x1-6H", dxfattribs={"insert": (20, 10)})
    msp.add_text("2024", dxfattribs={"insert": (200, 0)})
    msp.add_mtext("SCALE 1:2\\PQTY 50")
    drawing = read(doc)
    found = {(d.kind, d.nominal, d.count) for d in drawing.dimensions}
    assert found == {("diameter", 6.6, 4), ("thread", 6.0, 1)}
    assert all(d.confidence < 1.0 for d in drawing.dimensions)


def test_title_block_fields_from_texts_and_attributes() -> None:
    doc = new_doc()
    block = doc.blocks.new("TITLE_BLOCK")
    block.add_attdef("PARTNO", (0, 0))
    block.add_text("MATERIAL: AL 6061-T6", dxfattribs={"insert": (0, 10)})
    insert = doc.modelspace().add_blockref("TITLE_BLOCK", (300, 0))
    insert.add_attrib("PARTNO", "P/N QB-1234", (300, 0))
    doc.modelspace().add_mtext("GENERAL TOLERANCES ISO 2768-mK\\PFINISH: BLACK ANODIZE\\PREV C")
    drawing = read(doc)
    assert drawing.material == "AL 6061-T6"
    assert drawing.part_number == "QB-1234"
    assert drawing.general_tolerance == "ISO 2768-mK"
    assert drawing.finish == "black anodize"
    assert drawing.revision == "C"


def rectangle(msp: Any, x: float, y: float, width: float, height: float) -> None:
    msp.add_lwpolyline([(x, y), (x + width, y), (x + width, y + height), (x, y + height)], close=True)


def test_envelope_from_two_views() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 100, 50)
    msp.add_circle((50, 25), 5)
    rectangle(msp, 130, 0, 6, 50)  # side view: depth 6
    linear(doc, 100.0)
    drawing = read(doc)
    assert drawing.envelope is not None
    assert (drawing.envelope.x, drawing.envelope.y, drawing.envelope.z) == pytest.approx((100, 50, 6))
    assert drawing.views == 2


def test_sheet_frame_is_not_the_part() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    rectangle(msp, -50, -50, 420, 297)  # A3 frame
    rectangle(msp, 0, 0, 100, 50)
    rectangle(msp, 0, 100, 100, 8)  # top view: depth 8
    drawing = read(doc)
    assert drawing.envelope is not None
    assert (drawing.envelope.x, drawing.envelope.y, drawing.envelope.z) == pytest.approx((100, 50, 8))


def test_single_view_takes_thickness_from_note_or_reports_it_missing() -> None:
    doc = new_doc()
    rectangle(doc.modelspace(), 0, 0, 80, 40)
    drawing = read(doc)
    assert drawing.envelope is not None and drawing.envelope.z is None
    assert IssueCode.NO_THICKNESS in codes(drawing)
    doc.modelspace().add_text("THK 6", dxfattribs={"insert": (0, -20)})
    drawing = read(doc)
    assert drawing.envelope is not None and drawing.envelope.z == 6.0 and drawing.thickness == 6.0


def test_r12_without_insunits_assumes_mm_with_an_issue() -> None:
    doc = ezdxf_new("R12")
    doc.modelspace().add_line((0, 0), (25, 0))
    stream = io.StringIO()
    doc.write(stream)
    drawing = parse_dxf(stream.getvalue().encode(), "old.dxf")
    assert drawing.units == "mm"
    assert IssueCode.UNITS_ASSUMED in codes(drawing)


def test_inch_header_and_unitless_note() -> None:
    doc = ezdxf_new("R2010", setup=True, units=1)
    linear(doc, 1.25, dimdec=3)
    assert read(doc).units == "in"
    doc = ezdxf_new("R2010", setup=True, units=0)
    doc.header["$MEASUREMENT"] = 1
    doc.modelspace().add_text("ALL DIMENSIONS IN INCH")
    drawing = read(doc)
    assert drawing.units == "in" and IssueCode.UNITS_INFERRED in codes(drawing)


def test_binary_dxf_through_parse_drawing() -> None:
    doc = new_doc()
    linear(doc, 25.0)
    stream = io.BytesIO()
    doc.write(stream, fmt="bin")
    drawing = parse_drawing(stream.getvalue(), "part.dxf")
    assert [d.nominal for d in drawing.dimensions] == [25.0]


def test_no_dimensions_is_an_issue() -> None:
    doc = new_doc()
    rectangle(doc.modelspace(), 0, 0, 10, 10)
    assert IssueCode.NO_DIMENSIONS in codes(read(doc))


def test_corrupt_file_raises() -> None:
    data = b"0\nSECTION\n2\nENTITIES\n0\nLINE\ngarbage\x00\xff\n" * 3
    with pytest.raises(CorruptDrawing) as info:
        parse_dxf(data, "broken.dxf")
    assert info.value.filename == "broken.dxf"
    assert isinstance(info.value.__cause__, DXFError)


def test_contract_output_is_json_ready() -> None:
    doc = new_doc()
    linear(doc, 25.0, dimtol=1, dimtp=0.1, dimtm=0.1)
    contract = read(doc).to_contract()
    assert contract["format"] == "dxf"
    assert contract["dimensions"][0]["upper"] == pytest.approx(0.1)


def test_ordinate_and_arc_length_dimensions() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_ordinate_x_dim(feature_location=(30, 10), offset=(0, 20), dimstyle="EZDXF", override=MM_STYLE).render()
    msp.add_ordinate_y_dim(feature_location=(30, 12.5), offset=(20, 0), dimstyle="EZDXF", override=MM_STYLE).render()
    msp.add_arc_dim_3p(
        base=(0, 50), p1=(10, 0), p2=(0, 10), center=(0, 0), dimstyle="EZDXF", override=MM_STYLE
    ).render()
    found = sorted((d.nominal, d.kind) for d in read(doc).dimensions)
    assert found == [(12.5, "linear"), (15.71, "linear"), (30.0, "linear")]


def test_multileader_thread_note() -> None:
    doc = new_doc()
    builder = doc.modelspace().add_multileader_mtext("Standard")
    builder.set_content("2X M5x0.8-6H")
    builder.add_leader_line(mleader.ConnectionSide.left, [Vec2(100, 100)])
    builder.build(insert=Vec2(120, 110))
    (dim,) = read(doc).dimensions
    assert (dim.kind, dim.nominal, dim.count, dim.thread) == ("thread", 5.0, 2, "M5x0.8-6H")
    assert dim.position is not None


def test_header_followed_by_garbage_is_corrupt() -> None:
    head = b"0\nSECTION\n2\nHEADER\n9\n$ACADVER\n1\nAC1027\n9\n$INSUNITS\n70\n"
    junk = random.Random(7).randbytes(1500).replace(b"\n", b" ")  # one long unreadable group value
    with pytest.raises(CorruptDrawing) as info:
        parse_dxf(head + b"\x00\xff\xfe" + junk, "junk.dxf")
    assert str(info.value).startswith("'junk.dxf' is damaged: ezdxf recovered no entities (")


def test_empty_but_valid_drawing_is_not_corrupt() -> None:
    drawing = read(new_doc())
    assert drawing.dimensions == () and IssueCode.NO_DIMENSIONS in codes(drawing)


def test_measured_value_in_diameter_text_carries_the_symbol() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    msp.add_diameter_dim(
        center=(0, 0), radius=2.75, angle=45, text="4X <> THRU", dimstyle="EZDXF", override=MM_STYLE
    ).render()
    msp.add_diameter_dim(
        center=(20, 0), radius=5, angle=45, text="%%c<> H7", dimstyle="EZDXF", override=MM_STYLE
    ).render()
    assert sorted(d.text for d in read(doc).dimensions) == ["4X Ø5.5 THRU", "Ø10 H7"]


def test_frame_of_lines_with_title_block_around_one_turned_view() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    for start, end in [((0, 0), (420, 0)), ((420, 0), (420, 297)), ((420, 297), (0, 297)), ((0, 297), (0, 0))]:
        msp.add_line(start, end)
    for y in (5, 20, 35, 50):  # title block rows against the frame
        msp.add_line((240, y), (415, y))
    rectangle(msp, 80, 150, 120, 25)  # shaft side view
    msp.add_linear_dim(
        base=(215, 150), p1=(200, 150), p2=(200, 175), angle=90, text="%%c<>", dimstyle="EZDXF", override=MM_STYLE
    ).render()
    drawing = read(doc)
    assert drawing.envelope is not None
    assert (drawing.envelope.x, drawing.envelope.y, drawing.envelope.z) == pytest.approx((120, 25, 25))
    assert IssueCode.NO_THICKNESS not in codes(drawing)


def test_paper_proportioned_plate_with_holes_is_not_a_frame() -> None:
    doc = new_doc()
    msp = doc.modelspace()
    rectangle(msp, 0, 0, 297, 210)
    for x in (50, 150, 250):
        msp.add_circle((x, 105), 10)
    drawing = read(doc)
    assert drawing.envelope is not None
    assert (drawing.envelope.x, drawing.envelope.y) == pytest.approx((297, 210))


def test_header_tolerance_switch_does_not_leak_into_a_dimstyle() -> None:
    doc = new_doc()
    doc.header["$DIMTOL"] = 1
    doc.header["$DIMTP"] = 0.5
    linear(doc, 25.0)
    (dim,) = read(doc).dimensions
    assert (dim.upper, dim.lower) == (None, None)


def test_truncated_binary_dxf_is_corrupt() -> None:
    doc = new_doc()
    linear(doc, 25.0)
    stream = io.BytesIO()
    doc.write(stream, fmt="bin")
    with pytest.raises(CorruptDrawing):
        parse_dxf(stream.getvalue()[:1000], "cut.dxf")


def test_dimension_text_without_a_value_keeps_the_measurement() -> None:
    doc = new_doc()
    linear(doc, 30.0, text="SEE NOTE 3")
    drawing = read(doc)
    (dim,) = drawing.dimensions
    assert dim.nominal == 30.0 and dim.confidence < 1.0
    assert IssueCode.UNREADABLE_CALLOUT in codes(drawing)
