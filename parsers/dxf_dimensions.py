"""DXF DIMENSION entities as printed: measurement, DIMLFAC/DIMDEC/DIMZIN formatting, text and tolerances."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from ezdxf.lldxf.const import DXFError

from parsers.models import Dimension, DimensionKind, IssueCode, ParseIssue, Point, Units
from parsers.tolerances import Callout, clean_mtext, parse_callout

_KIND_BY_DIMTYPE = {
    0: DimensionKind.LINEAR,
    1: DimensionKind.LINEAR,
    2: DimensionKind.ANGULAR,
    3: DimensionKind.DIAMETER,
    4: DimensionKind.RADIUS,
    5: DimensionKind.ANGULAR,
    6: DimensionKind.LINEAR,
    8: DimensionKind.LINEAR,
}
_SYMBOL = {DimensionKind.DIAMETER: "Ø", DimensionKind.RADIUS: "R"}
# Number formatting a sparse dimstyle leaves unset follows the drawing's current settings; tolerance and
# scale switches do not (a missing DIMTOL means off, not "whatever the header was last set to").
_HEADER_FALLBACK = frozenset({"dimdec", "dimadec", "dimtdec", "dimzin", "dimtzin", "dimdsep"})
_MAX_DECIMALS = 8  # DIMDEC's range in AutoCAD; a damaged 99999 would print a 100,000-digit measurement


@dataclass(frozen=True)
class _Style:
    """The dimension-style values that shape the printed text (entity overrides already applied)."""

    lfac: float
    dec: int
    adec: int
    tdec: int
    zin: int
    tzin: int
    rnd: float
    dsep: str
    post: str
    tol: bool
    lim: bool
    tp: float
    tm: float
    aunit: int = 0
    alt: bool = False
    altf: float = 25.4
    altd: int = 2
    apost: str = ""


def _style(dim: Any, header: Any, units: Units | None = None) -> _Style:
    override = dim.override()

    def get(name: str, default: Any) -> Any:
        value = override.get(name, None)
        if value is None and name in _HEADER_FALLBACK:
            value = header.get(f"${name.upper()}", default)
        return default if value is None else value

    dec = int(get("dimdec", 4))
    adec = int(get("dimadec", -1))
    dsep = int(get("dimdsep", 46))
    return _Style(
        lfac=abs(float(get("dimlfac", 1.0))) or 1.0,
        dec=dec,
        adec=dec if adec < 0 else adec,
        tdec=int(get("dimtdec", dec)),
        zin=int(get("dimzin", 0)),
        tzin=int(get("dimtzin", 0)),
        rnd=float(get("dimrnd", 0.0)),
        dsep=chr(dsep) if 32 < dsep < 127 else ".",
        post=str(get("dimpost", "") or ""),
        tol=bool(get("dimtol", 0)),
        lim=bool(get("dimlim", 0)),
        tp=float(get("dimtp", 0.0)),
        tm=float(get("dimtm", 0.0)),
        aunit=int(get("dimaunit", 0)),
        alt=bool(get("dimalt", 0)),
        # alternate units are the other measuring system unless the style says otherwise
        altf=float(get("dimaltf", 25.4 if units == "in" else 1 / 25.4)),
        altd=int(get("dimaltd", 2)),
        apost=str(get("dimapost", "") or ""),
    )


def _format(value: float, *, decimals: int, zin: int, dsep: str) -> str:
    text = f"{value:.{min(max(decimals, 0), _MAX_DECIMALS)}f}"
    if zin & 8 and "." in text:
        text = text.rstrip("0").rstrip(".")
    if zin & 4:
        text = re.sub(r"^(-?)0\.", r"\1.", text)
    return text.replace(".", dsep) if text not in ("", "-") else "0"


def _format_angle(degrees: float, style: _Style) -> str:
    """An angle as DIMAUNIT prints it: decimal degrees, deg/min/sec, grads or radians."""
    fmt = partial(_format, decimals=style.adec, zin=style.zin, dsep=style.dsep)
    if style.aunit == 1:  # degrees/minutes/seconds; DIMADEC 0 degrees, 1-2 minutes, 3+ seconds
        total_s = round(abs(degrees) * 3600)
        d, m, sec = total_s // 3600, total_s % 3600 // 60, total_s % 60
        text = f"{d}°" + (f"{m}'" if style.adec >= 1 else "") + (f'{sec}"' if style.adec >= 3 else "")
        return ("-" if degrees < 0 else "") + text
    if style.aunit == 2:
        return fmt(degrees * 400 / 360) + "g"
    if style.aunit == 3:
        return fmt(math.radians(degrees)) + "r"
    return fmt(degrees) + "°"


def _alternate(value: float, style: _Style) -> str:
    """The DIMALT value in brackets as printed after the primary one ("[0.98]")."""
    text = _format(value * style.altf, decimals=style.altd, zin=style.zin, dsep=style.dsep)
    if style.apost:
        text = style.apost.replace("[]", text) if "[]" in style.apost else text + style.apost
    return f"[{text}]"


def raw_measurement(dim: Any) -> float:
    """The geometric value: length, angle in degrees, ordinate offset or arc length (drawing units)."""
    dimtype = int(dim.dxf.get("dimtype", 0))
    if dim.dxftype() == "ARC_DIMENSION":  # arc length: ezdxf measures the angle only
        center, start, end = (dim.dxf.get(n) for n in ("defpoint4", "defpoint2", "defpoint3"))
        radius = math.hypot(start[0] - center[0], start[1] - center[1])
        sweep = math.atan2(end[1] - center[1], end[0] - center[0]) - math.atan2(
            start[1] - center[1], start[0] - center[0]
        )
        return radius * (sweep % math.tau)
    value = dim.get_measurement()
    if dimtype & 0x0F == 6:  # ordinate: offset from the origin along x (flag 64) or y
        return abs(float(value[0] if dimtype & 64 else value[1]))
    return float(value)


def _measure(dim: Any, kind: DimensionKind, style: _Style) -> float | None:
    try:
        raw = raw_measurement(dim)
    except (DXFError, ValueError, TypeError, ZeroDivisionError, AttributeError, IndexError):
        return None
    if not math.isfinite(raw):
        return None
    if kind is DimensionKind.ANGULAR:
        return round(raw, style.adec)
    value = raw * style.lfac
    if style.rnd > 0:
        value = round(value / style.rnd) * style.rnd
    return round(value, style.dec)


def _is_in_view_plane(dim: Any) -> bool:
    """False for dimensions drawn in a plane seen edge-on from the top view (they print as a pile)."""
    zs = []
    for name in ("defpoint", "defpoint2", "defpoint3", "defpoint4", "text_midpoint"):
        if dim.dxf.hasattr(name):
            zs.append(float(dim.dxf.get(name)[2]))
    if not zs:
        return True
    extrusion = dim.dxf.get("extrusion", (0.0, 0.0, 1.0))
    return abs(float(extrusion[2])) > 0.5 and max(zs) - min(zs) < 1e-6 * (1.0 + max(abs(z) for z in zs))


def _display_text(dim: Any, kind: DimensionKind, value: float, style: _Style) -> tuple[str, bool]:
    """The text as printed and whether it is fully user-written (no measured value in it)."""
    measured = _format(value, decimals=style.dec, zin=style.zin, dsep=style.dsep)
    if kind is DimensionKind.ANGULAR:
        measured = _format_angle(value, style)
    elif style.post:
        measured = style.post.replace("<>", measured) if "<>" in style.post else measured + style.post
    symbol = _SYMBOL.get(kind, "")
    override = str(dim.dxf.get("text", "") or "")
    alternate = _alternate(value, style) if style.alt and kind is not DimensionKind.ANGULAR else ""
    if override and override != "<>":
        # "<>" carries the diameter/radius symbol, unless the user already wrote one before it
        has_symbol = re.search(r"(%%[cC]|[ØøR⌀∅])\s*<>", override) is not None
        text = override.replace("<>", measured if has_symbol else symbol + measured)
        return text.replace("[]", alternate or ""), "<>" not in override
    return symbol + measured + (f" {alternate}" if alternate else ""), False


def _style_tolerance(value: float, style: _Style) -> tuple[float, float, float, str] | None:
    """(nominal, upper, lower, printed) from DIMTOL/DIMLIM, None when the style prints no tolerance."""
    if style.lim:  # the limits are dimension values: DIMDEC/DIMZIN
        low, high = round(value - style.tm, 9), round(value + style.tp, 9)
        fmt_limit = partial(_format, decimals=style.dec, zin=style.zin, dsep=style.dsep)
        return low, round(high - low, 9), 0.0, f"{fmt_limit(high)}/{fmt_limit(low)}"
    if style.tol:  # deviations: DIMTDEC/DIMTZIN
        fmt = partial(_format, decimals=style.tdec, zin=style.tzin, dsep=style.dsep)
        if math.isclose(style.tp, style.tm):
            return value, style.tp, -style.tm, f" ±{fmt(style.tp)}"
        return value, style.tp, -style.tm, f" +{fmt(style.tp)}/-{fmt(style.tm)}"
    return None


_ALTERNATE = re.compile(r"\s*\[[^\]]*\d[^\]]*\]")


def _callout(value: float, kind: DimensionKind, text: str) -> Callout:
    return Callout(
        nominal=value,
        kind=kind,
        upper=None,
        lower=None,
        fit=None,
        count=1,
        thread=None,
        basic=False,
        reference=False,
        text=text,
    )


def _illegible(why: str) -> ParseIssue:
    """A marker issue for an unreadable dimension; the reader folds all of them into one issue."""
    return ParseIssue(code=IssueCode.DUPLICATE_DIMENSIONS, detail=why)


def extract_dimension(dim: Any, *, header: Any, units: Units | None) -> tuple[Dimension | None, ParseIssue | None]:
    """Turn one DIMENSION entity into a Dimension as printed (None for suppressed or degenerate ones).

    Args:
        dim: an ezdxf DIMENSION (or ARC_DIMENSION) entity.
        header: the document header, for style values a dimstyle leaves unset.
        units: drawing units, used to turn a printed fit into deviations.

    Returns:
        The dimension (or None) and an issue when a user-written text disagrees with the geometry.
    """
    dimtype = 8 if dim.dxftype() == "ARC_DIMENSION" else int(dim.dxf.get("dimtype", 0)) & 0x0F
    kind = _KIND_BY_DIMTYPE.get(dimtype, DimensionKind.OTHER)
    style = _style(dim, header, units)
    value = _measure(dim, kind, style)
    if value is None:
        return None, None
    if not _is_in_view_plane(dim):
        return None, _illegible("drawn edge-on")
    printed, user_text = _display_text(dim, kind, value, style)
    if not printed.strip():
        return None, None  # " " suppresses the text on purpose
    if not user_text and abs(value) < 1e-9:
        return None, _illegible("zero-length")
    tolerance = None if user_text or kind is DimensionKind.ANGULAR else _style_tolerance(value, style)
    alternate = _ALTERNATE.search(printed) if style.alt else None
    if alternate is not None:  # "25.00 [0.984]": the bracketed alternate value is not a second callout
        printed = (printed[: alternate.start()] + printed[alternate.end() :]).rstrip()
    if tolerance is not None and tolerance[3].startswith(" "):
        printed += tolerance[3]
    elif tolerance is not None:
        printed = _SYMBOL.get(kind, "") + tolerance[3]
    callout = parse_callout(printed, units=units)
    if kind is DimensionKind.ANGULAR and not user_text and style.aunit in (1, 2, 3):
        callout = _callout(value, kind, printed)  # grads/radians/DMS text; the value stays in degrees
    issue = None
    confidence = 1.0
    if alternate is not None:
        printed += f" {alternate.group(0).strip()}"
        callout = replace(callout, text=printed) if callout is not None else None
    if callout is None:
        callout = _callout(value, kind, printed)
        issue = ParseIssue(
            code=IssueCode.UNREADABLE_CALLOUT,
            detail=f"dimension text {clean_mtext(printed)!r} not understood; the measured {value:g} is used",
        )
        confidence = 0.8
    elif user_text and callout.kind not in (DimensionKind.THREAD, DimensionKind.CHAMFER):
        tolerance_units = 0.0005 if units == "in" else 0.01
        if abs(callout.nominal - value) > max(tolerance_units, 0.5 * 10**-style.dec) and not (
            callout.upper is not None
            and callout.lower is not None
            and callout.nominal + callout.lower - 1e-9 <= value <= callout.nominal + callout.upper + 1e-9
        ):
            issue = ParseIssue(
                code=IssueCode.TEXT_OVERRIDE_MISMATCH,
                detail=f"dimension text {clean_mtext(printed)!r} but the geometry measures {value:g}",
            )
            confidence = 0.8
    if tolerance is not None and callout.upper is None:
        nominal, upper, lower, _ = tolerance
        callout = replace(callout, nominal=nominal, upper=upper, lower=lower)
    final_kind = kind
    if callout.kind in (DimensionKind.THREAD, DimensionKind.CHAMFER) or kind is DimensionKind.OTHER:
        final_kind = callout.kind
    elif kind is DimensionKind.LINEAR and callout.kind is DimensionKind.DIAMETER:
        final_kind = DimensionKind.DIAMETER  # "%%c<>" on a linear dimension across a shaft
    position = dim.dxf.get("text_midpoint") or dim.dxf.get("defpoint")
    return to_dimension(callout, final_kind, units=units, confidence=confidence, position=position), issue


def to_dimension(
    callout: Callout, kind: DimensionKind, *, units: Units | None, confidence: float, position: Any
) -> Dimension:
    return Dimension(
        text=clean_mtext(callout.text),
        nominal=callout.nominal,
        kind=kind,
        upper=callout.upper,
        lower=callout.lower,
        fit=callout.fit,
        count=callout.count,
        confidence=confidence,
        units=units,
        thread=callout.thread,
        basic=callout.basic,
        reference=callout.reference,
        position=Point(x=float(position[0]), y=float(position[1])) if position is not None else None,
    )


def raw_measurement_or_none(dim: Any) -> float | None:
    """The unformatted measurement's magnitude (drawing units or degrees), None when it cannot be measured."""
    try:
        return abs(raw_measurement(dim))
    except (DXFError, ValueError, TypeError, ZeroDivisionError, AttributeError, IndexError):
        return None
