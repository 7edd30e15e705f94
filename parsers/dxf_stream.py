"""Large DXF files read in one streaming pass over model space, so memory stays near the file's own size.

A whole ezdxf document costs about 1 KB per entity (over a gigabyte for a million); here each entity is
read, reduced to a box, a circle, a text or a Dimension, and dropped. Boxes are kept in compact arrays and
merged per grid cell before views are grouped, which gives the same views as the full reader.
"""

from __future__ import annotations

import io
import math
from array import array
from collections.abc import Callable, Iterator
from typing import Any

from ezdxf.entities import factory
from ezdxf.entities.subentity import entity_linker
from ezdxf.lldxf.const import DXFError
from ezdxf.lldxf.extendedtags import ExtendedTags
from ezdxf.lldxf.tagger import tag_compiler
from ezdxf.lldxf.types import DXFTag
from ezdxf.recover import bytes_loader, detect_encoding

from parsers.dxf_envelope import is_part_layer, part_box
from parsers.dxf_load import ENTITIES_SECTION, load_document
from parsers.errors import CorruptDrawing
from parsers.models import IssueCode, ParsedDrawing, ParseIssue

STREAM_BYTES = 16 * 2**20  # above this an ASCII DXF is streamed instead of loaded whole
_GRID = 96
_ANNOTATION_TYPES = frozenset({"TEXT", "MTEXT", "MULTILEADER", "DIMENSION", "ARC_DIMENSION", "TOLERANCE", "INSERT"})
_Box = tuple[float, float, float, float]


def _skeleton(data: bytes, filename: str) -> tuple[Any, list[ParseIssue]]:
    """The document without its ENTITIES section: header, tables (styles, dimension styles) and blocks."""
    section = ENTITIES_SECTION.search(data)
    if section is None:
        return load_document(data, filename)
    end = data.find(b"ENDSEC", section.end())
    line_start = data.rfind(b"\n", 0, end - 1) + 1  # the group-code line before ENDSEC
    return load_document(data[: section.end()] + data[line_start:], filename)


def _grid_items(boxes: array[float], kinds: list[str]) -> list[tuple[str, _Box]]:
    """Merge part boxes by the grid cell (1/96 of the extent) their lower-left corner falls in.

    Boxes starting in one cell are closer than the view-grouping gap (3 % of the extent), so merging them
    first does not change which views are found. Boxes longer than four cells (outlines, frame lines) stay
    whole: their union with neighbours would fill space that is empty on the sheet.
    """
    count = len(kinds)
    if count == 0:
        return []
    x0, y0 = min(boxes[0::4]), min(boxes[1::4])
    x1, y1 = max(boxes[2::4]), max(boxes[3::4])
    extent = max(x1 - x0, y1 - y0, 1e-9)
    cell = extent / _GRID
    merged: dict[tuple[int, int], tuple[str, _Box]] = {}
    items: list[tuple[str, _Box]] = []
    for i in range(count):
        box = (boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3])
        if max(box[2] - box[0], box[3] - box[1]) > 4 * cell:
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


_Fast = tuple[float, ...]


def _arc_box(cx: float, cy: float, r: float, start_deg: float, end_deg: float) -> _Box:
    """The box of an arc: its end points plus the quadrant points its sweep passes."""
    sweep = (end_deg - start_deg) % 360 or 360.0
    angles = [start_deg, start_deg + sweep] + [q for q in range(0, 720, 90) if start_deg < q < start_deg + sweep]
    xs = [cx + r * math.cos(math.radians(a)) for a in angles]
    ys = [cy + r * math.sin(math.radians(a)) for a in angles]
    return min(xs), min(ys), max(xs), max(ys)


def _fast_box(kind: str, tags: dict[int, bytes], encoding: str) -> _Fast | None:
    """(box..., circle...) of a flat model-space LINE, CIRCLE or ARC read from its raw tags, () when it is not
    part geometry, None when it needs ezdxf (tilted, mirrored or on paper space)."""
    if tags.get(67, b"0").strip() != b"0" or (230 in tags and abs(float(tags[230]) - 1.0) > 1e-9):
        return None
    layer, linetype = tags.get(8, b"0"), tags.get(6, b"")
    if not is_part_layer(layer.decode(encoding, errors="replace"), linetype.decode(encoding, errors="replace")):
        return ()
    x, y = float(tags[10]), float(tags[20])
    if kind == "LINE":
        x1, y1 = float(tags[11]), float(tags[21])
        return min(x, x1), min(y, y1), max(x, x1), max(y, y1)
    r = float(tags[40])
    if kind == "CIRCLE":
        return x - r, y - r, x + r, y + r, x, y, r
    return _arc_box(x, y, r, float(tags.get(50, 0)), float(tags.get(51, 360)))


