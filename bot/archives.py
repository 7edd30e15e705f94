"""Zip archives in a message, opened the same way for every channel (Slack, email, the terminal).

An archive is replaced in the message by the files inside it: folders, hidden files and macOS resource
forks are skipped, and each member keeps only its base name, so ``../x.dxf``, ``/etc/x.dxf`` and
``a\\b\\x.dxf`` all become ``x.dxf``. What cannot be opened stays in the list with a ``fetch_error`` code, and
the reply says why:

* ``archive-too-many-files``  the archive holds more than ``max_zip_members`` files
* ``archive-too-large``       the message's archives unpack to more than ``max_unzipped_bytes`` together
* ``archive-too-deep``        an archive inside archives more than ``max_nesting`` levels deep
* ``encrypted-archive``       a password-protected member
* ``damaged-archive``         the archive, or one member, cannot be decompressed
* ``too-large``               a member larger than ``max_attachment_bytes``
* ``too-many-files``          past the first ``max_attachments`` files of the message: listed, never unpacked
* ``empty-file``              an archive without files

Sizes are the bytes actually decompressed, read in chunks of at most 1 MiB; the sizes an archive states in
its headers are never trusted. Office and OpenDocument files are zip containers too; they are passed on
whole (the parser then says what they are).
"""

from __future__ import annotations

import io
import lzma
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from bot.filenames import safe_filename
from bot.limits import Limits
from bot.models import Attachment

_LOCAL_HEADER = b"PK\x03\x04"
_EMPTY_ARCHIVE = b"PK\x05\x06"
_CENTRAL_HEADER = b"PK\x01\x02"
_CHUNK = 1024 * 1024
# members that make a zip an Office (OOXML) or OpenDocument file rather than an archive of drawings
_DOCUMENT_MARKERS = frozenset({"[Content_Types].xml", "mimetype"})
_DAMAGE = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, NotImplementedError, RuntimeError, EOFError, OSError,
           ValueError)


class _Refused(Exception):
    """The archive is not opened; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class _Budget:
    bytes_left: int


def is_archive(data: bytes) -> bool:
    """True when the bytes are a zip file (by its first bytes, not its name)."""
    return data.startswith((_LOCAL_HEADER, _EMPTY_ARCHIVE))


def expand_archives(files: Sequence[Attachment], limits: Limits) -> tuple[Attachment, ...]:
    """The message's files with each zip archive replaced by the files inside it.

    Args:
        files: the attachments in message order.
        limits: member count, unpacked size (all archives of the message together), nesting depth,
            file size and files per message.

    Returns:
        The files in order; an archive that cannot be opened is kept whole with its ``fetch_error`` code,
        and a member that cannot be read appears with its code and no data. Calling it again on its own
        result changes nothing.
    """
    budget = _Budget(bytes_left=limits.max_unzipped_bytes)
    out: list[Attachment] = []
    for a in files:
        if a.fetch_error or not is_archive(a.data) or len(a.data) > limits.max_attachment_bytes:
            out.append(a)
        elif len(out) >= limits.max_attachments:
            out.append(a.model_copy(update={"fetch_error": "too-many-files"}))
        else:
            _add(a, limits=limits, budget=budget, depth=0, out=out)
    return tuple(out)


def _add(file: Attachment, *, limits: Limits, budget: _Budget, depth: int, out: list[Attachment]) -> None:
    """Append the file to ``out``, or, when it is an archive, the files inside it (or it, with the reason it
    could not be opened).

    Raises:
        _Refused: ``archive-too-large`` from an archive inside: the outermost archive is refused.
    """
    start = len(out)
    try:
        opened = _unpack(file.data, limits=limits, budget=budget, depth=depth + 1, out=out)
    except _Refused as exc:
        if exc.code == "archive-too-large" and depth > 0:
            raise
        del out[start:]
        out.append(file.model_copy(update={"fetch_error": exc.code}))
        return
    if not opened:
        out.append(file)
    elif len(out) == start:
        out.append(file.model_copy(update={"fetch_error": "empty-file"}))


def _unpack(data: bytes, *, limits: Limits, budget: _Budget, depth: int, out: list[Attachment]) -> bool:
    """Append the archive's files to ``out``; False (nothing appended) when it is a document, not an archive."""
    if depth > limits.max_nesting:
        raise _Refused("archive-too-deep")
    # zipfile reads the whole central directory when it opens an archive; a cheap count first keeps a
    # directory of a million entries from being loaded at all.
    if data.count(_CENTRAL_HEADER) > 4 * limits.max_zip_members + 64:
        raise _Refused("archive-too-many-files")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _DAMAGE:
        raise _Refused("damaged-archive") from None
    with archive:
        entries = archive.infolist()
        if any(e.filename in _DOCUMENT_MARKERS for e in entries):
            return False
        members = [e for e in entries if not _is_skipped(e)]
        if len(members) > limits.max_zip_members:
            raise _Refused("archive-too-many-files")
        for info in members:
            name = safe_filename(info.filename)
            if len(out) >= limits.max_attachments:
                out.append(Attachment(filename=name, data=b"", fetch_error="too-many-files"))
                continue
            if info.flag_bits & 0x1:
                out.append(Attachment(filename=name, data=b"", fetch_error="encrypted-archive"))
                continue
            try:
                content = _read(archive, info, cap=limits.max_attachment_bytes, budget=budget)
            except _DAMAGE:
                out.append(Attachment(filename=name, data=b"", fetch_error="damaged-archive"))
                continue
            if content is None:
                out.append(Attachment(filename=name, data=b"", fetch_error="too-large"))
            elif is_archive(content):
                _add(Attachment(filename=name, data=content), limits=limits, budget=budget, depth=depth, out=out)
            else:
                out.append(Attachment(filename=name, data=content))
    return True


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, cap: int, budget: _Budget) -> bytes | None:
    """The member's bytes, or None when it is larger than ``cap``; every byte counts against the budget.

    Raises:
        _Refused: ``archive-too-large`` when the budget runs out.
    """
    chunks: list[bytes] = []
    total = 0
    with archive.open(info) as stream:
        while chunk := stream.read(min(_CHUNK, cap + 1 - total)):
            total += len(chunk)
            budget.bytes_left -= len(chunk)
            if budget.bytes_left < 0:
                raise _Refused("archive-too-large")
            if total > cap:
                return None
            chunks.append(chunk)
    return b"".join(chunks)


def _is_skipped(info: zipfile.ZipInfo) -> bool:
    """Folders, hidden files (.DS_Store) and macOS resource forks (__MACOSX/)."""
    base = info.filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return info.is_dir() or base.startswith(".") or "__MACOSX/" in info.filename
