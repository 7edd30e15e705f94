"""DXF reader: ezdxf.recover.read(BytesIO) -> DIMENSION entities, hole/thread notes, title block, envelope."""

from __future__ import annotations

import io
import math
import struct
from collections.abc import Iterator
from typing import Any

from ezdxf import recover
from ezdxf.document import Drawing
from ezdxf.lldxf.const import DXFError
from ezdxf.lldxf.tagger import binary_tags_loader

from parsers.dxf_dimensions import extract_dimension, raw_measurement_or_none, to_dimension
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
    Units,
)
from parsers.notes import read_notes
from parsers.tolerances import Callout, clean_mtext, parse_callout
from parsers.units import infer_units_from_values, units_from_insunits

_MAX_BLOCK_DEPTH = 4
_BINARY_SENTINEL = b"AutoCAD Binary DXF"


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


def _anchor(entity: Any) -> Any:
    if entity.dxf.is_supported("insert"):
        return entity.dxf.get("insert", None)
    mtext = getattr(getattr(entity, "context", None), "mtext", None)
    return getattr(mtext, "insert", None)


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
    except (DXFError, ValueError, UnicodeError, IndexError, EOFError, struct.error) as exc:
        raise CorruptDrawing(f"{filename!r} is not a readable DXF file: {exc}", filename=filename) from exc
    entities = list(_iter_layout_entities(doc))
    problems = len(auditor.fixes) + len(auditor.errors)
    if problems and not entities:  # recovery salvaged nothing but a header: the file is junk
        raise CorruptDrawing(
            f"{filename!r} is damaged: ezdxf recovered no entities ({problems} structural problems)",
            filename=filename,
        )
    issues: list[ParseIssue] = []
    if problems:
        issues.append(
            ParseIssue(
                code=IssueCode.DXF_REPAIRED,
                detail=f"ezdxf repaired {len(auditor.fixes)} and found {len(auditor.errors)} structural problems",
            )
        )
    texts = [t for e, _ in entities if (t := _text_of(e))]
    notes = read_notes(texts)
    dims = [e for e, _ in entities if e.dxftype() in ("DIMENSION", "ARC_DIMENSION")]
    rough = [v for d in dims if (v := raw_measurement_or_none(d)) is not None]
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
            insert = _anchor(entity)
            dimensions.append(to_dimension(callout, callout.kind, units=units, confidence=0.7, position=insert))
    if not dimensions:
        issues.append(ParseIssue(code=IssueCode.NO_DIMENSIONS, detail="no DIMENSION entities or callout texts"))
    envelope, views, geometry_issues = extract_envelope(doc, thickness=notes.thickness)
    if envelope is not None and envelope[2] is None and views == 1 and _is_turned(envelope, dimensions):
        envelope = (envelope[0], envelope[1], min(envelope[0], envelope[1]))  # one view of a round part
        geometry_issues = [i for i in geometry_issues if i.code is not IssueCode.NO_THICKNESS]
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


def _is_turned(envelope: tuple[float, float, float | None], dimensions: list[Dimension]) -> bool:
    """A single view whose smaller extent is a printed diameter: a turned part, as deep as it is wide."""
    width = min(envelope[0], envelope[1])
    return any(d.kind is DimensionKind.DIAMETER and math.isclose(d.nominal, width, rel_tol=0.02) for d in dimensions)
