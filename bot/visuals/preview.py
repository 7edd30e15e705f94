"""The drawing as the customer sent it, with every callout we read outlined and coloured by status."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.visuals import palette
from parsers import Dimension, DrawingKind, ParsedDrawing

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_PX = 1400  # wide enough to read callouts in a Slack or email preview


@dataclass(frozen=True)
class Preview:
    png: bytes
    outlined: int
    width_px: int
    height_px: int


def status_colour(d: Dimension) -> str:
    if d.confidence < palette.LOW_CONFIDENCE_BELOW:
        return palette.LOW_CONFIDENCE
    return palette.TOLERANCE_READ if d.upper is not None or d.fit else palette.GENERAL_TOLERANCE


def render_preview(data: bytes, drawing: ParsedDrawing) -> Preview:
    """Render the part's first sheet (PDF) or model space (DXF) and outline each located callout.

    Callouts without a position are listed under the picture instead, so every callout read is shown.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(WIDTH_PX / 100, WIDTH_PX / 100 * 0.75), dpi=100)
    ax = fig.add_axes((0.0, 0.08, 1.0, 0.92))
    ax.set_axis_off()
    sheet = (drawing.page_numbers or (1,))[0]
    if drawing.format is DrawingKind.DXF:
        char = _draw_dxf(ax, data)
    else:
        char = _draw_pdf(ax, data, page=sheet)
    fig.set_size_inches(WIDTH_PX / 100, WIDTH_PX / 100 * 0.75)  # ezdxf's backend resizes the figure
    outlined = 0
    unplaced: list[str] = []
    tightest = sorted((d for d in drawing.dimensions if d.tolerance_band_mm), key=lambda d: d.tolerance_band_mm or 0)
    labelled = {id(d) for d in tightest[:3]}
    for d in drawing.dimensions:
        if d.position is None or (drawing.format is DrawingKind.PDF and d.page not in (None, sheet)):
            unplaced.append(d.text)
            continue
        w, h = max(len(d.text), 2) * char * 0.7, char * 1.6
        ax.add_patch(matplotlib.patches.Rectangle(
            (d.position.x - w / 2, d.position.y - h / 2), w, h, fill=False, lw=2.0, ec=status_colour(d)))
        outlined += 1
        if id(d) in labelled:
            ax.annotate(f"tightest: {d.text}", (d.position.x + w / 2, d.position.y), fontsize=9,
                        color=palette.TOLERANCE_READ, xytext=(8, 8), textcoords="offset points", weight="bold")
    _legend(fig, drawing, unplaced)
    outlined += len(unplaced)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, facecolor="white")
    width, height = (int(v) for v in fig.get_size_inches() * 100)
    plt.close(fig)
    return Preview(png=buf.getvalue(), outlined=outlined, width_px=width, height_px=height)


def _draw_dxf(ax: Axes, data: bytes) -> float:
    """Model space through ezdxf's drawing add-on; returns a text height in model units."""
    from ezdxf import recover
    from ezdxf.addons.drawing import Frontend, RenderContext
    from ezdxf.addons.drawing.config import BackgroundPolicy, ColorPolicy, Configuration
    from ezdxf.addons.drawing.matplotlib import MatplotlibBackend

    doc, _auditor = recover.read(io.BytesIO(data))
    config = Configuration(background_policy=BackgroundPolicy.WHITE, color_policy=ColorPolicy.BLACK)
    Frontend(RenderContext(doc), MatplotlibBackend(ax), config=config).draw_layout(doc.modelspace(), finalize=True)
    height = doc.header.get("$DIMTXT", 2.5) or 2.5
    return float(height)


def _draw_pdf(ax: Axes, data: bytes, *, page: int) -> float:
    """The part's first sheet as a pixmap in page coordinates (points, y down); returns a text height."""
    import numpy as np
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as doc:
        sheet = doc[page - 1]
        zoom = min(3.0, WIDTH_PX / sheet.rect.width)
        pix = sheet.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
        image = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
        ax.imshow(image, extent=(0, sheet.rect.width, sheet.rect.height, 0))
        return 8.0


def _legend(fig: Figure, drawing: ParsedDrawing, unplaced: list[str]) -> None:
    env = drawing.envelope
    size = f"{env.x:g} × {env.y:g}" + (f" × {env.z:g}" if env and env.z else "") if env else "not found"
    parts = [
        ("■ tolerance read", palette.TOLERANCE_READ),
        ("■ general tolerance applies", palette.GENERAL_TOLERANCE),
        ("■ low confidence: please check", palette.LOW_CONFIDENCE),
        (f"envelope {size} {drawing.units or 'mm'}", palette.ENVELOPE),
    ]
    x = 0.01
    for text, colour in parts:
        fig.text(x, 0.035, text, color=colour, fontsize=12, weight="bold")
        x += 0.245
    if unplaced:
        fig.text(0.01, 0.005, "not located on the sheet: " + ", ".join(unplaced)[:180],
                 color=palette.LOW_CONFIDENCE, fontsize=11)
