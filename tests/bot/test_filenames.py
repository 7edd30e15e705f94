"""safe_filename: one name, no path, nothing invisible, bounded; whatever the input."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.filenames import MAX_FILENAME_BYTES, MAX_FILENAME_CHARS, safe_filename
from bot.models import Attachment


@pytest.mark.parametrize(("name", "safe"), [
    ("bracket.dxf", "bracket.dxf"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\win.ini", "win.ini"),
    ("/abs/path/part.pdf", "part.pdf"),
    ("..", "attachment"),
    ("...", "attachment"),
    (".bashrc", "bashrc"),
    ("nul\x00byte\x1b[31m.dxf", "nulbyte[31m.dxf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),
    ("zero\u200bwidth.dxf", "zerowidth.dxf"),
    ("line\nbreak\r\n.dxf", "line break.dxf"),
    ("  many   spaces  .dxf  ", "many spaces.dxf"),
    ("<!channel>.dxf", "<!channel>.dxf"),  # not a path problem: escaped where it is shown
    ("A" * 10_240 + ".dxf", "A" * (MAX_FILENAME_CHARS - 4) + ".dxf"),
    ("dir/", "dir"),
    ("", "attachment"),
])
def test_hostile_names(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_long_multibyte_name_fits_the_file_system() -> None:
    name = safe_filename("ä" * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name.encode()) <= MAX_FILENAME_BYTES


def test_every_attachment_gets_a_safe_name() -> None:
    assert Attachment(filename="../../x/\u202eevil.dxf", data=b"").filename == "evil.dxf"


@given(st.text(max_size=400))
def test_any_name_becomes_one_safe_file_name(name: str) -> None:
    safe = safe_filename(name)
    assert safe and "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert safe not in (".", "..")
    assert len(safe) <= MAX_FILENAME_CHARS and len(safe.encode()) <= MAX_FILENAME_BYTES
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in safe)
    assert safe_filename(safe) == safe
