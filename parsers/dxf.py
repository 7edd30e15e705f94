"""DXF reader: ezdxf.recover.read(BytesIO) -> DIMENSION entities, hole/thread notes, title block, envelope."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from ezdxf import recover
from ezdxf.document import Drawing
from ezdxf.lldxf.const import DXFError
from ezdxf.lldxf.tagger import binary_tags_loader

from parsers.dxf_envelope import extract_envelope
from parsers.errors import CorruptDrawing
from parsers.models import (
    Dimension,
    DimensionKind,
    DrawingKind,
    Envelope,
    IssueCode,
    ParsedDrawing,
    ParseIssue,
    Point,
    Units,
)
from parsers.notes import read_notes
from parsers.tolerances import Callout, clean_mtext, parse_callout
from parsers.units import infer_units_from_values, units_from_insunits

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
_MAX_BLOCK_DEPTH = 4
_BINARY_SENTINEL = b"AutoCAD Binary DXF"


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


def _style(dim: Any, header: Any) -> _Style:
    override = dim.override()

    def get(name: str, default: Any) -> Any:
        value = override.get(name, None)
        if value is None:
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
    )


def _format(value: float, *, decimals: int, zin: int, dsep: str) -> str:
    text = f"{value:.{max(decimals, 0)}f}"
    if zin & 8 and "." in text:
        text = text.rstrip("0").rstrip(".")
    if zin & 4:
        text = re.sub(r"^(-?)0\.", r"\1.", text)
    return text.replace(".", dsep) if text not in ("", "-") else "0"


def _measure(dim: Any, kind: DimensionKind, style: _Style) -> float | None:
    try:
        raw = float(dim.get_measurement())
    except (DXFError, ValueError, TypeError, ZeroDivisionError, AttributeError):
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
    decimals = style.adec if kind is DimensionKind.ANGULAR else style.dec
    measured = _format(value, decimals=decimals, zin=style.zin, dsep=style.dsep)
    if kind is DimensionKind.ANGULAR:
        measured += "°"
    elif style.post:
        measured = style.post.replace("<>", measured) if "<>" in style.post else measured + style.post
    override = str(dim.dxf.get("text", "") or "")
    if override and override != "<>":
        return override.replace("<>", measured), "<>" not in override
    symbol = _SYMBOL.get(kind, "")
    return symbol + measured, False


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


def extract_dimension(
    dim: Any, *, header: Any, units: Units | None
) -> tuple[Dimension | None, ParseIssue | None]:
    """Turn one DIMENSION entity into a Dimension as printed (None for suppressed or degenerate ones).

    Args:
        dim: an ezdxf DIMENSION (or ARC_DIMENSION) entity.
        header: the document header, for style values a dimstyle leaves unset.
        units: drawing units, used to turn a printed fit into deviations.

    Returns:
        The dimension (or None) and an issue when a user-written text disagrees with the geometry.
    """
    dimtype = 8 if dim.dxftype() == "ARC_DIMENSION" else int(dim.dimtype) & 0x0F
    kind = _KIND_BY_DIMTYPE.get(dimtype, DimensionKind.OTHER)
    style = _style(dim, header)
    value = _measure(dim, kind, style)
    if value is None or not _is_in_view_plane(dim):
        return None, None
    printed, user_text = _display_text(dim, kind, value, style)
    if not printed.strip() or (not user_text and abs(value) < 1e-9):
        return None, None  # " " suppresses the text; a zero measurement is a collapsed dimension
    tolerance = None if user_text or kind is DimensionKind.ANGULAR else _style_tolerance(value, style)
    if tolerance is not None and tolerance[3].startswith(" "):
        printed += tolerance[3]
    elif tolerance is not None:
        printed = _SYMBOL.get(kind, "") + tolerance[3]
    callout = parse_callout(printed, units=units)
    issue = None
    confidence = 1.0
    if callout is None:
        callout = Callout(
            nominal=value,
            kind=kind,
            upper=None,
            lower=None,
            fit=None,
            count=1,
            thread=None,
            basic=False,
            reference=False,
            text=printed,
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
                detail=f"dimension text {printed!r} but the geometry measures {value:g}",
            )
            confidence = 0.8
    if tolerance is not None and callout.upper is None:
        nominal, upper, lower, _ = tolerance
        callout = Callout(**{**callout.__dict__, "nominal": nominal, "upper": upper, "lower": lower})
    final_kind = kind
    if callout.kind in (DimensionKind.THREAD, DimensionKind.CHAMFER) or kind is DimensionKind.OTHER:
        final_kind = callout.kind
    elif kind is DimensionKind.LINEAR and callout.kind is DimensionKind.DIAMETER:
        final_kind = DimensionKind.DIAMETER  # "%%c<>" on a linear dimension across a shaft
    position = dim.dxf.get("text_midpoint") or dim.dxf.get("defpoint")
    return _to_dimension(callout, final_kind, units=units, confidence=confidence, position=position), issue


def _to_dimension(
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


def _is_feature_note(callout: Callout) -> bool:
    """A free text is kept as a callout only when it reads as a hole, thread, radius or chamfer note."""
    return (
        callout.count > 1
        or callout.thread is not None
        or callout.kind in (DimensionKind.DIAMETER, DimensionKind.RADIUS, DimensionKind.CHAMFER)
        or callout.upper is not None
        or callout.fit is not None
    )


def _iter_layout_entities(doc: Any) -> Iterator[tuple[Any, int]]:
    """Entities of model space and paper space layouts, and of the blocks inserted there (with depth)."""
    seen_blocks: set[str] = set()

    def walk(entities: Any, depth: int) -> Iterator[tuple[Any, int]]:
        for entity in entities:
            yield entity, depth
            if entity.dxftype() == "INSERT":
                yield from ((attrib, depth) for attrib in entity.attribs)
            if entity.dxftype() == "INSERT" and depth < _MAX_BLOCK_DEPTH:
                name = entity.dxf.name
                block = doc.blocks.get(name)
                if block is not None and name not in seen_blocks:
                    seen_blocks.add(name)
                    yield from walk(block, depth + 1)

    for layout in doc.layouts:
        yield from walk(layout, 0)


def _text_of(entity: Any) -> str | None:
    kind = entity.dxftype()
    if kind in ("TEXT", "ATTRIB", "ATTDEF"):
        return str(entity.dxf.get("text", ""))
    if kind == "MTEXT":
        return str(entity.text)
    if kind == "MULTILEADER":
        context = getattr(entity, "context", None)
        mtext = getattr(context, "mtext", None)
        return str(mtext.default_content) if mtext is not None else None
    return None


def _resolve_units(doc: Any, note_hint: Units | None, values: list[float]) -> tuple[Units, ParseIssue | None]:
    code = int(doc.header.get("$INSUNITS", 0) or 0)
    units = units_from_insunits(code)
    if units is not None:
        return units, None
    if note_hint is not None:
        return note_hint, ParseIssue(
            code=IssueCode.UNITS_INFERRED, detail=f"$INSUNITS={code}; units taken from a note ({note_hint})"
        )
    measurement = doc.header.get("$MEASUREMENT", None)
    if measurement is not None and code == 0:
        units = "in" if int(measurement) == 0 else "mm"
        return units, ParseIssue(
            code=IssueCode.UNITS_INFERRED,
            detail=f"$INSUNITS not set; $MEASUREMENT={measurement} reads as {units}",
        )
    guessed = infer_units_from_values(values)
    code_text = "absent" if code == 0 else f"{code}, not mm or inch"
    if guessed == "in":
        return "in", ParseIssue(
            code=IssueCode.UNITS_INFERRED, detail=f"$INSUNITS {code_text}; dimension values read as inches"
        )
    return "mm", ParseIssue(code=IssueCode.UNITS_ASSUMED, detail=f"$INSUNITS {code_text}; assumed mm")


def parse_dxf(data: bytes, filename: str) -> ParsedDrawing:
    """Read a DXF drawing (ASCII or binary).

    Args:
        data: the file's bytes.
        filename: kept in the result and in error messages.

    Returns:
        Dimensions (drawing units), title-block fields, envelope and issues.

    Raises:
        CorruptDrawing: ezdxf cannot recover a document from the bytes.
    """
    try:
        if data.startswith(_BINARY_SENTINEL):  # recover.read() reads ASCII DXF only
            doc = Drawing.load(binary_tags_loader(data))
            auditor = doc.audit()
        else:
            doc, auditor = recover.read(io.BytesIO(data))
    except (DXFError, ValueError, UnicodeError, IndexError, EOFError) as exc:
        raise CorruptDrawing(f"{filename!r} is not a readable DXF file: {exc}", filename=filename) from exc
    issues: list[ParseIssue] = []
    if auditor.fixes or auditor.errors:
        issues.append(
            ParseIssue(
                code=IssueCode.DXF_REPAIRED,
                detail=f"ezdxf repaired {len(auditor.fixes)} and found {len(auditor.errors)} "
                "structural problems",
            )
        )
    entities = list(_iter_layout_entities(doc))
    texts = [t for e, _ in entities if (t := _text_of(e))]
    notes = read_notes(texts)
    dims = [e for e, _ in entities if e.dxftype() in ("DIMENSION", "ARC_DIMENSION")]
    rough = [v for d in dims if (v := _safe_measurement(d)) is not None]
    units, units_issue = _resolve_units(doc, notes.units_hint, rough)
    if units_issue is not None:
        issues.append(units_issue)
    dimensions: list[Dimension] = []
    for dim in dims:
        found, issue = extract_dimension(dim, header=doc.header, units=units)
        if found is not None:
            dimensions.append(found)
        if issue is not None:
            issues.append(issue)
    for entity, depth in entities:
        if depth > 0 or entity.dxftype() not in ("TEXT", "MTEXT", "MULTILEADER"):
            continue
        raw = _text_of(entity)
        callout = parse_callout(raw, units=units) if raw else None
        if callout is not None and _is_feature_note(callout):
            insert = entity.dxf.get("insert", None)
            dimensions.append(
                _to_dimension(callout, callout.kind, units=units, confidence=0.7, position=insert)
            )
    if not dimensions:
        issues.append(
            ParseIssue(code=IssueCode.NO_DIMENSIONS, detail="no DIMENSION entities or callout texts")
        )
    envelope, views, geometry_issues = extract_envelope(doc, thickness=notes.thickness)
    issues.extend(geometry_issues)
    return ParsedDrawing(
        file=filename,
        format=DrawingKind.DXF,
        units=units,
        envelope=Envelope(x=envelope[0], y=envelope[1], z=envelope[2]) if envelope else None,
        general_tolerance=notes.general_tolerance,
        material=notes.material,
        finish=notes.finish,
        part_number=notes.part_number,
        revision=notes.revision,
        thickness=notes.thickness,
        quantity=notes.quantity,
        views=views,
        notes=tuple(clean_mtext(t) for t in texts),
        dimensions=tuple(dimensions),
        issues=tuple(issues),
    )


def _safe_measurement(dim: Any) -> float | None:
    try:
        return abs(float(dim.get_measurement()))
    except (DXFError, ValueError, TypeError, ZeroDivisionError, AttributeError):
        return None
