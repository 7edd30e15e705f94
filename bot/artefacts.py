"""The files that go with a quote: annotated drawing preview, price chart and the quote PDF."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from datetime import date

from jinja2 import Environment

from bot.models import Attachment
from bot.reply import Reply
from parsers import ParsedDrawing

logger = logging.getLogger(__name__)

# Drawing is not thread-safe: pyplot keeps global state, and ezdxf shares its fonts (fontTools objects that
# load their tables on first use) between documents; two replies drawn at once in one process (a Slack listener
# and the email channel) failed with "'Glyph' object has no attribute 'flags'". One drawing at a time.
_DRAWING = threading.Lock()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "part"


def build_artefacts(
    reply: Reply,
    drawings: tuple[ParsedDrawing, ...],
    *,
    load: Callable[[str], bytes | None],
    env: Environment,
    today: date,
    customer: str | None = None,
) -> tuple[Attachment, ...]:
    """preview.png and chart.png per part (suffixed by part number when there are several) and quote.pdf.

    Args:
        reply: an estimate reply (others get no files).
        drawings: the drawings quoted, in the order of ``reply.parts``.
        load: returns a drawing's bytes by its sha256 (the store's blobs).
    """
    if not reply.parts:
        return ()
    with _DRAWING:
        return _build(reply, drawings, load=load, env=env, today=today, customer=customer)


def _build(
    reply: Reply,
    drawings: tuple[ParsedDrawing, ...],
    *,
    load: Callable[[str], bytes | None],
    env: Environment,
    today: date,
    customer: str | None,
) -> tuple[Attachment, ...]:
    from bot.visuals import render_chart, render_preview, render_quote_pdf

    files: list[Attachment] = []
    several = len(reply.parts) > 1
    for part, drawing in zip(reply.parts, drawings, strict=False):
        suffix = f"-{_slug(part.estimate.part_number or part.estimate.name)}" if several else ""
        data = load(drawing.sha256) if drawing.sha256 else None
        if data is not None:
            preview = render_preview(data, drawing)
            files.append(Attachment(filename=f"preview{suffix}.png", data=preview.png, content_type="image/png"))
        chart = render_chart(part.estimate, currency=reply.currency)
        files.append(Attachment(filename=f"chart{suffix}.png", data=chart, content_type="image/png"))
    pdf = render_quote_pdf(reply, env=env, today=today, customer=customer)
    files.append(Attachment(filename="quote.pdf", data=pdf, content_type="application/pdf"))
    return tuple(files)
