"""Count the entities of a DXF before ezdxf builds anything, so an oversized drawing is refused cheaply.

ASCII DXF: each record starts with a group-code-0 line followed by its type name (``  0`` / ``LINE``); a
value line ``0`` is always followed by a group-code line (digits), never by a name, so one regular
expression over the BLOCKS and ENTITIES sections counts records without reading tag pairs. Binary DXF has
no line structure; its tags are walked with ezdxf's tag loader, which builds no entities.
"""

from __future__ import annotations

import re
import struct

from ezdxf.lldxf.const import DXFError
from ezdxf.lldxf.tagger import binary_tags_loader

from parsers.dxf_load import BINARY_SENTINEL

_SECTION = re.compile(
    rb"\n[ \t]*0[ \t]*\r?\n[ \t]*SECTION[ \t]*\r?\n[ \t]*2[ \t]*\r?\n[ \t]*(BLOCKS|ENTITIES)[ \t]*\r?\n"
)
_ENDSEC = re.compile(rb"\n[ \t]*0[ \t]*\r?\n[ \t]*ENDSEC[ \t]*\r?\n")
# A group-code-0 line and the first character of a record type (LINE, 3DFACE, ACAD_TABLE, ...)
_RECORD = re.compile(rb"\n[ \t]*0[ \t]*\r?\n[ \t]*(?:[A-Z_]|3D)")


def more_entities_than(data: bytes, limit: int) -> bool:
    """Whether a DXF has more than ``limit`` records in its BLOCKS and ENTITIES sections (block and entity
    records, with their attributes and vertices).

    A file with fewer than ``2 * limit`` lines cannot (each record is at least one tag of two lines), and is
    not counted record by record.

    Args:
        data: a DXF file, ASCII or binary.
        limit: the most records accepted.
    """
    if data.startswith(BINARY_SENTINEL):
        return _count_binary(data, stop_after=limit) > limit
    if data.count(b"\n") // 2 <= limit:
        return False
    first = _SECTION.search(data)
    start, end = (first.start(), len(data)) if first else (0, len(data))
    entities = next((m for m in _SECTION.finditer(data, start) if m.group(1) == b"ENTITIES"), None)
    if entities is not None and (close := _ENDSEC.search(data, entities.end())) is not None:
        end = close.end()
    # findall is about twice as fast as a finditer loop (no match objects); the list is short-lived
    return len(_RECORD.findall(data, start, end)) > limit


def _count_binary(data: bytes, *, stop_after: int) -> int:
    count = 0
    inside = False
    previous = ""
    try:
        for tag in binary_tags_loader(data):
            if tag.code == 0:
                previous = str(tag.value)
                if previous == "ENDSEC":
                    inside = False
                elif inside:
                    count += 1
                    if count > stop_after:
                        break
            elif tag.code == 2 and previous == "SECTION":
                inside = tag.value in ("BLOCKS", "ENTITIES")
                previous = ""
    except (DXFError, ValueError, UnicodeError, IndexError, struct.error):
        pass  # a damaged file is reported by the loader, with its own error
    return count
