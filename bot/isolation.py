"""Parse step, isolated: each attachment is read in its own worker process with a time limit and a memory cap.

A pathological file (an endless OCR, a DXF that expands to gigabytes) costs one worker, never the bot.

* parsers.ParseError
  + ParseTimedOut            code "timed-out": the worker ran past its wall-clock limit and was killed
  + parsers.DrawingTooLarge
    + ParseOutOfMemory       code "too-large": the worker hit its memory cap or was killed by a signal

Errors the parser raises in the worker arrive as the same ParseError class (same code and message).

Why one ``forkserver`` process per file rather than a pool: a worker that runs past its time limit must be
killed, and killing a pool's worker breaks the whole pool (``BrokenProcessPool``); the memory cap
(``RLIMIT_AS``) can only be lowered for the life of a process, so a fresh process per file is the clean
unit. ``forkserver`` (not ``fork``) because the bot runs threads (Slack socket mode), and forking a threaded
process can deadlock; the fork server is single-threaded and has the parsers already imported, so starting a
worker costs a fork, not a fresh interpreter (``spawn``). The fork server has also read a tiny DXF and PDF
(``bot.parse_warmup``) and frozen its objects, so a worker starts warm; ``start_fork_server`` starts it
early, beside the caller's own start-up. What a worker still costs over an in-process read is 15-40 ms
(the fork, the request and the result crossing, the worker's exit) on a busy two-core machine.

The result crosses back as JSON, not pickle: the worker has just read hostile input, and unpickling its
output would let a compromised worker run code in the bot.

As with any ``forkserver``/``spawn`` worker, the program's main module is imported again (in the fork
server): it must keep its work under ``if __name__ == "__main__":``. ``python -m bot`` is safe (multiprocessing skips a
``__main__`` module run by name) and the ``quotebot`` console script is guarded.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import resource
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from pydantic import TypeAdapter

import parsers
from bot.logs import collect_worker_logs, logger_levels, replay_worker_logs
from parsers import (
    CorruptDrawing,
    DrawingTooLarge,
    EmptyFile,
    EncryptedPdf,
    ParsedDrawing,
    ParseError,
    TruncatedDrawing,
    UnsupportedFileType,
)

logger = logging.getLogger(__name__)

ParseFunction = Callable[[bytes, str], tuple[ParsedDrawing, ...]]

_DRAWINGS = TypeAdapter(tuple[ParsedDrawing, ...])
# Imported once in the fork server, so each worker starts with ezdxf and PyMuPDF already loaded, a first
# read already done (bot.parse_warmup) and the program's main module already imported.
_PRELOAD = ["__main__", "parsers", "parsers.dxf", "parsers.pdf", "bot.isolation", "bot.parse_warmup"]
_GC_YOUNG = 50_000
_MESSAGE_CLASSES: dict[str, type[ParseError]] = {
    cls.code: cls for cls in (ParseError, CorruptDrawing, TruncatedDrawing, DrawingTooLarge)
}


class ParseTimedOut(ParseError):
    """The worker did not finish within its wall-clock limit and was killed."""

    code = "timed-out"


class ParseOutOfMemory(DrawingTooLarge):
    """The worker ran out of its memory cap, or died without a result (killed by the kernel or a signal)."""

    code = "too-large"


class _RemoteParseError(ParseError):
    """A ParseError subclass from the worker that this module does not know by code; keeps the worker's code."""

    def __init__(self, message: str, *, filename: str, code: str) -> None:
        super().__init__(message, filename=filename)
        self.code = code


def isolated_parse(
    *, timeout_s: float, memory_mb: int, target: ParseFunction = parsers.parse_drawings
) -> IsolatedParser:
    """Build a ``Deps.parse`` that reads each file in a fresh worker process.

    Args:
        timeout_s: wall-clock limit per file, in seconds; the worker is killed when it runs past it.
        memory_mb: address-space cap for the worker (``RLIMIT_AS``), in MiB.
        target: the parse function run in the worker; must be a module-level function (it is pickled by
            name). Tests pass their own; the bot uses ``parsers.parse_drawings``.

    Returns:
        A picklable callable ``(data, filename) -> tuple[ParsedDrawing, ...]``.

    Raises:
        ValueError: ``timeout_s`` or ``memory_mb`` is not positive.
    """
    if timeout_s <= 0 or memory_mb <= 0:
        raise ValueError(f"timeout_s and memory_mb must be positive, got {timeout_s!r} and {memory_mb!r}")
    return IsolatedParser(timeout_s=timeout_s, memory_mb=memory_mb, target=target)


def start_fork_server() -> None:
    """Start the parse workers' fork server now, in the background.

    It imports the parsers and reads its warm-up drawings (about a second) while the caller goes on with
    its own start-up; the first file to parse waits for whatever is left of that.
    """
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    multiprocessing.forkserver.ensure_running()


