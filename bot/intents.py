"""Plain-text follow-ups ("make it 2,000", "what about 304 stainless?") read into a structured Intent.

Pure and offline: regular expressions over the message, the rate card's material aliases for materials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.dates import read_date
from estimator import RateCard, find_material

_NUM = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
_QTY_NUMBER = rf"(?P<n>{_NUM})\s*(?P<k>[kK]\b|[kK](?=\s|$)|thousand\b)?"
_PCS = r"(?:pcs|pc|pieces?|parts?|units?|off|ea|each|x\b|qty|nos?)"
_BEFORE = (
    r"(?:qty|quantity|quantities|make it|need|needs|want|order|of|for|volume|run of|batch(?:es)? of"
    r"|about|around|~|quote|price)"
)
_UNIT_AFTER = re.compile(r"\s*(?:mm\b|cm\b|in\b|inch|\"|days?\b|weeks?\b|%|°|hours?\b|\$)", re.I)
_MATERIAL_AFTER = re.compile(
    r"\s*(?:stainless|steel|ss\b|alu|aluminium|aluminum|al\b|brass|bronze|copper|titanium|ti\b|grade|series|-?t\d)",
    re.I,
)
_DATE_BEFORE = re.compile(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*$|(?:rev|in|within|by)\s*$|[$€£]\s*$",
    re.I,
)
_BREAKDOWN = re.compile(r"\b(why|breakdown|break down|explain|how come|expensive|details?)\b", re.I)
_CANCEL = re.compile(r"^\s*(cancel|stop|never ?mind|forget it)\b", re.I)
_NOOP = re.compile(r"^\s*(thanks?|thank you|thx|ty|ok(?:ay)?|great|cool|perfect|got it|👍)[\s.!]*$", re.I)
_HELP = re.compile(r"^\s*(help|\?|what can you do)\s*\??\s*$", re.I)
_THICKNESS = re.compile(
    rf"(?:thk|thickness|thick)\s*[:=]?\s*(?P<a>{_NUM})\s*(?P<ua>mm|in|\")?|(?P<b>{_NUM})\s*(?P<ub>mm|in|\")\s*(?:thk|thick|plate)",
    re.I,
)
_REVISION = re.compile(r"\brev(?:ision)?\.?\s*(?P<rev>[A-Z]{1,2}|\d{1,2})\b", re.I)
_ANNUAL = re.compile(rf"(?:annual(?:ly)?|per year|a year|/\s*yr|yearly)\D{{0,12}}?(?P<n>{_NUM})\s*(?P<k>k\b)?|"
                     rf"(?P<n2>{_NUM})\s*(?P<k2>k\b)?\s*(?:pcs\s*)?(?:per year|a year|/\s*yr|annually)", re.I)
_BATCH = re.compile(rf"batch(?:es)?\s+of\s+(?P<n>{_NUM})\s*(?P<k>k\b)?", re.I)
_PHASED = re.compile(r"prototype[s]?\s+first|proto(?:type)?s?\s+(?:then|and then|before)\s+production", re.I)
_FINISHES = (
    "black anodize", "clear anodize", "hard anodize", "anodize", "anodise", "passivate", "zinc plate",
    "powder coat", "bead blast", "as machined",
)


@dataclass(frozen=True)
class Intent:
    """What one message asks for. Empty fields mean the message did not say."""

    quantities: tuple[int, ...] = ()
    material: str | None = None
    material_text: str | None = None
    finish: str | None = None
    thickness_mm: float | None = None
    breakdown: bool = False
    cancel: bool = False
    noop: bool = False
    help: bool = False
    revision: str | None = None
    need_by: date | None = None
    annual: int | None = None
    phased: bool = False

    @property
    def changes_quote(self) -> bool:
        return bool(self.quantities or self.material or self.finish or self.thickness_mm or self.need_by
                    or self.phased)


def _to_int(number: str, thousands: str | None) -> int | None:
    value = float(number.replace(",", ""))
    if thousands:
        value *= 1000
    if value < 1 or value != int(value) or value > 10_000_000:
        return None
    return int(value)


def read_quantities(text: str) -> tuple[int, ...]:
    """Quantities a message asks for, in order, without duplicates.

    A number counts when the message is only numbers ("500", "10 and 100", "1, 10, 100"), when a
    quantity word stands before it ("qty 1k", "make it 2,000"), or a piece word after it ("500 pcs").
    Numbers with units, dates and alloy grades ("304 stainless") do not count.
    """
    bare = re.fullmatch(rf"\s*(?:(?:{_NUM})\s*[kK]?\s*(?:,|and|&|/|or|\s)*\s*)+(?:{_PCS})?\s*[.?!]?\s*", text)
    found: list[int] = []
    for m in re.finditer(_QTY_NUMBER, text):
        start, end = m.span()
        if text[end:end + 1] in ("-", ".") and text[end + 1:end + 2].isalnum():
            continue  # 6061-T6, version numbers
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-/."):
            continue  # M6, 1/4-20, part numbers
        if _UNIT_AFTER.match(text, end) or _MATERIAL_AFTER.match(text, end) or _DATE_BEFORE.search(text[:start]):
            continue
        before = text[max(0, start - 20):start].lower()
        after = text[end:end + 12].lower()
        if bare or re.search(rf"{_BEFORE}\s*[:=]?\s*$", before) or re.match(rf"\s*{_PCS}", after):
            value = _to_int(m.group("n"), m.group("k"))
            if value is not None and value not in found:
                found.append(value)
    return tuple(found)


def _read_thickness_mm(text: str) -> float | None:
    m = _THICKNESS.search(text)
    if not m:
        return None
    value = float((m.group("a") or m.group("b")).replace(",", ""))
    unit = (m.group("ua") or m.group("ub") or "mm").lower()
    return value * 25.4 if unit in ("in", '"') else value


def _read_annual(text: str) -> int | None:
    m = _ANNUAL.search(text)
    if not m:
        return None
    number, k = (m.group("n"), m.group("k")) if m.group("n") else (m.group("n2"), m.group("k2"))
    return _to_int(number, k)


def read_intent(text: str, card: RateCard, *, today: date | None = None) -> Intent:
    """Read what a user's message asks for.

    Args:
        text: the new text of the message (quoted replies already removed).
        card: the rate card, for material names.
        today: for relative dates ("in 5 days"); None skips dates.

    Returns:
        An Intent; an empty Intent when nothing was understood.
    """
    lowered = text.lower()
    finish = next((f for f in _FINISHES if f in lowered), None)
    material = find_material(card, text)
    quantities = read_quantities(text)
    annual = _read_annual(text)
    batch = _BATCH.search(text)
    if batch:
        quantities = (_to_int(batch.group("n"), batch.group("k")) or 1,)
    elif annual and quantities == (annual,):
        quantities = ()
    if material:
        # "what about 304?": the number is the alloy, not a quantity
        names = {a.lower() for a in card.materials[material].aliases} | {material.lower()}
        quantities = tuple(q for q in quantities if str(q) not in names and not any(str(q) in n for n in names))
    revision = _REVISION.search(text)
    return Intent(
        quantities=quantities,
        annual=annual,
        revision=revision.group("rev").upper() if revision else None,
        need_by=read_date(text, today=today) if today else None,
        phased=bool(_PHASED.search(text)),
        material=material,
        material_text=text.strip() if material else None,
        finish=None if finish == "as machined" else (finish.replace("anodise", "anodize") if finish else None),
        thickness_mm=_read_thickness_mm(text),
        breakdown=bool(_BREAKDOWN.search(text)),
        cancel=bool(_CANCEL.match(text)),
        noop=bool(_NOOP.match(text)),
        help=bool(_HELP.match(text)),
    )
