"""Large DXF files read in one streaming pass over model space, so memory stays near the file's own size.

A whole ezdxf document costs about 1 KB per entity (over a gigabyte for a million); here each entity is
read, reduced to a box, a circle, a text or a Dimension, and dropped. Boxes are kept in compact arrays and
merged per grid cell before views are grouped, which gives the same views as the full reader.
"""

from __future__ import annotations

import io
import re
from array import array
from collections.abc import Callable
from typing import Any

from ezdxf.addons import iterdxf
from ezdxf.lldxf.const import DXFError

from parsers.dxf_dimensions import extract_dimension, raw_measurement_or_none
from parsers.dxf_envelope import extract_envelope, part_box
from parsers.dxf_features import extract_holes
from parsers.dxf_symbols import decode_symbol_fonts
from parsers.errors import CorruptDrawing
from parsers.models import Dimension, DrawingKind, Envelope, IssueCode, ParsedDrawing, ParseIssue
from parsers.notes import read_notes
from parsers.tolerances import clean_mtext

STREAM_BYTES = 16 * 2**20  # above this an ASCII DXF is streamed instead of loaded whole
_GRID = 256
_HEADER_VALUE = re.compile(rb"\n\s*9\r?\n(\$[A-Z0-9_]+)\r?\n\s*(\d+)\r?\n([^\r\n]*)")
_TEXT_TYPES = frozenset({"TEXT", "MTEXT", "ATTRIB"})
_Box = tuple[float, float, float, float]


class _Header(dict[str, Any]):
    """Header variables with simple values, read from the HEADER section's text."""


def _read_header(data: bytes) -> _Header:
    end = data.find(b"ENDSEC")
    header = _Header()
    for name, code, value in _HEADER_VALUE.findall(data[: end if end > 0 else 0]):
        text = value.decode("latin-1").strip()
        group = int(code)
        try:
            header[name.decode()] = int(text) if 60 <= group <= 99 or 270 <= group <= 289 else float(text)
        except ValueError:
            header[name.decode()] = text
    return header


def _grid_items(boxes: array[float], kinds: list[str]) -> list[tuple[str, _Box]]:
    """Merge part boxes per cell of a 256 x 256 grid over their extent; boxes wider than a cell stay whole.

    Two boxes in one cell are closer than the view-grouping gap (3 % of the extent), so merging them first
    does not change which views are found.
    """
    count = len(kinds)
    if count == 0:
        return []
    x0, y0 = min(boxes[0::4]), min(boxes[1::4])
    x1, y1 = max(boxes[2::4]), max(boxes[3::4])
    cell = max(x1 - x0, y1 - y0, 1e-9) / _GRID
    merged: dict[tuple[int, int], tuple[str, _Box]] = {}
    items: list[tuple[str, _Box]] = []
    for i in range(count):
        box = (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3])
        if max(box[2] - box[0], box[3] - box[1]) > cell:
            items.append((kinds[i], box))
            continue
        key = (int((box[0] - x0) / cell), int((box[1] - y0) / cell))
        old = merged.get(key)
        if old is None:
            merged[key] = (kinds[i], box)
        else:  # a cell holding lines is outline, whatever else it holds
            kind = old[0] if old[0] not in ("CIRCLE", "ARC") else kinds[i]
            b = old[1]
            merged[key] = (kind, (min(b[0], box[0]), min(b[1], box[1]), max(b[2], box[2]), max(b[3], box[3])))
    return items + list(merged.values())


def parse_large_dxf(data: bytes, filename: str, *, progress: Callable[[float], None]) -> ParsedDrawing:
    """Read a large ASCII DXF in one pass over model space.

    Paper space and block contents are not read (a large file's bulk is model-space geometry); the
    smallest internal radius is not computed. Both are said in a LARGE_FILE issue.

    Args:
        data: the file's bytes.
        filename: kept in the result and in error messages.
        progress: called with the fraction done.

    Returns:
        The drawing, as ``parse_dxf`` returns it.

    Raises:
        CorruptDrawing: the entity stream cannot be read.
    """
    from parsers.dxf import resolve_units  # the same units rules as the full reader

    header = _read_header(data)
    stream = io.BytesIO(data)
    boxes: array[float] = array("d")
    kinds: list[str] = []
    circles: array[float] = array("d")
    texts: list[str] = []
    dims: list[Any] = []
    try:
        for n, entity in enumerate(iterdxf.single_pass_modelspace(stream)):
            kind = entity.dxftype()
            if kind in _TEXT_TYPES:
                raw = str(entity.text if kind == "MTEXT" else entity.dxf.get("text", ""))
                texts.append(decode_symbol_fonts(raw))
            elif kind in ("DIMENSION", "ARC_DIMENSION"):
                dims.append(entity)
            elif kind != "INSERT" and (box := part_box(entity)) is not None:  # blocks are not read here
                boxes.extend(box)
                kinds.append(kind)
                if kind == "CIRCLE":
                    center = entity.dxf.center
                    circles.extend((float(center[0]), float(center[1]), float(entity.dxf.radius)))
            if n % 20_000 == 0:
                progress(0.8 * stream.tell() / len(data))
    except (DXFError, ValueError, UnicodeError, IndexError, EOFError) as exc:
        raise CorruptDrawing(f"{filename!r} is not a readable DXF file: {exc}", filename=filename) from exc
    notes = read_notes(texts)
    units, units_issue = resolve_units(header, notes.units_hint, [v for d in dims if (v := raw_measurement_or_none(d))])
    issues = [
        ParseIssue(
            code=IssueCode.LARGE_FILE,
            detail=f"{len(data) / 2**20:.0f} MB read in one streaming pass over model space: paper space and "
            "blocks were not read and the smallest internal radius was not computed",
        )
    ]
    if units_issue is not None:
        issues.append(units_issue)
    dimensions: list[Dimension] = []
    for dim in dims:
        found, issue = _extract(dim, header, units)
        if found is not None:
            dimensions.append(found)
        if issue is not None:
            issues.append(issue)
    progress(0.85)
    envelope = extract_envelope(_grid_items(boxes, kinds), thickness=notes.thickness)
    if envelope.size is not None:
        issues.append(ParseIssue(code=IssueCode.ENVELOPE, detail=envelope.how))
    issues.extend(envelope.issues)
    holes = extract_holes(
        ((circles[i], circles[i + 1], circles[i + 2]) for i in range(0, len(circles), 3)), envelope.view_boxes
    )
    progress(1.0)
    size = envelope.size
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
        holes=tuple(holes),
    )


def _extract(dim: Any, header: _Header, units: Any) -> tuple[Dimension | None, ParseIssue | None]:
    """A streamed DIMENSION has no document, so its dimstyle is the drawing's defaults."""
    try:
        return extract_dimension(dim, header=header, units=units)
    except (DXFError, AttributeError, TypeError, KeyError):
        return None, None
