"""What the parsers hand to the rest of quotebot: a ParsedDrawing and its parts.

Values are kept as the sheet prints them (drawing units) and also exposed in millimetres
(``*_mm``) for the estimator, which never sees inches.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

MM_PER_INCH = 25.4

Units = Literal["mm", "in"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DrawingKind(StrEnum):
    DXF = "dxf"
    PDF = "pdf"


class DimensionKind(StrEnum):
    LINEAR = "linear"
    DIAMETER = "diameter"
    RADIUS = "radius"
    ANGULAR = "angular"
    THREAD = "thread"
    CHAMFER = "chamfer"
    OTHER = "other"


class IssueCode(StrEnum):
    """Recoverable problems, reported with the drawing instead of raised."""

    UNITS_ASSUMED = "units-assumed"
    UNITS_INFERRED = "units-inferred"
    NO_DIMENSIONS = "no-dimensions"
    TEXT_OVERRIDE_MISMATCH = "text-override-mismatch"
    UNKNOWN_FIT = "unknown-fit"
    UNREADABLE_CALLOUT = "unreadable-callout"
    NO_TEXT_LAYER = "no-text-layer"
    LOW_CONFIDENCE = "low-confidence"
    ENVELOPE_ESTIMATED = "envelope-estimated"
    NO_THICKNESS = "no-thickness"
    DXF_REPAIRED = "dxf-repaired"
    PAGES_SKIPPED = "pages-skipped"
    DUPLICATE_DIMENSIONS = "duplicate-dimensions"
    ENVELOPE = "envelope"
    LARGE_FILE = "large-file"
    OCR = "ocr"
    OCR_UNAVAILABLE = "ocr-unavailable"
    PDF_REPAIRED = "pdf-repaired"
    NOT_A_DRAWING = "not-a-drawing"
    DRAWING_SET = "drawing-set"


class ParseIssue(Frozen):
    code: IssueCode
    detail: str


class Point(Frozen):
    x: float
    y: float


class Dimension(Frozen):
    """One callout as printed on the sheet.

    ``nominal``, ``upper`` and ``lower`` are in drawing units. ``upper``/``lower`` are signed
    deviations printed on this callout (``±0.1`` -> 0.1, -0.1), or derived from a fit class when only
    the fit is printed; both are None when the general tolerance applies.
    """

    text: str
    nominal: float
    kind: DimensionKind
    upper: float | None = None
    lower: float | None = None
    fit: str | None = None
    count: int = 1
    page: int | None = None
    confidence: float = 1.0
    units: Units | None = None
    thread: str | None = None
    basic: bool = False
    reference: bool = False
    position: Point | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def nominal_mm(self) -> float:
        return self.nominal * MM_PER_INCH if self.units == "in" else self.nominal

    @computed_field  # type: ignore[prop-decorator]
    @property
    def tolerance_band_mm(self) -> float | None:
        """Total width of the printed tolerance zone in mm, None when none is printed."""
        if self.upper is None or self.lower is None:
            return None
        band = abs(self.upper - self.lower)
        return band * MM_PER_INCH if self.units == "in" else band


class Envelope(Frozen):
    """Overall part size in drawing units; z is None when the drawing does not show it."""

    x: float
    y: float
    z: float | None = None


class GdtFrame(Frozen):
    """One feature control frame (DXF TOLERANCE entity or a frame written in text).

    ``tolerance`` is the first compartment's zone in drawing units; ``datums`` are the datum letters in order.
    """

    text: str
    characteristic: str
    tolerance: float | None = None
    diameter_zone: bool = False
    modifier: str | None = None
    datums: tuple[str, ...] = ()


class Roughness(Frozen):
    """A surface-roughness requirement: ``ra_um`` in micrometres (µin values converted)."""

    text: str
    ra_um: float


class HoleGroup(Frozen):
    """Holes of one diameter (drawing units) drawn as circles, with how many there are."""

    diameter: float
    count: int


class ParsedDrawing(Frozen):
    file: str
    format: DrawingKind
    units: Units | None = None
    envelope: Envelope | None = None
    general_tolerance: str | None = None
    material: str | None = None
    finish: str | None = None
    part_number: str | None = None
    revision: str | None = None
    thickness: float | None = Field(default=None, description="from a note such as 'THK 6', drawing units")
    quantity: int | None = Field(default=None, description="a quantity printed on the sheet, e.g. 'QTY 50'")
    views: int | None = None
    pages: int = 1
    notes: tuple[str, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    issues: tuple[ParseIssue, ...] = ()
    # set by the caller that keeps the file (the bot's store), so the drawing can be rendered again later
    sha256: str | None = None
    gdt: tuple[GdtFrame, ...] = ()
    roughness: tuple[Roughness, ...] = ()
    holes: tuple[HoleGroup, ...] = ()
    smallest_internal_radius: float | None = Field(
        default=None, description="the smallest fillet/arc radius inside the part outline, drawing units"
    )
    page_numbers: tuple[int, ...] = Field(
        default=(), description="PDF: the 1-based pages of the file that show this part (a drawing set has several)"
    )

    @property
    def mm_per_unit(self) -> float:
        return MM_PER_INCH if self.units == "in" else 1.0

    def to_contract(self) -> dict[str, Any]:
        """The `quotebot extract --json` object for this drawing (a stable contract)."""
        data = self.model_dump(mode="json", exclude={"dimensions"})
        data["dimensions"] = [
            d.model_dump(mode="json", exclude_none=False) for d in self.dimensions
        ]
        return data


def without_lone_surrogates(drawing: ParsedDrawing) -> ParsedDrawing:
    """The drawing with each lone surrogate in its text replaced by U+FFFD (the same object when it has none).

    A ``\\U+D83D`` escape in a DXF decodes to a lone surrogate, which no JSON encoder or database accepts:
    the result could not leave the parse worker or be stored.
    """
    data = drawing.model_dump(round_trip=True)
    found: list[bool] = []
    mended = _mend(data, found)
    return ParsedDrawing.model_validate(mended) if found else drawing


def _mend(value: Any, found: list[bool]) -> Any:
    if isinstance(value, str):
        if value.isascii() or not any("\ud800" <= c <= "\udfff" for c in value):
            return value
        found.append(True)
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {k: _mend(v, found) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_mend(v, found) for v in value)
    return value

