"""Zip archives opened for every channel: real zip files built with zipfile, bounded in every direction."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from bot.archives import expand_archives
from bot.filenames import safe_filename
from bot.limits import Limits
from bot.models import Attachment
from tests.conftest import fixture_path

BRACKET = fixture_path("dxf/bracket.dxf").read_bytes()
SHAFT = fixture_path("dxf/shaft.dxf").read_bytes()


def make_zip(members: dict[str, bytes], *, encrypted: tuple[str, ...] = ()) -> bytes:
    """A deflated zip; members named in ``encrypted`` carry the encryption flag, as `zip -e` writes it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    data = bytearray(buffer.getvalue())
    for name in encrypted:  # zipfile cannot encrypt; set bit 0 of the flags in both headers of the member
        raw = name.encode()
        for signature, flags_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
            at = data.find(signature)
            while data[at + name_at:at + name_at + len(raw)] != raw:
                at = data.find(signature, at + 1)
            flags = struct.unpack_from("<H", data, at + flags_at)[0]
            struct.pack_into("<H", data, at + flags_at, flags | 0x1)
    return bytes(data)


def zero_zip(size: int, name: str = "zeros.dxf") -> bytes:
    """A zip of ``size`` zero bytes, about a thousandth of that compressed (written in 1 MiB chunks)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open(name, "w", force_zip64=True) as member:
        chunk = bytes(min(size, 1 << 20))
        for _ in range(size // len(chunk)):
            member.write(chunk)
    return buffer.getvalue()


def expand(*files: tuple[str, bytes], **limits: int) -> list[tuple[str, str | None]]:
    found = expand_archives([Attachment(filename=n, data=d) for n, d in files], Limits(**limits))
    return [(a.filename, a.fetch_error) for a in found]


def test_members_replace_the_archive_in_order() -> None:
    archive = make_zip({"drawings/bracket.dxf": BRACKET, "drawings/": b"", "__MACOSX/drawings/._bracket.dxf": b"x",
                        ".DS_Store": b"x", "shaft.dxf": SHAFT})
    found = expand_archives([Attachment(filename="first.pdf", data=b"%PDF-1.7"),
                             Attachment(filename="drawings.zip", data=archive)], Limits())
    assert [(a.filename, a.data) for a in found] == [
        ("first.pdf", b"%PDF-1.7"), ("bracket.dxf", BRACKET), ("shaft.dxf", SHAFT)]
    assert expand_archives(found, Limits()) == found  # the result is left alone


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/bracket.dxf", "bracket.dxf"), ("/abs/path/shaft.dxf", "shaft.dxf"),
    ("C:\\drawings\\part.dxf", "part.dxf"), ("a/b/..", "attachment"), ("dir/\x00evil\x1b.dxf", "evil.dxf"),
])
def test_member_names_are_reduced_to_a_base_name(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_path_traversal_names_are_read_under_their_base_name() -> None:
    archive = make_zip({"../../etc/bracket.dxf": BRACKET, "/tmp/shaft.dxf": SHAFT})
    assert expand(("x.zip", archive)) == [("bracket.dxf", None), ("shaft.dxf", None)]


def test_a_zero_bomb_stops_at_the_file_limit() -> None:
    bomb = zero_zip(8 << 20)
    assert len(bomb) < 20_000
    assert expand(("bomb.zip", bomb), max_attachment_bytes=1 << 20) == [("zeros.dxf", "too-large")]


def test_the_unpacked_budget_covers_all_archives_of_a_message() -> None:
    one = zero_zip(1 << 20, "a.dxf")
    assert expand(("one.zip", one), max_unzipped_bytes=2 << 20) == [("a.dxf", None)]
    found = expand(("one.zip", one), ("two.zip", zero_zip(1 << 20, "b.dxf")), ("three.zip", one),
                   max_unzipped_bytes=(2 << 20) + 10)
    assert found == [("a.dxf", None), ("b.dxf", None), ("three.zip", "archive-too-large")]


def test_too_many_members_refuse_the_archive() -> None:
    archive = make_zip({f"{i}.dxf": b"x" for i in range(5)})
    assert expand(("many.zip", archive), max_zip_members=4) == [("many.zip", "archive-too-many-files")]
    assert len(expand(("many.zip", archive), max_zip_members=5)) == 5


def test_a_huge_directory_is_refused_before_zipfile_reads_it() -> None:
    archive = make_zip({f"{i}": b"" for i in range(2000)})
    assert expand(("dir.zip", archive), max_zip_members=10) == [("dir.zip", "archive-too-many-files")]


def test_nesting_is_bounded() -> None:
    inner = make_zip({"bracket.dxf": BRACKET})
    middle = make_zip({"inner.zip": inner, "shaft.dxf": SHAFT})
    outer = make_zip({"middle.zip": middle})
    assert expand(("outer.zip", outer), max_nesting=3) == [("bracket.dxf", None), ("shaft.dxf", None)]
    assert expand(("outer.zip", outer), max_nesting=2) == [("inner.zip", "archive-too-deep"), ("shaft.dxf", None)]
    assert expand(("outer.zip", outer), max_nesting=1) == [("middle.zip", "archive-too-deep")]


def test_encrypted_and_damaged_members_are_named() -> None:
    archive = make_zip({"secret.dxf": b"0\nEOF\n", "bracket.dxf": BRACKET}, encrypted=("secret.dxf",))
    assert expand(("locked.zip", archive)) == [("secret.dxf", "encrypted-archive"), ("bracket.dxf", None)]
    damaged = bytearray(make_zip({"bracket.dxf": BRACKET, "shaft.dxf": SHAFT}))
    at = damaged.find(b"PK\x03\x04", 10) - 40  # inside the first member's compressed data
    damaged[at:at + 8] = b"\xff" * 8
    assert expand(("bad.zip", bytes(damaged))) == [("bracket.dxf", "damaged-archive"), ("shaft.dxf", None)]
    assert expand(("cut.zip", make_zip({"bracket.dxf": BRACKET})[:-30])) == [("cut.zip", "damaged-archive")]


def test_files_past_the_message_limit_are_listed_not_unpacked() -> None:
    archive = make_zip({"a.dxf": BRACKET, "b.dxf": SHAFT, "c.zip": make_zip({"d.dxf": BRACKET})})
    found = expand_archives([Attachment(filename="x.dxf", data=BRACKET), Attachment(filename="p.zip", data=archive),
                             Attachment(filename="q.zip", data=archive)], Limits(max_attachments=2))
    assert [(a.filename, a.fetch_error, len(a.data)) for a in found] == [
        ("x.dxf", None, len(BRACKET)), ("a.dxf", None, len(BRACKET)), ("b.dxf", "too-many-files", 0),
        ("c.zip", "too-many-files", 0), ("q.zip", "too-many-files", len(archive))]


def test_documents_and_empty_archives() -> None:
    docx = make_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
    assert expand(("offer.docx", docx)) == [("offer.docx", None)]
    assert expand(("empty.zip", make_zip({"folder/": b""}))) == [("empty.zip", "empty-file")]
