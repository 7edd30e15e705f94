"""DXF reader: ezdxf.recover.read(BytesIO) -> DIMENSION entities, hole/thread notes, title block, envelope."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from parsers.dxf_count import more_entities_than
from parsers.dxf_dimensions import raw_measurement_or_none, to_dimension
from parsers.dxf_envelope import EnvelopeResult, extract_envelope, part_box
from parsers.dxf_features import circle_of, extract_holes, view_internal_radius
from parsers.dxf_load import check_bytes, load_document
from parsers.dxf_piles import read_dimensions
from parsers.dxf_roughness import SURFACE_BLOCK, parse_roughness, parse_surface_symbol
from parsers.dxf_symbols import decode_symbol_fonts, extract_gdt_frames
from parsers.errors import TooManyEntities
from parsers.limits import DEFAULT_MAX_DXF_ENTITIES
from parsers.models import (
    Dimension,
    DimensionKind,
    DrawingKind,
    Envelope,
    IssueCode,
    ParsedDrawing,
    ParseIssue,
    Roughness,
    Units,
)
from parsers.notes import is_field_label, read_notes, starts_with_label
from parsers.tolerances import Callout, clean_mtext, parse_callout
from parsers.units import infer_units_from_values, units_from_insunits

_MAX_BLOCK_DEPTH = 4
Progress = Callable[[float], None]


def _is_feature_note(callout: Callout) -> bool:
    """A free text is kept as a callout only when it reads as a hole, thread, radius or chamfer note."""
    return (
        callout.count > 1
        or callout.thread is not None
        or callout.kind in (DimensionKind.DIAMETER, DimensionKind.RADIUS, DimensionKind.CHAMFER)
        or callout.upper is not None
        or callout.fit is not None
    )


def walk_entities(
    doc: Any, entities: Iterable[Any], seen_blocks: set[str], depth: int = 0
) -> Iterator[tuple[Any, int]]:
    """The entities with their depth, each INSERT followed by its ATTRIBs and (once per block) its block's
    entities, nested up to four levels. Entities ezdxf's audit destroyed (a damaged ATTRIB) are skipped."""
    for entity in entities:
        if not entity.is_alive:
            continue
        yield entity, depth
        if entity.dxftype() != "INSERT":
            continue
        yield from ((attrib, depth) for attrib in entity.attribs if attrib.is_alive)
        name = entity.dxf.name
        block = doc.blocks.get(name) if depth < _MAX_BLOCK_DEPTH else None
        if block is not None and name not in seen_blocks:
            seen_blocks.add(name)
            yield from walk_entities(doc, block, seen_blocks, depth + 1)


def _iter_layout_entities(doc: Any) -> Iterator[tuple[Any, int]]:
    """Entities of model space and paper space layouts, and of the blocks inserted there (with depth)."""
    seen_blocks: set[str] = set()
    for layout in doc.layouts:
        yield from walk_entities(doc, layout, seen_blocks)


def _style_fonts(doc: Any) -> dict[str, str]:
    """Text style name (upper case) -> its font file or face name, for symbol-font decoding."""
    fonts: dict[str, str] = {}
    for style in doc.styles:
        font = str(style.dxf.get("font", "") or "")
        face = style.get_extended_font_data()[0] if style.has_extended_font_data else ""
        fonts[str(style.dxf.name).upper()] = face or font
    return fonts


def _text_of(entity: Any, fonts: dict[str, str]) -> str | None:
    kind = entity.dxftype()
    font = fonts.get(str(entity.dxf.get("style", "Standard")).upper(), "") if entity.dxf.is_supported("style") else ""
    if kind == "ATTRIB":  # the tag names the title-block field the value fills ("PART_NO" -> "PART NO: ...")
        value = decode_symbol_fonts(str(entity.dxf.get("text", "")), font=font)
        tag = str(entity.dxf.get("tag", ""))
        labelled = value.strip() and is_field_label(tag) and not starts_with_label(value)
        return f"{tag.replace('_', ' ')}: {value}" if labelled else value
    if kind in ("TEXT", "ATTDEF"):
        return decode_symbol_fonts(str(entity.dxf.get("text", "")), font=font)
    if kind == "MTEXT":
        return decode_symbol_fonts(str(entity.text), font=font)
    if kind == "MULTILEADER":
        context = getattr(entity, "context", None)
        mtext = getattr(context, "mtext", None)
        return decode_symbol_fonts(str(mtext.default_content)) if mtext is not None else None
    return None


