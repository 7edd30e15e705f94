"""The formal quote as a PDF: templates/quote/quote.html through jinja2, laid out by PyMuPDF's Story."""

from __future__ import annotations

import io
from datetime import date, timedelta

from jinja2 import Environment

from bot.reply import Reply
from estimator import PartEstimate

VALIDITY_DAYS = 30
_CSS = "body {font-family: sans-serif; font-size: 10pt;} h1 {font-size: 16pt;} h2 {font-size: 13pt;} " \
       "h3 {font-size: 11pt;} th {background-color: #dddddd;}"


def _finish(part: PartEstimate) -> str:
    found = next((a for a in part.assumptions if a.startswith("finish")), "")
    return found.split(":", 1)[-1].strip() or "as machined"


def render_quote_pdf(reply: Reply, *, env: Environment, today: date, customer: str | None = None) -> bytes:
    """One or two A4 pages (more only for many parts)."""
    import pymupdf

    html = env.get_template("quote/quote.html").render(
        reply=reply, number=reply.quote_number or "draft", revision=reply.quote_revision, date=today.isoformat(),
        valid_until=(today + timedelta(days=VALIDITY_DAYS)).isoformat(), validity_days=VALIDITY_DAYS,
        customer=customer, finish=_finish,
    )
    story = pymupdf.Story(html=html, user_css=_CSS)
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    page = pymupdf.paper_rect("a4")
    area = page + (40, 40, -40, -40)
    more = True
    while more:
        device = writer.begin_page(page)
        more, _ = story.place(area)
        story.draw(device)
        writer.end_page()
    writer.close()
    return buf.getvalue()
