"""DXF bytes to an ezdxf document: ASCII through recover mode, binary DXF, truncation, repairs as issues."""

from __future__ import annotations

import io
import re
import struct
from collections import Counter
from typing import Any

from ezdxf import recover
from ezdxf.document import Drawing
from ezdxf.lldxf.const import DXFError
from ezdxf.lldxf.tagger import binary_tags_loader

from parsers.errors import CorruptDrawing, TruncatedDrawing
from parsers.models import DrawingKind, IssueCode, ParseIssue
from parsers.sniff import sniff_kind

BINARY_SENTINEL = b"AutoCAD Binary DXF"
_MAX_REPAIR_ISSUES = 8
ENTITIES_SECTION = re.compile(rb"\n\s*2\r?\n\s*ENTITIES\r?\n")
_DAMAGE: tuple[type[Exception], ...] = (DXFError, ValueError, UnicodeError, IndexError, EOFError, struct.error)
# ezdxf has no recover mode for binary DXF: its plain loader and audit stop on damaged tags with whatever
# they hit (a layout without attributes, a name of the wrong type, a table that ends early, an assertion)
_BINARY_DAMAGE: tuple[type[Exception], ...] = (AttributeError, TypeError, KeyError, AssertionError, StopIteration)


def is_truncated(data: bytes) -> bool:
    """True when an ASCII DXF ends inside its ENTITIES section, or a binary DXF lacks its EOF tag."""
    if data.startswith(BINARY_SENTINEL):
        return not data.rstrip(b"\x00").endswith(b"EOF\x00") and not data.rstrip(b"\x00").endswith(b"EOF")
    if any(b < 9 or 13 < b < 32 for b in data[-4096:]):
        return False  # binary garbage in an ASCII file is damage, not an early end
    section = ENTITIES_SECTION.search(data)
    if section is None:
        return not data.rstrip().endswith(b"EOF")
    return data.find(b"ENDSEC", section.end()) < 0


def check_bytes(data: bytes, filename: str) -> None:
    """Raise the specific error for bytes that are not a whole DXF file.

    Raises:
        EmptyFile: no content.
        UnsupportedFileType: the bytes are another format (DWG, PDF, plain text, ...) named .dxf.
        TruncatedDrawing: the file ends inside its drawing data.
    """
    if sniff_kind(data, filename) is not DrawingKind.DXF:
        from parsers.errors import UnsupportedFileType

        raise UnsupportedFileType(filename=filename, detected="PDF")
    if is_truncated(data):
        raise TruncatedDrawing(
            f"{filename!r} is truncated: it ends after {len(data)} bytes, inside its drawing data "
            "(no end of the ENTITIES section)",
            filename=filename,
        )


def load_document(data: bytes, filename: str) -> tuple[Any, list[ParseIssue]]:
    """Read a whole DXF (ASCII through ezdxf's recover mode, or binary) and report what was repaired.

    Args:
        data: the file's bytes (already checked with ``check_bytes``).
        filename: used in error messages.

    Returns:
        The ezdxf document and one DXF_REPAIRED issue per kind of repair (at most eight).

    Raises:
        CorruptDrawing: ezdxf cannot recover a document, or recovered no entities from a damaged file.
    """
    binary = data.startswith(BINARY_SENTINEL)
    damage = _DAMAGE + _BINARY_DAMAGE if binary else _DAMAGE
    try:
        if binary:  # recover.read() reads ASCII DXF only
            doc = Drawing.load(binary_tags_loader(data, errors="replace"))
            auditor = doc.audit()
        else:
            doc, auditor = _read_ascii(data)
    except damage as exc:
        raise CorruptDrawing(f"{filename!r} is not a readable DXF file: {exc}", filename=filename) from exc
    problems = list(auditor.fixes) + list(auditor.errors)
    if problems and not any(True for layout in doc.layouts for _ in layout):
        raise CorruptDrawing(
            f"{filename!r} is damaged: ezdxf recovered no entities ({len(problems)} structural problems)",
            filename=filename,
        )
    issues = _repair_issues(auditor)
    if not data.startswith(BINARY_SENTINEL) and not data.rstrip().endswith(b"EOF"):
        issues.append(ParseIssue(code=IssueCode.DXF_REPAIRED, detail="the file ends without its EOF marker"))
    return doc, issues


def _read_ascii(data: bytes) -> tuple[Any, Any]:
    """recover.read, through the one-pass tag stage when the file needs no tag repair (``dxf_tags``)."""
    from parsers.dxf_tags import NotClean, read_clean

    try:
        return read_clean(data)
    except (NotClean, DXFError, ValueError, UnicodeError, IndexError, EOFError, KeyError, struct.error):
        # errors="replace": bytes invalid in the file's code page are read as U+FFFD, not kept as lone
        # surrogates (which the parse result could not be written out as JSON with)
        return recover.read(io.BytesIO(data), errors="replace")  # repairs it, or raises what it cannot read


def _repair_issues(auditor: Any) -> list[ParseIssue]:
    kinds: Counter[str] = Counter()
    for entry, verb in [(e, "repaired") for e in auditor.fixes] + [(e, "found") for e in auditor.errors]:
        message = " ".join(str(entry.message).split()) or f"audit code {entry.code}"
        kinds[f"{verb}: {message}"] += 1
    issues = [
        ParseIssue(code=IssueCode.DXF_REPAIRED, detail=f"ezdxf {what}" + (f" ({n}x)" if n > 1 else ""))
        for what, n in kinds.most_common(_MAX_REPAIR_ISSUES)
    ]
    if len(kinds) > _MAX_REPAIR_ISSUES:
        rest = sum(n for _, n in kinds.most_common()[_MAX_REPAIR_ISSUES:])
        issues.append(ParseIssue(code=IssueCode.DXF_REPAIRED, detail=f"ezdxf made {rest} further repairs"))
    return issues