@dataclass(frozen=True, kw_only=True)
class IsolatedParser:
    """``(data, filename) -> tuple[ParsedDrawing, ...]``, run in a worker process; see ``isolated_parse``."""

    timeout_s: float
    memory_mb: int
    target: ParseFunction

    def __call__(self, data: bytes, filename: str) -> tuple[ParsedDrawing, ...]:
        """Parse one file in a worker.

        Args:
            data: the file's bytes.
            filename: the attachment's name.

        Returns:
            One drawing per part, as ``target`` returns them.

        Raises:
            ParseTimedOut: the worker ran past ``timeout_s`` seconds.
            ParseOutOfMemory: the worker hit ``memory_mb`` or died without a result.
            ParseError: the parser could not read the file (the worker's class, code and message).
            RuntimeError: the parser failed with an unexpected exception (a bug), with the worker's message.
        """
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        receive, send = ctx.Pipe(duplex=False)
        worker = ctx.Process(
            target=_run_worker,
            kwargs={"send": send, "target": self.target, "data": data, "filename": filename, "mb": self.memory_mb,
                    "levels": logger_levels()},
            name=f"quotebot-parse-{filename[:40]}",
            daemon=True,
        )
        started = time.monotonic()
        message: bytes | None = None
        pid: int | None = None
        try:
            worker.start()
            pid = worker.pid
            send.close()  # the parent keeps only the reading end, so EOF arrives when the worker dies
            finished = receive.poll(self.timeout_s)
            if finished:
                with contextlib.suppress(EOFError, OSError):
                    message = receive.recv_bytes()
        finally:
            receive.close()
            exitcode = _stop(worker)
        if not finished:
            logger.info("parse worker for %s killed after %.1fs", filename, time.monotonic() - started)
            raise ParseTimedOut(f"{filename!r} was not read within {self.timeout_s:g} s", filename=filename)
        if message is None:
            logger.info("parse worker for %s died with exit code %s", filename, exitcode)
            raise ParseOutOfMemory(
                f"the worker reading {filename!r} died without a result (exit code {exitcode})",
                filename=filename,
            )
        envelope = json.loads(message)
        # what the parser logged in the worker, logged here under the message's correlation id
        replay_worker_logs(envelope.get("logs") or (), worker=f"parse-{pid}")
        return _unpack(envelope, filename=filename, memory_mb=self.memory_mb)


def _stop(worker: multiprocessing.process.BaseProcess) -> int | None:
    """Kill the worker (and anything it started) if it still runs, reap it; its exit code."""
    if worker.pid is None:
        return None
    if worker.is_alive():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(worker.pid, signal.SIGKILL)  # its own process group: helpers it started die too
        worker.kill()
    worker.join()
    exitcode = worker.exitcode
    worker.close()
    return exitcode


def _unpack(envelope: dict[str, Any], *, filename: str, memory_mb: int) -> tuple[ParsedDrawing, ...]:
    kind = envelope["kind"]
    if kind == "ok":
        return _DRAWINGS.validate_json(envelope["drawings"])
    if kind == "memory":
        raise ParseOutOfMemory(f"reading {filename!r} needed more than {memory_mb} MiB", filename=filename)
    if kind == "parse-error":
        raise _rebuild(envelope)
    raise RuntimeError(f"the parse worker failed on {filename!r}: {envelope['message']}")


def _rebuild(envelope: dict[str, str]) -> ParseError:
    """The worker's ParseError, rebuilt as the same class where the code is one of ``parsers``' own."""
    code, message, filename = envelope["code"], envelope["message"], envelope["filename"]
    if code == UnsupportedFileType.code:
        return UnsupportedFileType(filename=filename, detected=envelope["detected"])
    if code == EmptyFile.code:
        return EmptyFile(filename=filename)
    if code == EncryptedPdf.code:
        return EncryptedPdf(filename=filename)
    if code in _MESSAGE_CLASSES:
        return _MESSAGE_CLASSES[code](message, filename=filename)
    return _RemoteParseError(message, filename=filename, code=code)


def _run_worker(
    *, send: Connection, target: ParseFunction, data: bytes, filename: str, mb: int,
    levels: dict[str, int] | None = None,
) -> None:
    """Worker body: cap memory, parse, send one JSON message back (with what was logged meanwhile)."""
    os.setpgid(0, 0)
    collector = collect_worker_logs(levels or {})
    # Tesseract and MuPDF print progress noise on stderr; everything the worker says goes through ``send``.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    cap = mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    # A read builds one large object graph that lives until the worker exits: collecting young objects
    # every 700 allocations (the default) costs 10-20 % of reading a large drawing.
    gc.set_threshold(_GC_YOUNG, 20, 100)
    envelope: dict[str, str]
    try:
        drawings = target(data, filename)
        envelope = {"kind": "ok", "drawings": _DRAWINGS.dump_json(drawings, round_trip=True).decode()}
    except MemoryError:
        envelope = {"kind": "memory"}
    except ParseError as exc:
        envelope = {"kind": "parse-error", "code": exc.code, "message": str(exc), "filename": exc.filename}
        if isinstance(exc, UnsupportedFileType):
            envelope["detected"] = exc.detected
    except Exception:  # a bug in the parser: the parent raises it (with this traceback) as a RuntimeError
        envelope = {"kind": "bug", "message": traceback.format_exc()}
    reply: dict[str, object] = {**envelope, "logs": collector.records}
    try:
        send.send_bytes(json.dumps(reply).encode())
    except MemoryError:
        send.send_bytes(b'{"kind": "memory"}')
    finally:
        send.close()
