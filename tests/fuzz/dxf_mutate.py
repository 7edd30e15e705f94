"""Structure-aware DXF mutators: group codes and values, entity types and counts, HEADER variables, blocks.

An ASCII DXF is a list of (group code, value) line pairs; each mutation edits that list, so the result
stays a DXF in shape while its content is hostile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

from tests.fuzz.mutate import HUGE_NUMBERS

Pairs = list[list[str]]

HEADER_VARS: dict[str, tuple[str, tuple[str, ...]]] = {
    # name: (group code, values to try)
    "$INSUNITS": ("70", ("-1", "0", "1", "2", "4", "5", "6", "14", "20", "21", "24", "25", "99", "32767",
                         "2147483648", "abc", "")),
    "$MEASUREMENT": ("70", ("0", "1", "2", "-1", "999")),
    "$LUNITS": ("70", ("0", "1", "2", "3", "4", "5", "6", "-7")),
    "$LUPREC": ("70", ("0", "8", "-1", "100")),
    "$DIMSCALE": ("40", ("0", "-1", "1e308", "nan", "1e-300")),
    "$DIMLFAC": ("40", ("0", "-1", "25.4", "1e308", "inf", "nan")),
    "$DIMTOL": ("70", ("0", "1", "-5")),
    "$DIMTP": ("40", ("0", "1e308", "-1", "nan")),
    "$DIMTM": ("40", ("0", "1e308", "-1", "nan")),
    "$DIMDEC": ("70", ("0", "8", "-1", "255", "99999")),
    "$DIMALT": ("70", ("0", "1")),
    "$DIMALTF": ("40", ("0", "25.4", "1e308", "-1")),
    "$DIMPOST": ("1", ("", "<>", "<> mm", "<><>", "\\X<>", "%%c<>", "x" * 2000)),
    "$ACADVER": ("1", ("AC1009", "AC1015", "AC1032", "AC9999", "AC", "", "R12")),
    "$DWGCODEPAGE": ("3", ("ANSI_1252", "ANSI_932", "ANSI_999", "UTF8", "garbage", "", "DOS850")),
    "$EXTMIN": ("10", ("0", "-1e308", "nan", "1e309")),
    "$EXTMAX": ("10", ("0", "1e308", "nan", "-1e309")),
}
ENTITY_TYPES = (
    "LINE", "CIRCLE", "ARC", "TEXT", "MTEXT", "DIMENSION", "INSERT", "ATTRIB", "LWPOLYLINE", "POLYLINE", "VERTEX",
    "SEQEND", "LEADER", "MULTILEADER", "TOLERANCE", "HATCH", "SPLINE", "ELLIPSE", "ACAD_TABLE", "3DSOLID",
    "VIEWPORT", "ENDSEC", "ENDBLK", "BLOCK", "SECTION", "EOF", "NOSUCHTYPE",
)
GROUP_CODES = ("0", "1", "2", "3", "5", "8", "10", "11", "20", "40", "42", "50", "62", "70", "71", "72", "100",
               "102", "330", "1000", "1001", "1002", "1040", "1070", "1071", "-1", "999", "9999", "abc", "")
TEXT_VALUES = (
    "", "<>", "<><>", "<> H7", "%%c<>", "%%p0.05", "%%d", "Ø999999999999 H99", "4X <> THRU", "M6x1-6H",
    "\\S+0.1^-0.05;", "\\S1#2;", "{\\H0.7x;\\S+0^-0.1;}", "\\U+00D8\\U+FFFF", "\\U+D83D<>", "%%216",
    "\\M+1A0B", "{{{{{{{{", "}}}}",
    "\\P" * 200, "ISO 2768-m", "MATERIAL: 6061-T6", "R" + "9" * 400, "±" * 300, "\x00", "x" * 5000,
    "2X Ø10 H7 +0.015/0 ⌴ Ø16 ↧ 8", "%%u%%o%%k", "\\A1;\\C1;\\f@;",
)


def parse_pairs(data: bytes) -> tuple[Pairs, str]:
    """(code, value) pairs of an ASCII DXF and its line ending."""
    text = data.decode("latin-1")
    newline = "\r\n" if "\r\n" in text[:200] else "\n"
    lines = text.split(newline)
    return [[lines[i], lines[i + 1]] for i in range(0, len(lines) - 1, 2)], newline


def to_bytes(pairs: Pairs, newline: str) -> bytes:
    return (newline.join(f"{code}{newline}{value}" for code, value in pairs) + newline).encode("latin-1", "replace")


def _code(pair: list[str]) -> str:
    return pair[0].strip()


def _at(draw: DrawFn, pairs: Pairs, *, code: str | None = None) -> int | None:
    """A drawn pair index (one with group code ``code`` when given)."""
    where = [i for i, p in enumerate(pairs) if _code(p) == code] if code is not None else list(range(len(pairs)))
    return draw(st.sampled_from(where)) if where else None


def set_header_var(draw: DrawFn, pairs: Pairs) -> Pairs:
    name = draw(st.sampled_from(sorted(HEADER_VARS)))
    code, values = HEADER_VARS[name]
    value = draw(st.sampled_from(values))
    for i, (c, v) in enumerate(pairs[:-1]):
        if c.strip() == "9" and v.strip() == name:
            pairs[i + 1] = [pairs[i + 1][0] if draw(st.booleans()) else code, value]
            return pairs
    header = next((i for i, (c, v) in enumerate(pairs) if c.strip() == "2" and v.strip() == "HEADER"), None)
    if header is not None:
        pairs[header + 1:header + 1] = [[" 9", name], [code, value]]
    return pairs


def set_value(draw: DrawFn, pairs: Pairs) -> Pairs:
    i = _at(draw, pairs)
    if i is not None:
        numeric = draw(st.booleans())
        value = draw(st.sampled_from(HUGE_NUMBERS)).decode() if numeric else draw(st.sampled_from(TEXT_VALUES))
        pairs[i] = [pairs[i][0], value]
    return pairs


def set_code(draw: DrawFn, pairs: Pairs) -> Pairs:
    i = _at(draw, pairs)
    if i is not None:
        pairs[i] = [draw(st.sampled_from(GROUP_CODES)), pairs[i][1]]
    return pairs


def set_entity_type(draw: DrawFn, pairs: Pairs) -> Pairs:
    i = _at(draw, pairs, code="0")
    if i is not None:
        pairs[i] = [pairs[i][0], draw(st.sampled_from(ENTITY_TYPES))]
    return pairs


def _entity_span(pairs: Pairs, start: int) -> int:
    end = start + 1
    while end < len(pairs) and _code(pairs[end]) != "0":
        end += 1
    return end


def repeat_entity(draw: DrawFn, pairs: Pairs) -> Pairs:
    """One entity (from its code-0 pair to the next) repeated up to thousands of times: entity counts."""
    i = _at(draw, pairs, code="0")
    if i is None:
        return pairs
    end = _entity_span(pairs, i)
    times = draw(st.sampled_from((2, 10, 100, 1000, 5000)))
    span = pairs[i:end]
    times = min(times, max(1, 40_000 // max(1, len(span))))
    return pairs[:end] + [list(p) for _ in range(times) for p in span] + pairs[end:]


def delete_entities(draw: DrawFn, pairs: Pairs) -> Pairs:
    i = _at(draw, pairs, code="0")
    if i is None:
        return pairs
    end = i
    for _ in range(draw(st.integers(1, 20))):
        end = _entity_span(pairs, end)
    return pairs[:i] + pairs[end:]


def entity_value(draw: DrawFn, pairs: Pairs) -> Pairs:
    """A DIMENSION/INSERT/MTEXT/TEXT field set to something hostile: dimtype, measurement, text, scale, counts."""
    starts = [i for i, p in enumerate(pairs) if _code(p) == "0"
              and p[1].strip() in ("DIMENSION", "INSERT", "MTEXT", "TEXT", "ATTRIB", "LWPOLYLINE", "CIRCLE")]
    if not starts:
        return pairs
    i = draw(st.sampled_from(starts))
    kind = pairs[i][1].strip()
    codes = {"DIMENSION": ("70", "42", "1", "3", "2", "10", "13", "14", "15", "40", "53"),
             "INSERT": ("2", "41", "42", "43", "44", "45", "50", "70", "71", "66"),
             "MTEXT": ("1", "3", "40", "41", "71", "72", "50", "7"),
             "TEXT": ("1", "40", "41", "50", "7", "72", "73"),
             "ATTRIB": ("1", "2", "40"),
             "LWPOLYLINE": ("90", "70", "10", "20", "42"),
             "CIRCLE": ("40", "10", "20")}[kind]
    code = draw(st.sampled_from(codes))
    value = draw(st.one_of(st.sampled_from(HUGE_NUMBERS).map(bytes.decode), st.sampled_from(TEXT_VALUES),
                           st.integers(-(2**40), 2**40).map(str)))
    end = _entity_span(pairs, i)
    for j in range(i + 1, end):
        if _code(pairs[j]) == code:
            pairs[j] = [pairs[j][0], value]
            return pairs
    pairs.insert(end, [code, value])
    return pairs


def self_insert(draw: DrawFn, pairs: Pairs) -> Pairs:
    """A block that inserts itself (or an array INSERT of a block with huge row/column counts)."""
    blocks = [i for i, p in enumerate(pairs) if _code(p) == "0" and p[1].strip() == "BLOCK"]
    names = [p[1] for i in blocks for p in pairs[i + 1:_entity_span(pairs, i)] if _code(p) == "2"]
    ends = [i for i, p in enumerate(pairs) if _code(p) == "0" and p[1].strip() == "ENDBLK"]
    name = draw(st.sampled_from(names)) if names else "*D1"
    counts = draw(st.sampled_from(("1", "1000", "100000", "2147483647")))
    insert = [["0", "INSERT"], ["8", "0"], ["2", name], ["10", "0"], ["20", "0"], ["30", "0"],
              ["70", counts], ["71", counts], ["44", "1"], ["45", "1"]]
    in_a_block = draw(st.booleans())
    if ends and in_a_block:
        at = draw(st.sampled_from(ends))
    else:
        at = next((i for i, p in enumerate(pairs) if _code(p) == "0" and p[1].strip() == "ENDSEC"
                   and any(q[1].strip() == "ENTITIES" for q in pairs[max(0, i - 10_000):i])), len(pairs))
    return pairs[:at] + insert + pairs[at:]


STRUCTURE_MUTATIONS: tuple[Callable[[DrawFn, Pairs], Pairs], ...] = (
    set_header_var, set_value, set_code, set_entity_type, repeat_entity, delete_entities, entity_value, self_insert,
)


@st.composite
def mutated_dxf(draw: DrawFn, seeds: Sequence[bytes], *, max_mutations: int = 3) -> bytes:
    """An ASCII DXF seed with one to ``max_mutations`` structural edits."""
    pairs, newline = parse_pairs(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, max_mutations))):
        mutation = draw(st.sampled_from(STRUCTURE_MUTATIONS))
        pairs = mutation(draw, pairs)
    return to_bytes(pairs, newline)
