"""The entity count that refuses an oversized DXF before it is loaded: ASCII and binary, blocks included."""

from __future__ import annotations

import io

import ezdxf
import pytest

from parsers import ParseLimits, TooManyEntities, parse_drawing
from parsers.dxf_count import more_entities_than


def drawing(lines: int, *, block_lines: int = 0, version: str = "R2000", binary: bool = False) -> bytes:
    doc = ezdxf.new(version)
    msp = doc.modelspace()
    for i in range(lines):
        msp.add_line((i, 0), (i, 10), dxfattribs={"layer": "0"})
        msp.add_text("0", dxfattribs={"height": 0})  # value lines "0" must not count as records
    if block_lines:
        block = doc.blocks.new("B")
        for i in range(block_lines):
            block.add_line((0, i), (1, i))
        msp.add_blockref("B", (0, 0))
    if binary:
        out = io.BytesIO()
        doc.write(out, fmt="bin")
        return out.getvalue()
    text = io.StringIO()
    doc.write(text)
    return text.getvalue().encode()


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize("version", ["R12", "R2018"])
def test_records_are_counted_not_lines(version: str, binary: bool) -> None:
    data = drawing(300, version=version, binary=binary)  # 600 entities, some 3,000+ tags
    assert more_entities_than(data, 590)
    assert not more_entities_than(data, 640)


def test_block_contents_count() -> None:
    data = drawing(10, block_lines=500)
    assert more_entities_than(data, 500) and not more_entities_than(data, 560)


def test_parse_refuses_before_loading() -> None:
    data = drawing(300)
    with pytest.raises(TooManyEntities) as info:
        parse_drawing(data, "many.dxf", limits=ParseLimits(max_dxf_entities=100))
    assert info.value.code == "too-many-entities"
    assert str(info.value) == "'many.dxf' has more than 100 entities; the limit is 100."
