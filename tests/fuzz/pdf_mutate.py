"""Structure-aware PDF mutators: page content streams, page tree and font dictionaries (through PyMuPDF),
then the raw cross-reference table, trailer and stream headers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

import pymupdf
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

from tests.fuzz.mutate import BYTE_MUTATIONS, HUGE_NUMBERS

CONTENT_SNIPPETS: tuple[bytes, ...] = (
    b" 1e30 0 0 1e30 0 0 cm ", b" 0 0 0 0 0 0 cm ", b" q" * 1000, b" Q" * 50, b" BT /F1 1e30 Tf (100) Tj ET ",
    b" BT /NoSuchFont 12 Tf (x) Tj ET ", b" BT [(8) -1e30 (0)] TJ ET ", b" 0 0 m 1e308 1e308 l S ",
    b" /Im1 Do ", b" BT (\xd8\xb1) Tj ET ", b" BT /F1 12 Tf 1 0 0 1 1e20 1e20 Tm (4X \xd85.5 THRU) Tj ET ",
    b" 0 0 m" + b" 1 1 l" * 5000 + b" S ", b" BT " * 500, b" ET ", b" nan nan m ", b" [] 0 d ",
    b" BI /W 4 /H 4 /BPC 8 /CS /G ID \x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00 EI ",
)
PAGE_KEYS: dict[str, tuple[str, ...]] = {
    "MediaBox": ("[0 0 0 0]", "[0 0 1e30 1e30]", "[10 10 0 0]", "[0 0 -595 842]", "[0 0 14400 14400]", "null",
                 "[0 0 nan 5]", "[0]", "(text)"),
    "CropBox": ("[0 0 0 0]", "[5000 5000 6000 6000]", "[0 0 1 1]"),
    "Rotate": ("45", "-90", "270", "99999999999", "null", "1.5"),
    "UserUnit": ("0", "1e10", "-1", "75000"),
    "Resources": ("null", "<<>>", "<< /Font null >>", "<< /Font << /F1 null >> >>"),
    "Contents": ("null", "[]", "[null null]", "<<>>"),
    "Annots": ("[null]", "<<>>", "[<< /Subtype /Text /Rect [0 0 1e30 1e30] >>]"),
    "Parent": ("null",),
}
FONT_KEYS: dict[str, tuple[str, ...]] = {
    "Subtype": ("/Type3", "/Type0", "/TrueType", "/NoSuch"),
    "Encoding": ("/Identity-H", "/NoSuchEncoding", "<< /Differences [0 /Oslash 1e30 /x] >>", "null"),
    "FirstChar": ("-5", "1e30", "255"),
    "Widths": ("[1e30]", "[]", "null", "[-1 -1 -1]"),
    "BaseFont": ("/Symbol", "/ZapfDingbats", "/NoSuchFont", "()"),
    "FontDescriptor": ("null", "<<>>"),
}
TREE_KEYS: dict[str, tuple[str, ...]] = {
    "Count": ("0", "-1", "2147483647", "1e30", "1000000"),
    "Kids": ("[]", "null", "[null]", "[0 0 R]"),
    "Type": ("/Page", "/Catalog", "/NoSuch"),
}
RAW_EDITS: tuple[tuple[bytes, bytes], ...] = (
    (rb"startxref\s+\d+", b"startxref\n0"), (rb"startxref\s+\d+", b"startxref\n99999999999"),
    (rb"/Length \d+", b"/Length 99999999"), (rb"/Length \d+", b"/Length -1"), (rb"/Length \d+", b"/Length 0"),
    (rb"/FlateDecode", b"/LZWDecode"), (rb"/FlateDecode", b"/DCTDecode"), (rb"/FlateDecode", b"/JBIG2Decode"),
    (rb"/FlateDecode", b"[/FlateDecode /FlateDecode /ASCIIHexDecode /ASCII85Decode /RunLengthDecode]"),
    (rb"/Size \d+", b"/Size 2147483647"), (rb"/Size \d+", b"/Size 0"), (rb"trailer", b"trailor"),
    (rb"\d{10} \d{5} n", b"9999999999 00000 n"), (rb"\d{10} \d{5} n", b"0000000000 65535 f"),
    (rb"xref", b"xref\n0 99999999"), (rb"/Root \d+ 0 R", b"/Root 9999 0 R"), (rb"/Root \d+ 0 R", b"/Root 1 0 R"),
    (rb"endobj", b""), (rb"endstream", b""), (rb"%%EOF", b""), (rb"/Encrypt", b"/Encryptx"),
    (rb"/Filter", b"/Filter /Crypt /DecodeParms << /Name /Identity >> /Filterx"),
)


def _suppress_mupdf_messages() -> None:
    tools: Any = pymupdf.TOOLS
    tools.mupdf_display_errors(False)
    tools.mupdf_display_warnings(False)


def _page(draw: DrawFn, doc: Any) -> Any:
    """A drawn page, or None when an earlier edit left the document without pages."""
    return doc[draw(st.integers(0, doc.page_count - 1))] if doc.page_count > 0 else None


def _mutate_content(draw: DrawFn, doc: Any, seeds: Sequence[bytes]) -> None:
    page = _page(draw, doc)
    xrefs = page.get_contents() if page is not None else []
    if not xrefs:
        return
    xref = draw(st.sampled_from(xrefs))
    data = bytearray(doc.xref_stream(xref) or b"")
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            at = draw(st.integers(0, len(data)))
            data[at:at] = draw(st.sampled_from(CONTENT_SNIPPETS))
        else:
            data = draw(st.sampled_from(BYTE_MUTATIONS))(draw, data, seeds)
    doc.update_stream(xref, bytes(data))


def _set_key(draw: DrawFn, doc: Any, xref: int, keys: dict[str, tuple[str, ...]]) -> None:
    key = draw(st.sampled_from(sorted(keys)))
    doc.xref_set_key(xref, key, draw(st.sampled_from(keys[key])))


def _mutate_page(draw: DrawFn, doc: Any, seeds: Sequence[bytes]) -> None:
    page = _page(draw, doc)
    if page is not None:
        _set_key(draw, doc, page.xref, PAGE_KEYS)


def _mutate_font(draw: DrawFn, doc: Any, seeds: Sequence[bytes]) -> None:
    fonts = [f[0] for i in range(doc.page_count) for f in doc[i].get_fonts() if f[0] > 0]
    if fonts:
        _set_key(draw, doc, draw(st.sampled_from(fonts)), FONT_KEYS)


def _mutate_tree(draw: DrawFn, doc: Any, seeds: Sequence[bytes]) -> None:
    kind, ref = doc.xref_get_key(doc.pdf_catalog(), "Pages")
    if kind != "xref":
        return
    pages = int(ref.split()[0])
    key = draw(st.sampled_from(sorted(TREE_KEYS)))
    value = draw(st.sampled_from(TREE_KEYS[key])).replace("0 0 R", f"{pages} 0 R")  # a cycle: Kids holds itself
    doc.xref_set_key(pages, key, value)


# what MuPDF raises when it refuses an edit of a damaged document
_REFUSED: tuple[type[Exception], ...] = (RuntimeError, ValueError, IndexError, cast(Any, pymupdf).mupdf.FzErrorBase)
_DOC_MUTATIONS = (_mutate_content, _mutate_content, _mutate_page, _mutate_font, _mutate_tree)


def raw_edit(draw: DrawFn, data: bytes) -> bytes:
    """One edit of the file's syntax: xref offsets, startxref, stream lengths and filters, trailer keys."""
    pattern, replacement = draw(st.sampled_from(RAW_EDITS))
    found = list(re.finditer(pattern, data))
    if not found:
        return data
    hit = draw(st.sampled_from(found))
    if replacement.startswith(b"/Length") and draw(st.booleans()):
        replacement = b"/Length " + draw(st.sampled_from(HUGE_NUMBERS))
    return data[: hit.start()] + replacement + data[hit.end():]


@st.composite
def mutated_pdf(draw: DrawFn, seeds: Sequence[bytes], *, max_mutations: int = 3) -> bytes:
    """A PDF seed with object-level edits (through PyMuPDF) and then raw syntax edits."""
    _suppress_mupdf_messages()
    data = draw(st.sampled_from(seeds))
    edits = draw(st.integers(0, max_mutations))
    if edits:
        try:
            doc: Any = pymupdf.open(stream=data, filetype="pdf")
        except _REFUSED:  # a seed MuPDF itself cannot open is mutated raw only
            doc = None
        if doc is not None and not doc.needs_pass and doc.page_count:
            with doc:
                for _ in range(edits):
                    op = draw(st.sampled_from(_DOC_MUTATIONS))
                    try:
                        op(draw, doc, seeds)
                    except _REFUSED:
                        continue  # MuPDF refused the edit: the document stays as it was
                try:
                    data = doc.tobytes(garbage=0, no_new_id=True)
                except _REFUSED:
                    pass  # MuPDF will not write it (e.g. no pages left): the seed goes on to the raw edits
    for _ in range(draw(st.integers(0 if edits else 1, 2))):
        data = raw_edit(draw, data)
    return data
