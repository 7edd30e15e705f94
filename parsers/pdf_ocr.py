"""PDF reading without a text layer: OCR (Tesseract through PyMuPDF) of scans and of lettering drawn as strokes.

The OCR text comes back as a ``rawdict`` in the page's own coordinates, so the rest of the PDF reader
(runs, groups, callouts) reads it exactly like a text layer. What OCR typically confuses in a drawing
(``Ø`` read as ``0``/``O``/``D``, ``0`` read as ``O`` after ``R``) is put back here, by context.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import pymupdf

logger = logging.getLogger(__name__)

# OCR'd callouts never claim more than this (a vector text layer gives 0.75-0.95).
OCR_CONFIDENCE = 0.6
OCR_DPI = 300
# Bounded work per page: the render is capped at this many pixels (an A0 sheet is OCR'd at lower dpi).
_MAX_PIXELS = 16_000_000
# Paths no larger than this (points) are taken to be lettering when the text is drawn as strokes.
_GLYPH_MAX_PT = 12.0
# Scans are also read in tiles of about this size (points), at most this many per page.
_TILE_PT = 150.0
TILE_FONT = "ocr-tile"  # the font name given to text read from a tile (a second reading of the page)
_TILE_OVERLAP_PT = 30.0
_MAX_TILES = 40
# Hatching read turned by 90° gives many short digit strings; only these word shapes are kept from it.
_TURNED_WORD = re.compile(r"^(?:M\d+(?:[.,x]\d+)?|\d+[.,]\d+)$")
_DEBIAN_TESSDATA = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
)


@dataclass(frozen=True)
class OcrText:
    """OCR result of one page."""

    page_dict: dict[str, Any]  # like page.get_text("rawdict"), page coordinates
    dpi: int
    seconds: float


def find_tessdata(environ: Mapping[str, str]) -> str | None:
    """Locate Tesseract's language data (``eng.traineddata``).

    Args:
        environ: the process environment (``TESSDATA_PREFIX`` is honoured first).

    Returns:
        The tessdata folder, or None when OCR is not available.
    """
    prefix = environ.get("TESSDATA_PREFIX")
    if prefix:
        for folder in (prefix, os.path.join(prefix, "tessdata")):
            if os.path.isfile(os.path.join(folder, "eng.traineddata")):
                return folder
    return _installed_tessdata()


@functools.cache
def _installed_tessdata() -> str | None:
    candidates = list(_DEBIAN_TESSDATA)
    try:
        # Asks the tesseract binary where its data is; raises when Tesseract is not installed.
        candidates.insert(0, str(cast(Any, pymupdf).get_tessdata()))
    except (RuntimeError, OSError) as exc:
        logger.debug("pymupdf.get_tessdata: %s", exc)
    for folder in candidates:
        if os.path.isfile(os.path.join(folder, "eng.traineddata")):
            return folder
    return None


def ocr_dpi(width_pt: float, height_pt: float) -> int:
    """The OCR resolution for a page: ``OCR_DPI``, lowered so that the render stays under the pixel cap.

    Args:
        width_pt: page width, points.
        height_pt: page height, points.

    Returns:
        Dots per inch (an A4 or A3 sheet gets about 300; an A0 sheet about 100, where small lettering
        is no longer legible to Tesseract and the reading says so through fewer callouts).
    """
    pixels_at_72 = max(width_pt * height_pt, 1.0)
    return max(1, min(OCR_DPI, int(72 * (_MAX_PIXELS / pixels_at_72) ** 0.5)))


def ocr_page(page: Any, *, tessdata: str, strokes: bool) -> OcrText:
    """OCR one page.

    Args:
        page: a ``pymupdf.Page``.
        tessdata: Tesseract's language data folder (``find_tessdata``).
        strokes: the lettering is drawn as vector strokes: OCR only the small paths (glyphs), without
            the line work that would otherwise swamp Tesseract's layout analysis.

    Returns:
        The recognised text as a rawdict in page coordinates, with the dpi and seconds it took.

    Raises:
        RuntimeError: MuPDF's OCR failed (e.g. unusable language data).
    """
    start = time.perf_counter()
    dpi = ocr_dpi(page.rect.width, page.rect.height)
    source, scratch = (_lettering_page(page), True) if strokes else (page, False)
    try:
        textpage = source.get_textpage_ocr(flags=0, language="eng", dpi=dpi, full=True, tessdata=tessdata)
        raw = cast(dict[str, Any], source.get_text("rawdict", textpage=textpage))
    finally:
        if scratch:
            source.parent.close()
    if page.rotation:
        # PyMuPDF's full-page OCR reports unrotated coordinates; the text layer reader works in the
        # rotated (as displayed) page's coordinates.
        raw = _transform(raw, page.rotation_matrix)
    if not strokes:
        # On a scan the line work stays, and Tesseract's page layout analysis gives up on small values
        # between dimension lines and hatching; small tiles of the sheet are read again.
        raw["blocks"] = raw.get("blocks", []) + _tile_blocks(page, dpi=dpi, tessdata=tessdata)
        # Vertical dimension text (read from below, the usual way) from the sheet turned a quarter.
        raw["blocks"] += _tile_blocks(page, dpi=dpi, tessdata=tessdata, turn=90)
    raw = _clean(raw)
    seconds = time.perf_counter() - start
    logger.info("OCR page %d at %d dpi in %.2f s", page.number + 1, dpi, seconds)
    return OcrText(page_dict=raw, dpi=dpi, seconds=seconds)


def _tile_blocks(page: Any, *, dpi: int, tessdata: str, turn: int = 0) -> list[dict[str, Any]]:
    """OCR the page in overlapping tiles, the image turned by ``turn`` degrees; text blocks in page
    coordinates (duplicates left in). A turned reading keeps only words shaped like a callout."""
    mupdf = cast(Any, pymupdf)
    rect = page.rect
    side = max(_TILE_PT, (rect.width * rect.height / _MAX_TILES) ** 0.5)
    nx, ny = math.ceil(rect.width / side), math.ceil(rect.height / side)
    zoom = mupdf.Matrix(dpi / 72, dpi / 72)
    render = zoom * mupdf.Matrix(turn)
    blocks: list[dict[str, Any]] = []
    for i in range(nx):
        for j in range(ny):
            clip = mupdf.Rect(rect.x0 + i * rect.width / nx - _TILE_OVERLAP_PT,
                              rect.y0 + j * rect.height / ny - _TILE_OVERLAP_PT,
                              rect.x0 + (i + 1) * rect.width / nx + _TILE_OVERLAP_PT,
                              rect.y0 + (j + 1) * rect.height / ny + _TILE_OVERLAP_PT) & rect
            pix = page.get_pixmap(matrix=render, clip=clip, alpha=False)
            pix.set_dpi(dpi, dpi)
            with mupdf.open("pdf", pix.pdfocr_tobytes(language="eng", tessdata=tessdata)) as ocr:
                tile = ocr[0].get_text("rawdict")
            # OCR page points -> pixels of the turned render -> page points.
            corner = (clip * render).irect
            tile = _transform(tile, zoom * mupdf.Matrix(1, 0, 0, 1, corner.x0, corner.y0) * ~render)
            for block in tile.get("blocks", []):
                for line in block.get("lines", []):
                    # A word touching an inner tile edge is cut; the neighbouring tile reads it whole.
                    line["spans"] = [span for span in line.get("spans", []) if not _cut(span["bbox"], clip, rect)
                                     and (not turn or _TURNED_WORD.match(_span_text(span)))]
                    for span in line["spans"]:
                        span["font"] = TILE_FONT
                blocks.append(block)
    return blocks


def _span_text(span: dict[str, Any]) -> str:
    return clean_word("".join(ch["c"] for ch in span.get("chars", [])).strip())


def _cut(box: Any, clip: Any, page: Any) -> bool:
    x0, y0, x1, y1 = box
    margin = 1.5
    return bool((x0 - clip.x0 < margin and clip.x0 > page.x0) or (clip.x1 - x1 < margin and clip.x1 < page.x1)
                or (y0 - clip.y0 < margin and clip.y0 > page.y0) or (clip.y1 - y1 < margin and clip.y1 < page.y1))


def lettering_paths(drawings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The paths small enough to be letters (``page.get_drawings()`` items no larger than a glyph).

    Args:
        drawings: ``page.get_drawings()``.

    Returns:
        The paths whose box is at most 12 points each way.
    """
    return [p for p in drawings if max(p["rect"].width, p["rect"].height) <= _GLYPH_MAX_PT]


