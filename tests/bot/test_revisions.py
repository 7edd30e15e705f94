from __future__ import annotations

from bot.revisions import diff_drawings
from parsers import Dimension, DimensionKind, DrawingKind, Envelope, ParsedDrawing
from parsers.models import Point


def dim(text: str, nominal: float, x: float, *, upper: float | None = None, lower: float | None = None,
        kind: DimensionKind = DimensionKind.LINEAR) -> Dimension:
    return Dimension(text=text, nominal=nominal, kind=kind, upper=upper, lower=lower, position=Point(x=x, y=0))


def drawing(*dims: Dimension, rev: str, width: float = 100) -> ParsedDrawing:
    return ParsedDrawing(file=f"{rev}.dxf", format=DrawingKind.DXF, part_number="P", revision=rev,
                         envelope=Envelope(x=width, y=80, z=30), dimensions=dims)


def test_tightened_relaxed_added_removed_and_changed() -> None:
    old = drawing(dim("100", 100, 0), dim("80 ±0.02", 80, 50, upper=0.02, lower=-0.02),
                  dim("60 ±0.05", 60, 100, upper=0.05, lower=-0.05), dim("R5", 5, 150, kind=DimensionKind.RADIUS),
                  rev="A")
    new = drawing(dim("110", 110, 1), dim("80 ±0.01", 80, 50, upper=0.01, lower=-0.01), dim("60", 60, 100),
                  dim("Ø6", 6, 300, kind=DimensionKind.DIAMETER), rev="B", width=110)
    assert diff_drawings(old, new) == (
        "size 100 × 80 × 30 → 110 × 80 × 30",
        "80: tightened, ±0.02 → ±0.01",
        "60: relaxed to the general tolerance, ±0.05 → general tolerance",
        "100 → 110",
        "added Ø6",
        "removed R5",
    )


def test_same_drawing_has_no_changes() -> None:
    a = drawing(dim("100", 100, 0), rev="A")
    assert diff_drawings(a, a.model_copy(update={"revision": "B"})) == ()
