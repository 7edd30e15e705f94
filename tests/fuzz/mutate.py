"""Byte-level mutators: bit flips, truncation, splicing, chunk duplication and deletion, huge numbers.

Each mutation draws its positions from Hypothesis, so a failing input shrinks to the fewest, smallest
edits of a seed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

# Numbers that break parsers: overflow, NaN, infinities, denormals, 32/64-bit edges, absurd lengths.
HUGE_NUMBERS: tuple[bytes, ...] = (
    b"0", b"-0", b"-1", b"1e308", b"-1e308", b"1e309", b"-1e309", b"nan", b"NaN", b"inf", b"-inf",
    b"1e-320", b"2147483647", b"2147483648", b"-2147483649", b"4294967296", b"9223372036854775808",
    b"99999999999999999999999999999999", b"0.0000000000000000000000000001", b"1" * 400, b"9" * 5000,
    b"1e99999", b"0x7fffffff", b"--5", b"5..0", b"1,5", b"",
)
INTERESTING_BYTES: tuple[bytes, ...] = (
    b"\x00", b"\xff", b"\r", b"\n", b"\r\n", b"\x1a", b"%", b"<<", b">>", b"(", b")", b"\\", b"\xef\xbb\xbf",
    b"\xc3\x28", b"\xf0\x9f\x92\xa9", b"0\nEOF\n", b"0\nENDSEC\n", b"endobj", b"stream\n", b"endstream",
)
_NUMBER = re.compile(rb"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")
MAX_GROWN_BYTES = 3 * 2**20  # what one example may grow to (CI memory and time)


def _index(draw: DrawFn, data: bytes | bytearray, *, end: bool = False) -> int:
    """A position spread over the whole data (Hypothesis favours small integers, which would keep hitting
    the first bytes, i.e. the file's signature); it still shrinks towards 0."""
    top = len(data) if end else max(len(data) - 1, 0)
    return draw(st.integers(0, 2**32 - 1)) % (top + 1)


def _chunk(draw: DrawFn, data: bytes | bytearray) -> tuple[int, int]:
    start = _index(draw, data)
    length = draw(st.sampled_from((1, 2, 4, 8, 16, 64, 256, 1024, 4096)))
    return start, min(len(data), start + length)


def bit_flip(draw: DrawFn, data: bytearray, seeds: Sequence[bytes]) -> bytearray:
    if data:
        data[_index(draw, data)] ^= 1 << draw(st.integers(0, 7))
    return data


def truncate(draw: DrawFn, data: bytearray, seeds: Sequence[bytes]) -> bytearray:
    return data[: _index(draw, data, end=True)]


def delete_chunk(draw: DrawFn, data: bytearray, seeds: Sequence[bytes]) -> bytearray:
    start, stop = _chunk(draw, data)
    return data[:start] + data[stop:]


def duplicate_chunk(draw: DrawFn, data: bytearray, seeds: Sequence[bytes]) -> bytearray:
    start, stop = _chunk(draw, data)
    times = draw(st.sampled_from((1, 2, 10, 100, 1000)))
    piece = bytes(data[start:stop]) * times
    if len(data) + len(piece) > MAX_GROWN_BYTES:
        piece = piece[: max(0, MAX_GROWN_BYTES - len(data))]
    return data[:stop] + piece + data[stop:]


def splice(draw: DrawFn, data: bytearray, seeds: Sequence[bytes]) -> bytearray:
    """A chunk of another seed (of the same kind) in place of a chunk of this one."""
    other = draw(st.sampled_from(seeds))
    start, stop = _chunk(draw, data)
    o_start, o_stop = _chunk(draw, other)
    return data[:start] + other[o_start:o_stop] + data[stop:]


def insert_bytes(draw: DrawFn, data: bytearray, seeds: Sequence[bytes]) -> bytearray:
    at = _index(draw, data, end=True)
    piece = draw(st.one_of(st.sampled_from(INTERESTING_BYTES), st.binary(min_size=1, max_size=16)))
    return data[:at] + piece + data[at:]


def huge_number(draw: DrawFn, data: bytearray, seeds: Sequence[bytes]) -> bytearray:
    """Replace one of the numbers in the data (the first at or after a drawn position) with a huge one."""
    found = _NUMBER.search(data, _index(draw, data)) or _NUMBER.search(data)
    value = draw(st.sampled_from(HUGE_NUMBERS))
    if found is None:
        at = _index(draw, data, end=True)
        return data[:at] + value + data[at:]
    return data[: found.start()] + value + data[found.end():]


BYTE_MUTATIONS = (bit_flip, truncate, delete_chunk, duplicate_chunk, splice, insert_bytes, huge_number)


@st.composite
def mutated_bytes(draw: DrawFn, seeds: Sequence[bytes], *, max_mutations: int = 4) -> bytes:
    """A seed with one to ``max_mutations`` byte-level mutations applied."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, max_mutations))):
        op = draw(st.sampled_from(BYTE_MUTATIONS))
        data = op(draw, data, seeds)
    return bytes(data)


def mutate_bytes(seeds: Sequence[bytes], *, max_mutations: int = 4) -> st.SearchStrategy[bytes]:
    return mutated_bytes(seeds, max_mutations=max_mutations)
