"""Drawing units: DXF $INSUNITS codes to millimetres, and inch/mm inference when a file does not say."""

from __future__ import annotations

import re
from collections.abc import Sequence

from parsers.models import MM_PER_INCH, Units

# $INSUNITS code -> millimetres per drawing unit (AutoCAD's table; 0 means unitless).
_INSUNITS_MM: dict[int, float] = {
    1: MM_PER_INCH,  # inches
    2: 304.8,  # feet
    4: 1.0,  # millimetres
    5: 10.0,  # centimetres
    6: 1000.0,  # metres
    8: MM_PER_INCH * 1e-6,  # microinches
    9: MM_PER_INCH * 1e-3,  # mils
    13: 1e-3,  # micrometres
    14: 100.0,  # decimetres
}

_INCH_TEXT = re.compile(
    r"(DIMENSIONS?|UNITS?|MEASUREMENTS?)\s*(ARE\s+)?(\bIN\b|:)\s*(INCH|INCHES|IN\b)|\bALL\s+DIMENSIONS\s+IN\s+INCH"
    r"|\bINCH(ES)?\s+DRAWING",
    re.I,
)
_MM_TEXT = re.compile(
    r"(DIMENSIONS?|UNITS?|MEASUREMENTS?|MASSE)\s*(ARE\s+)?(\bIN\b|:)\s*(MM|MILLIMET(ER|RE)S?)\b|\bALL\s+DIMENSIONS\s+IN\s+MM",
    re.I,
)


def insunits_mm_per_unit(code: int) -> float | None:
    """Millimetres per drawing unit for a DXF ``$INSUNITS`` code.

    Args:
        code: the header value (1 inch, 4 mm, ...).

    Returns:
        The factor, or None for 0 (unitless) and codes quotebot does not know.
    """
    return _INSUNITS_MM.get(code)


def units_from_insunits(code: int) -> Units | None:
    """The contract's units ("mm"/"in") for an ``$INSUNITS`` code, None when neither."""
    factor = _INSUNITS_MM.get(code)
    if factor == 1.0:
        return "mm"
    if factor == MM_PER_INCH:
        return "in"
    return None


def units_from_text(text: str) -> Units | None:
    """Units stated in a note ("DIMENSIONS IN INCHES", "ALL DIMENSIONS IN MM"), else None."""
    if _INCH_TEXT.search(text):
        return "in"
    if _MM_TEXT.search(text):
        return "mm"
    return None


def infer_units_from_values(values: Sequence[float], *, extent: float | None = None) -> Units:
    """Guess drawing units from printed dimension values and the part's largest extent.

    Inch drawings print small values with three or four decimals; parts under ~0.3 units across
    overall would be implausibly small in millimetres.

    Args:
        values: printed dimension values, drawing units.
        extent: the largest part extent in drawing units, if known.

    Returns:
        "in" when the magnitudes point to inches, else "mm".
    """
    biggest = max([abs(v) for v in values] + ([extent] if extent else []), default=0.0)
    if 0 < biggest <= 40 and values:
        fractional = [v for v in values if abs(v - round(v)) > 1e-9]
        fine = [v for v in fractional if abs(v * 100 - round(v * 100)) > 1e-6]  # 3+ decimals
        small_part = extent is not None and extent < 12
        if len(fine) * 2 >= len(values) or (small_part and len(fractional) * 2 >= len(values)):
            return "in"
    return "mm"