def _lettering_page(page: Any) -> Any:
    """A scratch page of the same geometry holding only the page's small paths, drawn black."""
    mupdf = cast(Any, pymupdf)
    scratch = mupdf.open()
    box = page.mediabox
    out = scratch.new_page(width=box.width, height=box.height)
    out.set_rotation(page.rotation)
    shape = out.new_shape()
    for path in lettering_paths(page.get_drawings()):
        for item in path["items"]:
            if item[0] == "l":
                shape.draw_line(item[1], item[2])
            elif item[0] == "c":
                shape.draw_bezier(*item[1:5])
            elif item[0] == "re":
                shape.draw_rect(item[1])
            elif item[0] == "qu":
                shape.draw_quad(item[1])
    # Everything stroked black and a little bolder than CAD lettering usually is: single-stroke letters
    # become legible, glyph outlines close up. (Filling would also fill arrowheads into blobs.)
    shape.finish(color=(0, 0, 0), width=1.0, closePath=False)
    shape.commit()
    return out


def _transform(raw: dict[str, Any], matrix: Any) -> dict[str, Any]:
    mupdf = cast(Any, pymupdf)
    turn = mupdf.Matrix(matrix.a, matrix.b, matrix.c, matrix.d, 0, 0)  # directions: no translation

    def box(b: Any) -> tuple[float, float, float, float]:
        return tuple(mupdf.Rect(b) * matrix)  # type: ignore[no-any-return]

    for block in raw.get("blocks", []):
        block["bbox"] = box(block["bbox"])
        for line in block.get("lines", []):
            line["bbox"] = box(line["bbox"])
            line["dir"] = tuple(mupdf.Point(line["dir"]) * turn)
            for span in line.get("spans", []):
                span["bbox"] = box(span["bbox"])
                if "origin" in span:
                    span["origin"] = tuple(mupdf.Point(span["origin"]) * matrix)
                for ch in span.get("chars", []):
                    ch["bbox"] = box(ch["bbox"])
                    ch["origin"] = tuple(mupdf.Point(ch["origin"]) * matrix)
    return raw


