"""Fuzzing the parsers: mutated DXF and PDF files raise nothing but ParseError, in bounded time and memory.

In process (fast): byte-level and structure-aware mutations of the seeds in fixtures/fuzz. Through the
bot's isolated worker (bot/isolation.py, the real time limit and memory cap): a few mutations, checked
for neither timing out nor running out of memory.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

import parsers
from bot.isolation import IsolatedParser, ParseOutOfMemory, ParseTimedOut, isolated_parse
from tests.fuzz.corpus import ascii_dxf_seeds, seeds
from tests.fuzz.dxf_mutate import mutated_dxf
from tests.fuzz.guard import bounded, fuzz
from tests.fuzz.mutate import mutate_bytes
from tests.fuzz.pdf_mutate import mutated_pdf

DRAWINGS = TypeAdapter(tuple[parsers.ParsedDrawing, ...])


@pytest.fixture(scope="module", autouse=True)
def without_ocr() -> Iterator[None]:
    """In process, pages are read as on a machine without Tesseract: an OCR run takes seconds per page,
    and its input is a rendered bitmap that byte mutations do not steer. The worker tests keep OCR."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("parsers.pdf.find_tessdata", lambda environ: None)
        yield


def check_parse(data: bytes, filename: str) -> None:
    """The parser's contract: drawings, or a ParseError; within the time and memory guard. The drawings
    must also survive the JSON round trip they make from the worker and into the store."""
    with bounded(what=f"parsing {len(data)} bytes as {filename}"):
        try:
            drawings = parsers.parse_drawings(data, filename)
        except parsers.ParseError as exc:
            assert exc.filename == filename and str(exc)
            return
    assert drawings and all(isinstance(d, parsers.ParsedDrawing) for d in drawings)
    assert DRAWINGS.validate_json(DRAWINGS.dump_json(drawings, round_trip=True)) == drawings


@fuzz(ci=60)
@given(data=mutate_bytes(seeds("dxf")))
def test_dxf_byte_mutations(data: bytes) -> None:
    check_parse(data, "fuzz.dxf")


@fuzz(ci=45)
@given(data=mutated_dxf(ascii_dxf_seeds()))
def test_dxf_structure_mutations(data: bytes) -> None:
    check_parse(data, "fuzz.dxf")


@fuzz(ci=80)
@given(data=mutate_bytes(seeds("pdf")))
def test_pdf_byte_mutations(data: bytes) -> None:
    check_parse(data, "fuzz.pdf")


@fuzz(ci=80)
@given(data=mutated_pdf(seeds("pdf")))
def test_pdf_structure_mutations(data: bytes) -> None:
    check_parse(data, "fuzz.pdf")


@fuzz(ci=40)
@given(data=st.one_of(mutate_bytes(seeds("dxf") + seeds("pdf")), st.binary(max_size=64)),
       filename=st.sampled_from(("a.dxf", "a.pdf", "a.dwg", "", "x" * 300, "../a.dxf", "a\x00.pdf")))
def test_any_bytes_under_any_name(data: bytes, filename: str) -> None:
    """The kind is sniffed from the bytes, never from the name (spliced DXF and PDF seeds included)."""
    check_parse(data, filename)


@pytest.fixture(scope="module")
def worker() -> IsolatedParser:
    return isolated_parse(timeout_s=20, memory_mb=1024)


@fuzz(ci=10)
@given(data=st.one_of(mutated_dxf(ascii_dxf_seeds()), mutated_pdf(seeds("pdf"))))
def test_mutations_in_the_isolated_worker(worker: IsolatedParser, data: bytes) -> None:
    """Through the bot's own worker (OCR on, 1 GiB cap): a mutation never times out or runs out of memory."""
    name = "fuzz.pdf" if data.lstrip().startswith(b"%PDF") else "fuzz.dxf"
    try:
        drawings = worker(data, name)
    except (ParseTimedOut, ParseOutOfMemory) as exc:
        pytest.fail(f"{name} ({len(data)} bytes): {exc}")
    except parsers.ParseError:
        return
    assert drawings