def _anchor(entity: Any) -> Any:
    if entity.dxf.is_supported("insert"):
        return entity.dxf.get("insert", None)
    mtext = getattr(getattr(entity, "context", None), "mtext", None)
    return getattr(mtext, "insert", None)


def resolve_units(header: Any, note_hint: Units | None, values: list[float]) -> tuple[Units, ParseIssue | None]:
    """Drawing units from $INSUNITS, else a units note, else $MEASUREMENT, else the dimension values.

    Args:
        header: the document header (anything with ``get(name, default)``).
        note_hint: units stated in a note, if any.
        values: measured dimension values, drawing units.

    Returns:
        The units and an issue when they were inferred or assumed rather than stated.
    """
    code = int(header.get("$INSUNITS", 0) or 0)
    units = units_from_insunits(code)
    if units is not None:
        return units, None
    if note_hint is not None:
        return note_hint, ParseIssue(
            code=IssueCode.UNITS_INFERRED, detail=f"$INSUNITS={code}; units taken from a note ({note_hint})"
        )
    measurement = header.get("$MEASUREMENT", None)
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


def parse_dxf(
    data: bytes, filename: str, *, progress: Progress | None = None, max_entities: int = DEFAULT_MAX_DXF_ENTITIES
) -> ParsedDrawing:
    """Read a DXF drawing (ASCII or binary, R12 to R2018).

    Args:
        data: the file's bytes.
        filename: kept in the result and in error messages.
        progress: called with the fraction done (0.0 to 1.0) as reading advances; for a progress bar.
        max_entities: a file with more entities (blocks included) is refused before it is loaded.

    Returns:
        Dimensions (drawing units), title-block fields, GD&T frames, roughness, holes, envelope and issues.

    Raises:
        EmptyFile: the file is empty.
        UnsupportedFileType: the bytes are not a DXF (a DWG, PDF or text file named .dxf).
        TruncatedDrawing: the file ends inside its drawing data.
        CorruptDrawing: ezdxf cannot recover a document from the bytes.
        TooManyEntities: the file has more than ``max_entities`` entities.
    """
    report: Progress = progress or (lambda _done: None)
    report(0.0)
    check_bytes(data, filename)
    if more_entities_than(data, max_entities):
        raise TooManyEntities(filename=filename, limit=max_entities)
    from parsers.dxf_stream import STREAM_BYTES, parse_large_dxf

    if len(data) > STREAM_BYTES and not data.startswith(b"AutoCAD Binary DXF"):
        return parse_large_dxf(data, filename, progress=report)
    doc, issues = load_document(data, filename)
    report(0.5)
    pairs = [(e, b) for e in doc.modelspace() if (b := part_box(e)) is not None]
    circles = [circle_of(e) for e, _ in pairs if e.dxftype() == "CIRCLE"]
    sheet = Sheet(
        entities=list(_iter_layout_entities(doc)), items=[(e.dxftype(), b) for e, b in pairs], circles=circles
    )
    return build_drawing(filename, doc=doc, sheet=sheet, part=[e for e, _ in pairs], issues=issues, report=report)


@dataclass
class Sheet:
    """What a drawing is built from: annotation entities (with block depth), part boxes and circles."""

    entities: list[tuple[Any, int]]
    items: list[tuple[str, tuple[float, float, float, float]]]
    circles: Iterable[tuple[float, float, float]]


