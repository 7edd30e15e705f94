"""ezdxf's recover mode on a clean ASCII DXF, with its tag stage done in one pass: the same document, sooner.

``ezdxf.recover.read`` sends every tag through six generator stages (the byte loader, repairs for
misordered LINE coordinates, stray point codes and bad handles, the MTEXT chunk joiner, the compiler
with DXF unicode escapes) before it rebuilds the sections, repairs the tables, audits and loads the
document. On a file that needs none of those repairs the stages pass every tag through unchanged and
cost about half of the whole read. ``read_clean`` compiles the tags in one loop that stops
(``NotClean``) at the first tag a repair would touch, then runs recover's own section rebuild, table
repair, structure check, audit and load on them. A file it refuses goes through ``recover.read``.
"""

from __future__ import annotations

import io
from typing import Any

from ezdxf.lldxf.types import BINARY_DATA, POINT_CODES, TYPE_TABLE, DXFBinaryTag, DXFTag, DXFVertex
from ezdxf.recover import Recover, _load_and_audit_document, bytes_loader, detect_encoding

# y and z codes that are only valid right after their x code (recover drops them elsewhere)
_FOLLOWERS = {code + 10 for code in POINT_CODES} | ({code + 20 for code in POINT_CODES} - {38})
_LINE_COORDINATES = (10, 20, 30, 11, 21, 31)


class NotClean(Exception):
    """The file needs one of recover mode's repairs: read it with ``ezdxf.recover.read``."""


def read_clean(data: bytes) -> tuple[Any, Any]:
    """``ezdxf.recover.read(BytesIO(data))`` for an ASCII DXF that needs no tag repair.

    Returns:
        The document and its auditor, as ``recover.read`` returns them.

    Raises:
        NotClean: a tag needs a repair (or the text an escape, or a lenient decode).
        DXFStructureError: the sections or entities are broken (as ``recover.read`` raises it).
    """
    tool = Recover()
    sections = tool.rebuild_sections(clean_tags(data))
    # The rest of Recover.run, unchanged.
    tool.load_section_dict(sections)
    tables = tool.section_dict.get("TABLES")
    if tables:
        tool.section_dict["TABLES"] = tool.rebuild_tables(tables)  # type: ignore[arg-type, assignment]
    if tool.dxfversion > "AC1009":
        tool.recover_rootdict()  # type: ignore[no-untyped-call]
        tool.fix_broken_layout_links()  # type: ignore[no-untyped-call]
    is_r12 = tool.dxfversion <= "AC1009"
    for name, entities in tool.section_dict.items():
        if name in {"TABLES", "BLOCKS", "OBJECTS", "ENTITIES"}:
            tool.section_dict[name] = list(tool.check_entities(entities, is_r12))  # type: ignore[arg-type]
    return _load_and_audit_document(tool)


def clean_tags(data: bytes) -> list[DXFTag]:
    """The compiled tags recover mode makes of ``data``, when none of its repairs applies.

    Raises:
        NotClean: the first place where recover mode would change, drop or guess a tag.
    """
    if b"\\U+" in data or b"\\M+" in data:
        raise NotClean("DXF unicode or MIF escapes")
    try:
        text = data.decode(detect_encoding(bytes_loader(io.BytesIO(data))))
    except (UnicodeDecodeError, LookupError) as exc:
        raise NotClean("needs a lenient decode") from exc
    lines = text.split("\n")
    tags: list[DXFTag] = []
    append = tags.append
    handle_code = 5
    in_mtext = in_content = in_line = False
    line_coordinates: list[tuple[int, int]] = []  # (position, code) of a LINE's coordinate tags
    chunks: list[str] = []
    point: list[str] = []
    point_code = 0
    for index, (code, value) in enumerate(_pairs(lines)):
        if in_line and code in _LINE_COORDINATES:
            line_coordinates.append((index, code))
        if point:
            if code == point_code + 10 * len(point):
                point.append(value)
                if len(point) < 3:
                    continue
            elif len(point) == 1:
                raise NotClean("an x coordinate without its y")
            append(_vertex(point_code, point))
            point = []
            if code == point_code + 20:
                continue
        if code in (0, 100, 101, 1001):
            if chunks:
                append(DXFTag(3, "".join(chunks)))
                chunks.clear()
            if code == 0:
                if in_line and line_coordinates and not _canonical(line_coordinates):
                    raise NotClean("LINE coordinates out of order")
                if value != value.strip().upper():
                    raise NotClean("a structure tag that is not upper case")
                in_mtext, in_line = value == "MTEXT", value == "LINE"
                line_coordinates = []
                handle_code = 105 if value == "DIMSTYLE" else 5
            in_content = in_mtext and code == 100 and value == "AcDbMText"
        if code == handle_code:
            try:
                int(value, 16)
            except ValueError:
                raise NotClean("an invalid handle") from None
        if code in POINT_CODES:
            point, point_code = [value], code
            continue
        if code in _FOLLOWERS:
            raise NotClean("a y or z coordinate without its x")
        if in_content and code == 3:
            chunks.append(value)
            append(DXFTag(3, ""))
        elif in_content and code == 1:
            chunks.append(value)
            append(DXFTag(1, "".join(chunks)))
            chunks.clear()
        else:
            append(_compiled(code, value))
    if in_line and line_coordinates and not _canonical(line_coordinates):
        raise NotClean("LINE coordinates out of order")
    if point:
        if len(point) == 1:
            raise NotClean("an x coordinate without its y")
        append(_vertex(point_code, point))
    if chunks:
        append(DXFTag(3, "".join(chunks)))
    return tags


def _pairs(lines: list[str]) -> list[tuple[int, str]]:
    """(group code, value) as recover's byte loader reads them: comments skipped, nothing after EOF, a last
    code without its value dropped."""
    pairs = []
    for i in range(0, len(lines) - 1, 2):
        try:
            code = int(lines[i])
        except ValueError:
            raise NotClean("a group code that is not a number") from None
        value = lines[i + 1].rstrip("\r\n")
        if code != 999:
            pairs.append((code, value))
        if code == 0 and value == "EOF":
            break
    return pairs


def _canonical(positions: list[tuple[int, int]]) -> bool:
    """True when a LINE's coordinate tags come together in x1 y1 z1 x2 y2 z2 order (nothing to reorder)."""
    codes = [code for _, code in positions]
    first = positions[0][0]
    ordered = [c for c in _LINE_COORDINATES if c in codes]
    return codes == ordered and [p for p, _ in positions] == list(range(first, first + len(codes)))


def _vertex(code: int, values: list[str]) -> DXFVertex:
    if not all(v.isascii() for v in values):
        raise NotClean("a coordinate that is not plain ASCII")
    try:
        return DXFVertex(code, tuple(float(v) for v in values))
    except ValueError:
        raise NotClean("a coordinate that is not a number") from None


def _compiled(code: int, value: str) -> DXFTag:
    if code in BINARY_DATA:
        try:
            binary: DXFTag = DXFBinaryTag.from_string(code, value)
        except ValueError:
            raise NotClean("binary data that is not hexadecimal") from None
        return binary
    kind = TYPE_TABLE.get(code, str)
    if kind is str:
        return DXFTag(code, value)
    if not value.isascii():
        raise NotClean("a number that is not plain ASCII")
    try:
        return DXFTag(code, kind(value))
    except ValueError:
        raise NotClean("a value recover mode would guess") from None