class _EntityReader:
    """Entities of the ENTITIES section, one at a time: (type, fast box or None, entity or None).

    Flat LINE/CIRCLE/ARC entities (the bulk of big files) are reduced to boxes from their tags without
    building ezdxf objects; every other entity is loaded by ezdxf's factory, INSERT/POLYLINE with their
    ATTRIB/VERTEX entities linked.
    """

    _FAST = frozenset({"LINE", "CIRCLE", "ARC"})

    def __init__(self, data: bytes, *, encoding: str) -> None:
        section = ENTITIES_SECTION.search(data)
        self.stream = io.BytesIO(data)
        self.stream.seek(section.end() if section else len(data))
        self.encoding = encoding
        self.position = 0
        self.skipped = 0  # entities with values that cannot be read

    def _entities(self) -> Iterator[list[tuple[int, bytes]]]:
        """Each entity's raw tags; values stay bytes until an entity needs them as text."""
        readline = self.stream.readline
        tags: list[tuple[int, bytes]] = []
        while True:
            code, value = readline(), readline()
            if not value:
                break
            number, value = int(code), value.rstrip(b"\r\n")
            if number == 0:
                if tags:
                    yield tags
                if value == b"ENDSEC":
                    return
                tags = []
            tags.append((number, value))
        if tags:
            yield tags

    def __iter__(self) -> Iterator[tuple[str, _Fast | None, Any]]:
        linker = entity_linker()
        queued: Any = None
        encoding = self.encoding
        for tags in self._entities():
            kind = tags[0][1].decode(encoding, errors="replace")
            self.position = self.stream.tell()
            if kind in self._FAST:
                try:
                    fast = _fast_box(kind, dict(tags), encoding)
                except (ValueError, KeyError):
                    self.skipped += 1
                    continue
                if fast is not None:
                    if queued is not None:
                        yield queued.dxftype(), None, queued
                        queued = None
                    if fast:
                        yield kind, fast, None
                    continue
            try:
                text = (DXFTag(c, v.decode(encoding, errors="replace")) for c, v in tags)
                entity = factory.load(ExtendedTags(tag_compiler(text)))
            except (DXFError, ValueError, KeyError, IndexError):
                self.skipped += 1
                continue
            if linker(entity):
                continue
            if queued is not None:
                yield queued.dxftype(), None, queued
            queued = entity
        if queued is not None:
            yield queued.dxftype(), None, queued


def parse_large_dxf(data: bytes, filename: str, *, progress: Callable[[float], None]) -> ParsedDrawing:
    """Read a large ASCII DXF: its document without entities, then one pass over the model-space entities.

    Annotation entities (texts, dimensions, frames, block references) are kept and read as ``parse_dxf``
    reads them; geometry is reduced to boxes and circles as it streams past. The smallest internal
    radius is not computed and the active paper space is not read (a LARGE_FILE issue says so).

    Args:
        data: the file's bytes.
        filename: kept in the result and in error messages.
        progress: called with the fraction done.

    Returns:
        The drawing, as ``parse_dxf`` returns it.

    Raises:
        CorruptDrawing: the document or its entity stream cannot be read.
    """
    from parsers.dxf import Sheet, build_drawing, walk_entities

    doc, issues = _skeleton(data, filename)
    seen_blocks: set[str] = set()
    annotations: list[tuple[Any, int]] = []
    for layout in doc.layouts:
        if not layout.is_modelspace:
            annotations.extend(walk_entities(doc, layout, seen_blocks))
    # The file's text encoding as recover mode reads it: UTF-8 from R2007 on ($DWGCODEPAGE still names
    # the code page there, and the document's encoding follows it).
    reader = _EntityReader(data, encoding=detect_encoding(bytes_loader(io.BytesIO(data))))
    boxes: array[float] = array("d")
    kinds: list[str] = []
    circles: array[float] = array("d")
    try:
        for n, (kind, fast, entity) in enumerate(reader):
            if fast is not None:
                boxes.extend(fast[:4])
                kinds.append(kind)
                if kind == "CIRCLE":
                    circles.extend(fast[4:])
            elif entity.dxf.get("paperspace", 0):
                annotations.append((entity, 0))  # title blocks and notes often sit on the sheet
            else:
                if kind in _ANNOTATION_TYPES:
                    entity.doc = doc  # dimension styles, text styles and blocks live in the skeleton
                    if kind != "INSERT" or entity.attribs or str(entity.dxf.name) not in seen_blocks:
                        annotations.extend(walk_entities(doc, [entity], seen_blocks))
                if (box := part_box(entity)) is not None:
                    boxes.extend(box)
                    kinds.append(kind)
            if n % 50_000 == 0:
                progress(0.5 * reader.position / len(data))
    except (DXFError, ValueError, UnicodeError, IndexError, EOFError, KeyError) as exc:
        raise CorruptDrawing(f"{filename!r} is not a readable DXF file: {exc}", filename=filename) from exc
    if reader.skipped:
        issues.append(
            ParseIssue(code=IssueCode.DXF_REPAIRED, detail=f"{reader.skipped} entities with unreadable values skipped")
        )
    issues.append(
        ParseIssue(
            code=IssueCode.LARGE_FILE,
            detail=f"{len(data) / 2**20:.0f} MB read in one streaming pass over its entities: the smallest "
            "internal radius was not computed",
        )
    )
    sheet = Sheet(
        entities=annotations,
        items=_grid_items(boxes, kinds),
        circles=((circles[i], circles[i + 1], circles[i + 2]) for i in range(0, len(circles), 3)),
    )
    return build_drawing(filename, doc=doc, sheet=sheet, part=None, issues=issues, report=progress)