def build_drawing(
    filename: str, *, doc: Any, sheet: Sheet, part: list[Any] | None, issues: list[ParseIssue], report: Progress
) -> ParsedDrawing:
    """Read callouts, notes, GD&T, roughness, envelope and holes from a loaded (or skeleton) document.

    Args:
        filename: kept in the result.
        doc: the ezdxf document: header, styles, dimension styles and blocks.
        sheet: the entities and part geometry to read.
        part: the part-geometry entities for the internal radius; None when they were not kept.
        issues: issues found so far (loading, repairs).
        report: progress callback.

    Returns:
        The drawing.
    """
    entities = sheet.entities
    fonts = _style_fonts(doc)
    texts_by_entity = [(e, d, t) for e, d in entities if (t := _text_of(e, fonts))]
    texts = [t for _, _, t in texts_by_entity]
    notes = read_notes(texts)
    dims = [e for e, _ in entities if e.dxftype() in ("DIMENSION", "ARC_DIMENSION")]
    rough = [v for d in dims if (v := raw_measurement_or_none(d)) is not None]
    units, units_issue = resolve_units(doc.header, notes.units_hint, rough)
    if units_issue is not None:
        issues.append(units_issue)
    dimensions, dim_issues = read_dimensions(dims, header=doc.header, units=units, report=report)
    issues.extend(dim_issues)
    gdt = [f for e, _ in entities if e.dxftype() == "TOLERANCE" for f in extract_gdt_frames(e.dxf.get("content", ""))]
    for entity, depth, raw in texts_by_entity:
        if "%%v" in raw.lower() and (frames := extract_gdt_frames(raw)):
            gdt.extend(frames)  # a frame typed as text in the gdt font
            continue
        if depth > 0 or entity.dxftype() not in ("TEXT", "MTEXT", "MULTILEADER"):
            continue
        callout = parse_callout(raw, units=units)
        if callout is not None and _is_feature_note(callout):
            dimensions.append(
                to_dimension(callout, callout.kind, units=units, confidence=0.7, position=_anchor(entity))
            )
    if not dimensions:
        issues.append(ParseIssue(code=IssueCode.NO_DIMENSIONS, detail="no DIMENSION entities or callout texts"))
    roughness = _read_roughness(entities, texts, fonts=fonts, units=units)
    envelope = extract_envelope(sheet.items, thickness=notes.thickness)
    report(0.9)
    size, how, env_issues = _decide_depth(envelope, dimensions)
    issues.extend(env_issues)
    holes = extract_holes(sheet.circles, envelope.view_boxes)
    radius = view_internal_radius(part, envelope.view_boxes[0]) if part and envelope.view_boxes else None
    report(1.0)
    return ParsedDrawing(
        file=filename,
        format=DrawingKind.DXF,
        units=units,
        envelope=Envelope(x=size[0], y=size[1], z=size[2]) if size else None,
        general_tolerance=notes.general_tolerance,
        material=notes.material,
        finish=notes.finish,
        part_number=notes.part_number,
        revision=notes.revision,
        thickness=notes.thickness,
        quantity=notes.quantity,
        views=envelope.views,
        notes=tuple(clean_mtext(t) for t in texts),
        dimensions=tuple(dimensions),
        issues=tuple(issues),
        gdt=tuple(gdt),
        roughness=tuple(roughness),
        holes=tuple(holes),
        smallest_internal_radius=radius,
    )


def _read_roughness(
    entities: list[tuple[Any, int]], texts: list[str], *, fonts: dict[str, str], units: Units
) -> list[Roughness]:
    found = [r for t in texts if (r := parse_roughness(clean_mtext(t), units=units))]
    for entity, _ in entities:
        if entity.dxftype() != "INSERT" or not SURFACE_BLOCK.search(str(entity.dxf.name)):
            continue
        values = [clean_mtext(t) for a in entity.attribs if a.is_alive and (t := _text_of(a, fonts))]
        block = entity.block()
        if block is not None:
            values += [clean_mtext(t) for e in block if e.dxftype() in ("TEXT", "MTEXT") and (t := _text_of(e, fonts))]
        if mark := parse_surface_symbol(values, units=units):
            found.append(mark)
    return list(dict.fromkeys(found))


def _decide_depth(
    envelope: EnvelopeResult, dimensions: list[Dimension]
) -> tuple[tuple[float, float, float | None] | None, str, list[ParseIssue]]:
    """The envelope with a turned part's depth, and the ENVELOPE issue saying how it was decided."""
    size, issues, how = envelope.size, list(envelope.issues), envelope.how
    if size is not None and size[2] is None and envelope.views == 1 and _is_turned(size, dimensions):
        size = (size[0], size[1], min(size[0], size[1]))  # one view of a round part
        issues = [i for i in issues if i.code is not IssueCode.NO_THICKNESS]
        how = how.replace("z unknown", f"z {size[2]:g}: one view of a turned part, as deep as its diameter")
    if size is not None:
        issues.append(ParseIssue(code=IssueCode.ENVELOPE, detail=how))
    return size, how, issues


def _is_turned(envelope: tuple[float, float, float | None], dimensions: list[Dimension]) -> bool:
    """A single view whose smaller extent is a printed diameter: a turned part, as deep as it is wide."""
    width = min(envelope[0], envelope[1])
    return any(d.kind is DimensionKind.DIAMETER and math.isclose(d.nominal, width, rel_tol=0.02) for d in dimensions)
