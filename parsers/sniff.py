"""Which kind of file an attachment is, decided from its first bytes, not its name."""

from __future__ import annotations

from parsers.errors import EmptyFile, UnsupportedFileType
from parsers.models import DrawingKind

_BINARY_DXF = b"AutoCAD Binary DXF\r\n\x1a\x00"

# (magic prefix, human name) for files people send that we cannot read.
_KNOWN_OTHERS: tuple[tuple[bytes, str], ...] = (
    (b"AC10", "DWG"),
    (b"PK\x03\x04", "ZIP archive (or STEP/Office)"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"ISO-10303-21", "STEP"),
    (b"solid ", "STL"),
    (b"\xd0\xcf\x11\xe0", "Office document"),
)


def sniff_kind(data: bytes, filename: str) -> DrawingKind:
    """Detect the drawing format from the content.

    Args:
        data: the file's bytes.
        filename: used only in error messages.

    Returns:
        DrawingKind.PDF or DrawingKind.DXF.

    Raises:
        EmptyFile: the file has no content.
        UnsupportedFileType: the content is neither PDF nor DXF (``detected`` names what it is).
    """
    if not data.strip():
        raise EmptyFile(filename=filename)
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return DrawingKind.PDF
    if head.startswith(_BINARY_DXF):
        return DrawingKind.DXF
    for magic, name in _KNOWN_OTHERS:
        if head.startswith(magic):
            raise UnsupportedFileType(filename=filename, detected=name)
    text = head.lstrip(b"\xef\xbb\xbf").decode("latin-1")
    lines = [line.strip() for line in text.splitlines()[:4]]
    if len(lines) >= 2 and lines[0] in ("0", "999") and (lines[1] == "SECTION" or lines[0] == "999"):
        return DrawingKind.DXF
    raise UnsupportedFileType(filename=filename, detected=_describe_unknown(head))


def _describe_unknown(head: bytes) -> str:
    if all(32 <= b < 127 or b in (9, 10, 13) for b in head[:512]):
        return "plain-text (not a drawing)"
    return "unrecognised binary"
