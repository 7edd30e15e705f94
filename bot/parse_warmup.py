"""Imported once by the parse workers' fork server (``bot.isolation``): reads a tiny DXF and a tiny PDF there.

Every worker is forked from the fork server, so it starts with what a first read loads and builds
(ezdxf's and PyMuPDF's lazily imported modules and fonts, compiled patterns, the result's serializer)
already in memory, instead of paying for it on each attachment. Each file is still read in its own
fresh process.
"""

from __future__ import annotations

import gc
import io
import logging

logger = logging.getLogger(__name__)


def sample_dxf() -> bytes:
    """A plate with lines, arcs, a hole, a dimension and notes, as DXF R2010."""
    from ezdxf.filemanagement import new

    doc = new("R2010", setup=True, units=4)
    msp = doc.modelspace()
    for start, end in (((0, 0), (40, 0)), ((40, 0), (40, 30)), ((40, 30), (0, 30)), ((0, 30), (0, 0))):
        msp.add_line(start, end)
    msp.add_arc((35, 25), 5, 0, 90)
    msp.add_circle((10, 15), 3.3)
    msp.add_linear_dim(base=(0, -8), p1=(0, 0), p2=(40, 0), dimstyle="EZDXF",
                       override={"dimlfac": 1.0, "dimtp": 0.1, "dimtm": 0.1, "dimtol": 1}).render()
    msp.add_text("2X %%c6.6 THRU", height=2.5).set_placement((4, 33))
    msp.add_mtext("MATERIAL: AL 6061-T6\\PGENERAL TOLERANCES ISO 2768-m").set_location((0, -20))
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode("utf-8")


def sample_pdf() -> bytes:
    """One vector sheet with a view, a dimension, callouts and a title block."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=842, height=595)
    page.draw_rect(pymupdf.Rect(150, 150, 450, 350), width=1.2)
    page.draw_circle((190, 190), 9, width=0.8)
    page.draw_line((150, 120), (450, 120), width=0.4)
    for x, y, text in ((280, 115, "120 ±0.1"), (480, 200, "4X Ø6.5 THRU"), (480, 250, "Ø10 H7"),
                       (560, 520, "PART NO. WARM-1"), (40, 484, "GENERAL TOLERANCES ISO 2768-m")):
        page.insert_text((x, y), text, fontsize=11, fontname="helv")
    data: bytes = doc.tobytes()
    return data


def warm_up() -> None:
    """Read both samples and serialise the results as a worker does; a failure only leaves workers cold."""
    from bot.isolation import _DRAWINGS
    from parsers import parse_drawings

    for data, name in ((sample_dxf(), "warm-up.dxf"), (sample_pdf(), "warm-up.pdf")):
        _DRAWINGS.validate_json(_DRAWINGS.dump_json(parse_drawings(data, name), round_trip=True))


try:
    warm_up()
except Exception:  # never stop the fork server: its workers would then start cold, nothing worse
    logger.debug("parse warm-up failed", exc_info=True)
# What the fork server holds now lives as long as every worker: the workers' collector need never look at
# it again (nor touch, and so copy, its memory pages).
gc.collect()
gc.freeze()
