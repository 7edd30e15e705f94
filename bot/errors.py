"""Errors of the application layer.

* BotError
  + AttachmentTooLarge
  + AttachmentFetchFailed

Unreadable drawings are ``parsers.ParseError``; unknown materials ``estimator.UnknownMaterial``.
"""

from __future__ import annotations


class BotError(Exception):
    """Base class for problems at the channel edge."""


class AttachmentTooLarge(BotError):
    def __init__(self, *, filename: str, size_bytes: int, limit_bytes: int) -> None:
        super().__init__(f"{filename!r} is {size_bytes} bytes; the limit is {limit_bytes} bytes.")
        self.filename = filename
        self.size_bytes = size_bytes
        self.limit_bytes = limit_bytes


class AttachmentFetchFailed(BotError):
    def __init__(self, *, filename: str, reason: str) -> None:
        super().__init__(f"could not fetch {filename!r}: {reason}")
        self.filename = filename
        self.reason = reason
