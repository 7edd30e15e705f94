"""DXF unit codes and inch/mm inference."""

from __future__ import annotations

import pytest

from parsers.units import infer_units_from_values, insunits_mm_per_unit, units_from_insunits, units_from_text


@pytest.mark.parametrize(
    ("code", "factor", "units"),
    [
        (1, 25.4, "in"),
        (4, 1.0, "mm"),
        (5, 10.0, None),
        (6, 1000.0, None),
        (2, 304.8, None),
        (0, None, None),
        (99, None, None),
    ],
)
def test_insunits(code: int, factor: float | None, units: str | None) -> None:
    assert insunits_mm_per_unit(code) == factor
    assert units_from_insunits(code) == units


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("ALL DIMENSIONS IN INCHES", "in"),
        ("DIMENSIONS IN INCH", "in"),
        ("dimensions in mm", "mm"),
        ("UNITS: MILLIMETERS", "mm"),
        ("INCH DRAWING", "in"),
        ("M6 THREAD", None),
        ("INCHES", None),
    ],
)
def test_units_from_text(text: str, units: str | None) -> None:
    assert units_from_text(text) == units


@pytest.mark.parametrize(
    ("values", "extent", "units"),
    [
        ([1.250, 0.375, 2.125, 0.188], None, "in"),
        ([25.0, 40.0, 12.5, 6.6], None, "mm"),
        ([120.0, 80.0], 150.0, "mm"),
        ([2.5, 1.5, 0.5], 4.0, "in"),
        ([3.175, 2.5], 90.0, "mm"),
        ([], None, "mm"),
    ],
)
def test_infer_units_from_values(values: list[float], extent: float | None, units: str | None) -> None:
    assert infer_units_from_values(values, extent=extent) == units