# Ø read as a letter or a leading zero in front of a size ("03.6", "D19,9", "@12"); not "0.5" or "0,8".
_DIAMETER_MISREAD = re.compile(r"^[0OD@©⌀](?=[1-9]\d*(?:[.,]\d+)?\b)")
_LONE_DIAMETER = re.compile(r"(?:(?<=\s)|^)[OD@©⌀](?=\s\d)")
_ZERO_MISREAD = re.compile(r"(?<=^R)[Oo](?=[.,]\d)|^[Oo](?=[.,]\d)")
# Marks OCR makes of specks and of tolerance stacks it could not read.
_NOISE = frozenset("“”‘’|")


def _clean(raw: dict[str, Any]) -> dict[str, Any]:
    """Undo OCR's usual confusions in each word, by context; characters keep their boxes."""
    for block in raw.get("blocks", []):
        for line in block.get("lines", []):
            line["spans"] = _phrases(line.get("spans", []))
            for span in line["spans"]:
                chars = [ch for ch in span.get("chars", []) if ch["c"] not in _NOISE]
                text = "".join(ch["c"] for ch in chars)
                if text.count("(") != text.count(")"):  # one bracket of "(12,5)" lost: drop the other
                    chars = [ch for ch in chars if ch["c"] not in "()"]
                fixed = clean_word("".join(ch["c"] for ch in chars))
                for ch, new in zip(chars, fixed, strict=True):
                    ch["c"] = new
                span["chars"] = chars
    return raw


def _phrases(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join an OCR line's word spans of one text size into one span, as a text layer has them."""
    out: list[dict[str, Any]] = []
    for span in spans:
        last = out[-1] if out else None
        blank = not "".join(ch["c"] for ch in span.get("chars", [])).strip()
        if last is not None and (blank or 0.8 <= span["size"] / max(last["size"], 1e-6) <= 1.25):
            x0, y0, x1, y1 = last["bbox"]
            a0, b0, a1, b1 = span["bbox"]
            last["bbox"] = (min(x0, a0), min(y0, b0), max(x1, a1), max(y1, b1))
            last["chars"] = [*last.get("chars", []), *span.get("chars", [])]
        else:
            out.append(dict(span))
    return out


def clean_word(text: str) -> str:
    """Correct an OCR'd word of a drawing, character for character (the length is kept).

    Args:
        text: the word as recognised.

    Returns:
        The word with Ø and 0 put back where the context shows them (``"03.6"`` -> ``"Ø3.6"``,
        ``"RO,15"`` -> ``"R0,15"``).
    """
    text = " ".join(_DIAMETER_MISREAD.sub("Ø", _ZERO_MISREAD.sub("0", word)) for word in text.split(" "))
    return _LONE_DIAMETER.sub("Ø", text)
