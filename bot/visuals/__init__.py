"""Pictures of a quote: the annotated drawing preview, the price-quantity chart and the quote PDF.

Each takes models (and the drawing's bytes) and returns file bytes; matplotlib is imported inside the
functions, so nothing here slows down ``quotebot extract`` or ``--help``.
"""

from __future__ import annotations

from bot.visuals.chart import render_chart
from bot.visuals.preview import Preview, render_preview
from bot.visuals.quote_pdf import render_quote_pdf

__all__ = ["Preview", "render_chart", "render_preview", "render_quote_pdf"]
