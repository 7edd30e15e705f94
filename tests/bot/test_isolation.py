"""bot.isolation: each file is parsed in a real worker process, with a time limit and a memory cap."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import time
from pathlib import Path

import pytest

import parsers
from bot.isolation import IsolatedParser, ParseOutOfMemory, ParseTimedOut, isolated_parse
from bot.models import Attachment
from bot.pipeline import Deps, read_attachments
from bot.render import make_environment
from bot.store import SqlThreadStore
from estimator import load_rate_card
from parsers import CorruptDrawing, DrawingTooLarge, ParsedDrawing, ParseError, UnsupportedFileType
from tests.conftest import fixture_path

TIMEOUT_S = 1.5
MEMORY_MB = 1024


# Worker targets: module-level, so the worker can import them by name.
def sleep_parse(data: bytes, filename: str) -> tuple[ParsedDrawing, ...]:
    time.sleep(60)
    return parsers.parse_drawings(data, filename)


def allocate_parse(data: bytes, filename: str) -> tuple[ParsedDrawing, ...]:
    hoard = bytearray(4 * MEMORY_MB * 1024 * 1024)  # four times the cap
    return parsers.parse_drawings(data + bytes(hoard[:0]), filename)


def killed_parse(data: bytes, filename: str) -> tuple[ParsedDrawing, ...]:
    os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's OOM killer does
    return parsers.parse_drawings(data, filename)


def slow_when_named_slow(data: bytes, filename: str) -> tuple[ParsedDrawing, ...]:
    if filename.startswith("slow"):
        time.sleep(60)
    return parsers.parse_drawings(data, filename)


def buggy_parse(data: bytes, filename: str) -> tuple[ParsedDrawing, ...]:
    raise KeyError(f"no such entity in {filename}")


@pytest.fixture
def parse() -> IsolatedParser:
    return isolated_parse(timeout_s=30, memory_mb=2048)


@pytest.fixture(autouse=True)
def no_worker_left_behind():
    yield
    assert multiprocessing.active_children() == []


def test_worker_reads_the_same_drawing_as_in_process(parse: IsolatedParser) -> None:
    data = fixture_path("dxf/bracket.dxf").read_bytes()

    isolated = parse(data, "bracket.dxf")

    assert isolated == parsers.parse_drawings(data, "bracket.dxf")
    assert len(isolated) == 1 and isolated[0].dimensions


def test_parse_error_arrives_as_the_same_class_code_and_message(parse: IsolatedParser) -> None:
    data = fixture_path("dxf/corrupt.dxf").read_bytes()
    with pytest.raises(CorruptDrawing) as in_process:
        parsers.parse_drawings(data, "corrupt.dxf")

    with pytest.raises(CorruptDrawing) as isolated:
        parse(data, "corrupt.dxf")

    assert type(isolated.value) is type(in_process.value)
    assert isolated.value.code == in_process.value.code
    assert str(isolated.value) == str(in_process.value)
    assert isolated.value.filename == "corrupt.dxf"


def test_unsupported_file_keeps_what_was_detected(parse: IsolatedParser) -> None:
    data = fixture_path("dxf/housing.dwg").read_bytes()
    with pytest.raises(UnsupportedFileType) as in_process:
        parsers.parse_drawings(data, "housing.dwg")

    with pytest.raises(UnsupportedFileType) as isolated:
        parse(data, "housing.dwg")

    assert isolated.value.detected == in_process.value.detected


def test_worker_past_its_time_limit_is_killed() -> None:
    parse = isolated_parse(timeout_s=TIMEOUT_S, memory_mb=2048, target=sleep_parse)
    started = time.monotonic()

    with pytest.raises(ParseTimedOut) as caught:
        parse(b"0\nSECTION\n", "slow.dxf")

    assert time.monotonic() - started < TIMEOUT_S + 2
    assert caught.value.code == "timed-out"
    assert isinstance(caught.value, ParseError)


def test_worker_past_its_memory_cap_gets_too_large() -> None:
    parse = isolated_parse(timeout_s=30, memory_mb=MEMORY_MB, target=allocate_parse)

    with pytest.raises(ParseOutOfMemory) as caught:
        parse(b"0\nSECTION\n", "huge.dxf")

    assert caught.value.code == "too-large"
    assert isinstance(caught.value, DrawingTooLarge)


def test_killed_worker_gets_too_large() -> None:
    parse = isolated_parse(timeout_s=30, memory_mb=2048, target=killed_parse)

    with pytest.raises(ParseOutOfMemory, match=r"exit code -9"):
        parse(b"0\nSECTION\n", "killed.dxf")


def test_bug_in_the_parser_is_not_a_parse_error() -> None:
    parse = isolated_parse(timeout_s=30, memory_mb=2048, target=buggy_parse)

    with pytest.raises(RuntimeError, match=r"KeyError: 'no such entity in odd.dxf'"):
        parse(b"0\nSECTION\n", "odd.dxf")


def test_parser_is_picklable(parse: IsolatedParser) -> None:
    assert pickle.loads(pickle.dumps(parse)) == parse


@pytest.mark.parametrize(("timeout_s", "memory_mb"), [(0, 2048), (10, 0)])
def test_limits_must_be_positive(timeout_s: float, memory_mb: int) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        isolated_parse(timeout_s=timeout_s, memory_mb=memory_mb)


def test_file_that_times_out_does_not_stop_the_others(tmp_path: Path) -> None:
    data = fixture_path("dxf/bracket.dxf").read_bytes()
    files = (Attachment(filename="slow.dxf", data=data + b"\n"), Attachment(filename="bracket.dxf", data=data))
    parse = isolated_parse(timeout_s=TIMEOUT_S, memory_mb=2048, target=slow_when_named_slow)

    with SqlThreadStore(f"sqlite:///{tmp_path / 'quotebot.db'}") as store:
        deps = Deps(store=store, card=load_rate_card(), env=make_environment(), parse=parse)
        drawings, unreadable = read_attachments(files, deps)

    assert [d.file for d in drawings] == ["bracket.dxf"]
    assert [(u.filename, u.code) for u in unreadable] == [("slow.dxf", "timed-out")]


def test_fork_server_warm_up_reads_real_drawings() -> None:
    """The warm-up swallows its own failures, so check here that its samples are read in full."""
    from bot.parse_warmup import sample_dxf, sample_pdf, warm_up

    dxf, pdf = parsers.parse_drawings(sample_dxf(), "w.dxf"), parsers.parse_drawings(sample_pdf(), "w.pdf")

    assert [d.kind.value for d in dxf[0].dimensions] == ["linear", "diameter"]
    assert {d.text for d in pdf[0].dimensions} >= {"120 ±0.1", "Ø10 H7"}
    warm_up()
