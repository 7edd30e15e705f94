"""Errors raised when an attachment cannot be read at all.

* ParseError
  + UnsupportedFileType   (also ValueError)
  + EmptyFile             (also ValueError)
  + CorruptDrawing
    + TruncatedDrawing
  + EncryptedPdf
  + DrawingTooLarge
    + TooManyEntities

Partial problems are not errors: see ``models.ParseIssue``.
"""

from __future__ import annotations


class ParseError(Exception):
    """Base class: the file could not be turned into a ParsedDrawing."""

    code = "parse-error"

    def __init__(self, message: str, *, filename: str) -> None:
        super().__init__(message)
        self.filename = filename


class UnsupportedFileType(ParseError, ValueError):
    code = "unsupported-file-type"

    def __init__(self, *, filename: str, detected: str) -> None:
        super().__init__(f"{filename!r} is a {detected} file; expected DXF or PDF.", filename=filename)
        self.detected = detected


class EmptyFile(ParseError, ValueError):
    code = "empty-file"

    def __init__(self, *, filename: str) -> None:
        super().__init__(f"{filename!r} is empty.", filename=filename)


class CorruptDrawing(ParseError):
    code = "corrupt-drawing"


class TruncatedDrawing(CorruptDrawing):
    """The file stops before its drawing data ends (an interrupted download or export)."""

    code = "truncated-drawing"


class EncryptedPdf(ParseError):
    code = "encrypted-pdf"

    def __init__(self, *, filename: str) -> None:
        super().__init__(f"{filename!r} is password-protected.", filename=filename)


class DrawingTooLarge(ParseError):
    code = "too-large"


class TooManyEntities(DrawingTooLarge):
    """A DXF holds more entities than the parser is allowed to read (counted before it is loaded)."""

    code = "too-many-entities"

    def __init__(self, *, filename: str, limit: int) -> None:
        super().__init__(f"{filename!r} has more than {limit:,} entities; the limit is {limit:,}.", filename=filename)
        self.limit = limit
