"""Symbol fonts, GD&T frame contents and roughness texts: the pure decoders behind the DXF reader."""

from __future__ import annotations

import pytest

from parsers.dxf_roughness import parse_roughness, parse_surface_symbol
from parsers.dxf_symbols import decode_symbol_fonts, extract_gdt_frames, font_kind


@pytest.mark.parametrize(
    ("text", "font", "decoded"),
    [
        ("n12 H7", "gdt.shx", "Ø12 H7"),
        ("n12 H7", "AMGDT.SHX", "Ø12 H7"),
        ("n12 H7", "txt.shx", "n12 H7"),
        ("f10", "Symbol", "φ10"),
        ("45\xb0 \xb10.1", "symbol.ttf", "45° ±0.1"),
        ("4X {\\Fgdt;n}6.6 THRU {\\Fgdt;x}12", "", "4X {Ø}6.6 THRU {↧}12"),
        ("{\\Fsymbol|b0|i0;f}8", "", "{φ}8"),
    ],
)
def test_symbol_fonts(text: str, font: str, decoded: str) -> None:
    assert decode_symbol_fonts(text, font=font) == decoded


def test_font_kind() -> None:
    assert [font_kind(f) for f in ("gdt.shx", "C:\\Fonts\\amgdt.shx", "Symbol", "arial.ttf")] == [
        "gdt",
        "gdt",
        "symbol",
        None,
    ]


def test_composite_frame_gives_one_frame_per_row_and_skips_rows_without_a_characteristic() -> None:
    content = "{\\Fgdt;j}%%v{\\Fgdt;n}0.2{\\Fgdt;l}%%vA%%vB{\\Fgdt;m}^J{\\Fgdt;j}%%v{\\Fgdt;n}0.05%%vA^JA"
    first, second = extract_gdt_frames(content)
    assert (first.tolerance, first.modifier, first.datums) == (0.2, "LMC", ("A", "B"))
    assert (second.tolerance, second.modifier, second.datums, second.diameter_zone) == (0.05, None, ("A",), True)


@pytest.mark.parametrize(
    ("text", "units", "ra_um"),
    [
        ("Ra 1.6", "mm", 1.6),
        ("ALL OVER Ra=0,8 µm", "mm", 0.8),
        ("RA 63", "in", 1.6002),
        ("Ra 32 µin", "mm", 0.8128),
        ("Ra 0.8", "in", 0.8),
        ("RADIUS 5", "mm", None),
        ("Rz 6.3", "mm", None),
    ],
)
def test_roughness_text(text: str, units: str, ra_um: float | None) -> None:
    found = parse_roughness(text, units=units)  # type: ignore[arg-type]
    assert (found.ra_um if found else None) == (pytest.approx(ra_um) if ra_um else None)


@pytest.mark.parametrize(
    ("values", "units", "ra_um"),
    [(["3.2"], "mm", 3.2), (["N7"], "mm", 1.6), (["125"], "in", 3.175), (["A", "2.7"], "mm", None)],
)
def test_surface_symbol_attributes(values: list[str], units: str, ra_um: float | None) -> None:
    found = parse_surface_symbol(values, units=units)  # type: ignore[arg-type]
    assert (found.ra_um if found else None) == (pytest.approx(ra_um) if ra_um else None)
