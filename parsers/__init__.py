"""Drawing parsers: bytes in, ParsedDrawing out. Pure: no network, no disk, nothing from ``bot``."""

from __future__ import annotations

import typing as _typing

from parsers.errors import (
    CorruptDrawing,
    DrawingTooLarge,
    EmptyFile,
    EncryptedPdf,
    ParseError,
    TooManyEntities,
    TruncatedDrawing,
    UnsupportedFileType,
)
from parsers.limits import ParseLimits
from parsers.models import (
    Dimension,
    DimensionKind,
    DrawingKind,
    Envelope,
    IssueCode,
    ParsedDrawing,
    ParseIssue,
)
from parsers.sniff import sniff_kind

if _typing.TYPE_CHECKING:  # keeps the package namespace to its public API
    from collections.abc import Callable

__all__ = [
    "TruncatedDrawing",
    "parse_drawings",
    "CorruptDrawing",
    "Dimension",
    "DimensionKind",
    "DrawingKind",
    "DrawingTooLarge",
    "EmptyFile",
    "EncryptedPdf",
    "Envelope",
    "IssueCode",
    "ParseError",
    "ParseIssue",
    "ParseLimits",
    "ParsedDrawing",
    "TooManyEntities",
    "UnsupportedFileType",
    "parse_drawing",
    "sniff_kind",
]

_DEFAULT_LIMITS = ParseLimits()


def parse_drawing(
    data: bytes,
    filename: str,
    *,
    progress: Callable[[float], None] | None = None,
    limits: ParseLimits = _DEFAULT_LIMITS,
) -> ParsedDrawing:
    """Read a DXF or PDF drawing.

    Args:
        data: the file's bytes.
        filename: the attachment's name, kept in the result and in error messages.
        progress: called with the fraction read (0.0 to 1.0) while a DXF is read, for a progress bar.
        limits: pages of a PDF read, entities of a DXF accepted.

    Returns:
        The callouts, title-block fields and issues found.

    Raises:
        ParseError: the file could not be read at all (see ``parsers.errors`` for the tree).
    """
    from parsers.models import without_lone_surrogates

    kind = sniff_kind(data, filename)
    # Local imports: ezdxf and pymupdf are heavy, and only one of them is needed per file.
    if kind is DrawingKind.DXF:
        from parsers.dxf import parse_dxf

        return without_lone_surrogates(
            parse_dxf(data, filename, progress=progress, max_entities=limits.max_dxf_entities))
    from parsers.pdf import parse_pdf

    return without_lone_surrogates(parse_pdf(data, filename, max_pages=limits.max_pages))


def parse_drawings(
    data: bytes,
    filename: str,
    *,
    progress: Callable[[float], None] | None = None,
    limits: ParseLimits = _DEFAULT_LIMITS,
) -> tuple[ParsedDrawing, ...]:
    """Read a file that may hold several parts: a PDF drawing set gives one ParsedDrawing per part.

    Args:
        data: the file's bytes.
        filename: the attachment's name.
        progress: as for ``parse_drawing`` (DXF only).
        limits: as for ``parse_drawing``.

    Returns:
        One drawing per part, in sheet order (a DXF is always one drawing).

    Raises:
        ParseError: the file could not be read at all.
    """
    if sniff_kind(data, filename) is DrawingKind.PDF:
        from parsers.models import without_lone_surrogates
        from parsers.pdf import parse_drawing_set

        return tuple(without_lone_surrogates(d) for d in parse_drawing_set(data, filename, max_pages=limits.max_pages))
    return (parse_drawing(data, filename, progress=progress, limits=limits),)
