"""File names from users, made safe to show and to save: one name, no path, nothing invisible, bounded.

Every attachment name passes through ``safe_filename`` when an ``Attachment`` is built, so a name that
reaches a template, a log, an email header or the disk is already clean.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[\t\n\r\v\f]")

MAX_FILENAME_CHARS = 120
MAX_FILENAME_BYTES = 240  # below the 255-byte limit of common file systems, in UTF-8
MAX_SUFFIX_CHARS = 16
DEFAULT_NAME = "attachment"


def strip_invisible(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` without control and format characters: NUL, escape sequences, bidirectional overrides
    (U+202E shows ``gpj.exe`` as ``exe.jpg``), zero-width characters. Newlines and tabs stay when asked."""
    kept = "\n\t" if keep_newlines else ""
    return "".join(c for c in text if c in kept or unicodedata.category(c) not in ("Cc", "Cf"))


def safe_filename(name: str, *, default: str = DEFAULT_NAME) -> str:
    """A file name that is safe to show and to save under a folder of ours.

    The last path component only (``/`` and ``\\`` both separate), without control or format characters,
    whitespace collapsed, leading dots removed (no ``..``, no hidden files), at most 120 characters and
    240 UTF-8 bytes with the extension kept; ``default`` when nothing is left.
    """
    text = unicodedata.normalize("NFC", strip_invisible(_SPACES.sub(" ", str(name))))
    text = text.replace("\\", "/").rstrip("/ ").rpartition("/")[2]
    text = " ".join(text.split()).lstrip(". ").rstrip(". ")
    if not text:
        return default
    stem, dot, suffix = text.rpartition(".")
    if not dot or not stem or len(suffix) > MAX_SUFFIX_CHARS:
        stem, suffix = text, ""
    ending = f".{suffix}" if suffix else ""
    stem = stem[: MAX_FILENAME_CHARS - len(ending)]
    while len((stem + ending).encode("utf-8")) > MAX_FILENAME_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(". ")
    return (stem + ending) if stem else default
