"""The one-pass tag stage gives exactly recover mode's tags and document, and refuses what recover repairs."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from ezdxf import recover
from ezdxf.filemanagement import new as ezdxf_new
from ezdxf.recover import bytes_loader, safe_tag_loader

from parsers.dxf_load import BINARY_SENTINEL, load_document
from parsers.dxf_tags import NotClean, clean_tags, read_clean
from tests.conftest import fixture_path

ASCII_DXF = sorted(
    p
    for folder in ("dxf", "dxf_cases/good")
    for p in fixture_path(folder).glob("*.dxf")
    if not p.read_bytes().startswith(BINARY_SENTINEL) and p.name != "corrupt.dxf"
)
NEEDS_REPAIR = {"repaired.dxf", "symbol_fonts.dxf"}  # a broken float; \U+ escapes


def snapshot(doc: Any) -> list[tuple[str, str, dict[str, Any]]]:
    return sorted((e.dxftype(), e.dxf.handle or "", e.dxfattribs()) for e in doc.entitydb.values())


def messages(auditor: Any) -> list[tuple[int, str]]:
    return [(e.code, e.message) for e in auditor.fixes + auditor.errors]


@pytest.mark.parametrize("path", ASCII_DXF, ids=lambda p: p.name)
def test_clean_file_gives_recover_modes_tags_and_document(path: Path) -> None:
    data = path.read_bytes()
    if path.name in NEEDS_REPAIR:
        with pytest.raises(NotClean):
            clean_tags(data)
        return

    tags = clean_tags(data)
    doc, auditor = read_clean(data)
    expected_doc, expected_auditor = recover.read(io.BytesIO(data))

    expected_tags = list(safe_tag_loader(io.BytesIO(data), bytes_loader))
    assert [(type(t), t.code, t.value) for t in tags] == [(type(t), t.code, t.value) for t in expected_tags]
    assert snapshot(doc) == snapshot(expected_doc)
    assert messages(auditor) == messages(expected_auditor)


def small_dxf() -> str:
    doc = ezdxf_new("R2010", setup=True)
    msp = doc.modelspace()
    msp.add_line((0, 0), (40, 0))
    msp.add_mtext("A long note " * 40)  # longer than one chunk: split into 3-tags
    msp.add_text("Ø6 THRU")
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue()


def line_section(text: str) -> tuple[str, str, str]:
    """(before, the LINE entity, after)."""
    start = text.index("  0\nLINE\n")
    end = text.index("  0\n", start + 4)
    return text[:start], text[start:end], text[end:]


def test_small_clean_file_is_read_in_one_pass() -> None:
    text = small_dxf()

    doc, _ = read_clean(text.encode())

    assert snapshot(doc) == snapshot(recover.read(io.BytesIO(text.encode()))[0])


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda line: line.replace(" 20\n0.0\n 30\n0.0\n 11\n40.0\n", " 11\n40.0\n 20\n0.0\n 30\n0.0\n"),
                     id="line-coordinates-out-of-order"),
        pytest.param(lambda line: line.replace(" 11\n40.0\n 21\n0.0\n", " 11\n40.0\n"), id="x-without-y"),
        pytest.param(lambda line: line.replace("  8\n0\n", "  8\n0\n 21\n3.0\n"), id="stray-y"),
        pytest.param(lambda line: line.replace("  0\nLINE\n  5\n", "  0\nLINE\n  5\nZZ"), id="invalid-handle"),
        pytest.param(lambda line: line.replace("  0\nLINE\n", "  0\nline\n"), id="lower-case-structure-tag"),
        pytest.param(lambda line: line + " 62\n1.0\n", id="float-in-an-integer-code"),
        pytest.param(lambda line: line.replace(" 10\n0.0\n", " 10\n0.0mm\n"), id="guessable-float"),
        pytest.param(lambda line: line + "1000\n\\U+00D8 6\n", id="dxf-unicode-escape"),
    ],
)
def test_a_tag_recover_mode_would_repair_is_refused(damage: Any) -> None:
    before, line, after = line_section(small_dxf())
    data = (before + damage(line) + after).encode()

    with pytest.raises(NotClean):
        clean_tags(data)


def test_undecodable_bytes_are_refused() -> None:
    text = small_dxf().replace("Ø6 THRU", "X6 THRU")
    data = text.encode().replace(b"X6 THRU", b"\xd86 THRU")  # cp1252 in a UTF-8 (R2010) file

    with pytest.raises(NotClean):
        clean_tags(data)


def test_refused_file_is_still_read_by_recover_mode() -> None:
    before, line, after = line_section(small_dxf())
    data = (before + line.replace("  0\nLINE\n", "  0\nline\n") + after).encode()

    doc, _ = load_document(data, "part.dxf")

    assert [e.dxftype() for e in doc.modelspace()] == ["LINE", "MTEXT", "TEXT"]
