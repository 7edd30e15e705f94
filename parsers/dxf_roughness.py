"""Surface-roughness marks: Ra values from texts and from the attributes of inserted surface-symbol blocks."""

from __future__ import annotations

import re

from parsers.models import Roughness, Units

_UM_PER_UIN = 0.0254
_NUM = r"\d+(?:[.,]\d+)?|[.,]\d+"
_RA = re.compile(
    rf"\b(?:Ra|R\s*a|AA|CLA)\s*[=:]?\s*(?P<v>{_NUM})\s*(?P<u>µm|μm|um|microns?|µin|μin|uin|microinch(?:es)?)?",
    re.I,
)
# ISO 1302 roughness grades N1..N12 -> Ra in µm.
_N_GRADES = {1: 0.025, 2: 0.05, 3: 0.1, 4: 0.2, 5: 0.4, 6: 0.8, 7: 1.6, 8: 3.2, 9: 6.3, 10: 12.5, 11: 25.0, 12: 50.0}
_N_GRADE = re.compile(r"^N(?P<n>[1-9]|1[0-2])$")
_PREFERRED_RA_UM = (0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.3, 12.5, 25.0, 50.0)
_PREFERRED_RA_UIN = (1, 2, 4, 8, 16, 32, 63, 125, 250, 500, 1000, 2000)
SURFACE_BLOCK = re.compile(r"ROUGH|SURF|FINISH|OBERFL|RAUH|RAUHEIT|\bRA\b|_RA|FINITION", re.I)


def _to_um(value: float, unit: str | None, units: Units | None) -> float:
    if unit:
        micro_inch = "in" in unit.lower()
    else:  # an unlabelled Ra on an inch drawing is in microinches (63, 125), on a metric one in µm
        micro_inch = units == "in" and value >= 1
    return round(value * _UM_PER_UIN, 4) if micro_inch else value


def parse_roughness(text: str, *, units: Units | None) -> Roughness | None:
    """Read a roughness requirement written as text ("Ra 1.6", "Ra=0.8 µm", "RA 63 µin").

    Args:
        text: one plain text (MTEXT codes already removed).
        units: the drawing units, deciding µm or µin for a value printed without a unit.

    Returns:
        The requirement with ``ra_um`` in micrometres, or None when the text states none.
    """
    m = _RA.search(text)
    if m is None:
        return None
    value = float(m.group("v").replace(",", "."))
    if value <= 0:
        return None
    return Roughness(text=" ".join(text.split()), ra_um=_to_um(value, m.group("u"), units))


def parse_surface_symbol(values: list[str], *, units: Units | None) -> Roughness | None:
    """Read the attribute values of an inserted surface-texture symbol block.

    Args:
        values: the ATTRIB (or block TEXT) strings of one symbol, in order.
        units: the drawing units, deciding µm or µin for a bare number.

    Returns:
        The first value that reads as Ra (an "Ra ..." text, an N grade, or a preferred Ra number), else None.
    """
    for raw in values:
        text = " ".join(raw.split())
        if found := parse_roughness(text, units=units):
            return found
        if m := _N_GRADE.match(text.upper()):
            return Roughness(text=text, ra_um=_N_GRADES[int(m.group("n"))])
        if re.fullmatch(_NUM, text):
            value = float(text.replace(",", "."))
            preferred = _PREFERRED_RA_UIN if units == "in" else _PREFERRED_RA_UM
            if any(abs(value - p) < 1e-9 for p in preferred):
                return Roughness(text=text, ra_um=_to_um(value, None, units))
    return None
