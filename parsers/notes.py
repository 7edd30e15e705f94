"""Title-block and note fields (material, finish, part number, revision, ...) read from sheet texts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from parsers.models import Units
from parsers.tolerances import clean_mtext, parse_general_tolerance
from parsers.units import units_from_text


@dataclass(frozen=True)
class NoteFields:
    """What the notes say; None where they do not say it. ``thickness`` is in drawing units."""

    material: str | None = None
    finish: str | None = None
    part_number: str | None = None
    revision: str | None = None
    general_tolerance: str | None = None
    thickness: float | None = None
    quantity: int | None = None
    units_hint: Units | None = None


_NUM = r"\d+(?:[.,]\d+)?"
# Material names recognised without a label, most specific first.
_MATERIALS = re.compile(
    r"\b("
    r"(?:AL(?:UMINI?UM)?|ALU)?[\s\-]*(?:EN\s*AW[\s\-]*)?(?:6061|6082|7075|2024|5083|5052|6063)(?:[\s\-]*T\d+)?"
    r"|(?:AISI\s*|SS\s*)?(?:303|304L?|316L?|17-4\s*PH|410|416|420|440C)(?:\s*(?:STAINLESS|SS|S/S)(?:\s*STEEL)?)?"
    r"|STEEL\s+(?:1018|1020|1045|4140|4130|4340|12L14|A36)"
    r"|STAINLESS\s+STEEL(?:\s+\d{3}L?)?"
    r"|(?:AISI\s*|SAE\s*)?(?:1018|1020|1045|4140|4130|4340|12L14|A36)(?:\s*STEEL)?"
    r"|(?:S235|S355|C45|42CrMo4|1\.4301|1\.4404|3\.3547|3\.1325)"
    r"|(?:BRASS|MESSING)(?:\s*C?\d{3,5})?|C360|C36000|CuZn\d+\w*"
    r"|BRONZE|COPPER|C110|C101"
    r"|TI[\s\-]*6AL[\s\-]*4V|TITANIUM(?:\s+GRADE\s*\d)?|GR(?:ADE)?\s*5\s+TI"
    r"|DELRIN|ACETAL|POM(?:-[CH])?|PEEK|NYLON(?:\s*6(?:/6|6)?)?|PA\s*6(?:6)?|UHMW(?:-?PE)?|HDPE|PTFE|TEFLON"
    r"|POLYCARBONATE|ACRYLIC|PMMA|ABS|ULTEM|PVC|PETG|PLA"
    r"|ALUMINI?UM|STEEL|MILD\s+STEEL|TOOL\s+STEEL"
    r")\b",
    re.I,
)
_MATERIAL_LABEL = re.compile(r"\b(?:MATERIAL|MATL|MAT'L|WERKSTOFF|MATERIAU)\b\.?\s*[:\-]?\s*(?P<v>[^\n;]{2,60})", re.I)
_FINISHES = re.compile(
    r"\b((?:CLEAR\s+|BLACK\s+|HARD\s+|TYPE\s+I{1,3}\s+)?ANODI[SZ](?:E|ED|ING)(?:\s+(?:BLACK|CLEAR))?"
    r"|HARDCOAT|ZINC\s+PLAT(?:E|ED|ING)|NICKEL\s+PLAT(?:E|ED|ING)|CHROME\s+PLAT(?:E|ED|ING)"
    r"|ELECTROLESS\s+NICKEL|PASSIVAT(?:E|ED|ION)|POWDER\s*COAT(?:ED|ING)?|BLACK\s+OXIDE|BEAD\s+BLAST(?:ED)?"
    r"|ALODINE|CHEM\s+FILM|CHROMATE\s+CONVERSION|PAINT(?:ED)?|GALVANI[SZ]ED)\b",
    re.I,
)
_FINISH_LABEL = re.compile(r"\b(?:FINISH|SURFACE\s+TREATMENT|OBERFL[AÄ]CHE)\s*[:\-]\s*(?P<v>[^\n;]{2,60})", re.I)
_PART_NUMBER = re.compile(
    r"\b(?:PART\s*(?:NO|NUMBER|#)|P/N|PN|DWG\.?\s*(?:NO|NUMBER|#)|DRAWING\s*(?:NO|NUMBER)|ITEM\s*NO)\.?\s*[:#]?\s*"
    r"(?!\d{4}-\d\d-\d\d)(?P<v>[A-Z0-9][A-Z0-9\-_./]{2,30})",
    re.I,
)
_REVISION = re.compile(r"\b(?:REV(?:ISION)?)\.?\s*[:#]?\s*(?P<v>[A-Z]{1,2}|\d{1,2})(?![A-Za-z0-9])", re.I)
_THICKNESS = re.compile(
    rf"\b(?:THK|THICKNESS|THICK|T=)\s*[:=]?\s*(?P<a>{_NUM})\s*(?:MM)?\b"
    rf"|\b(?P<b>{_NUM})\s*(?:MM\s+)?(?:THK|THICK)\b"
    rf"|\b(?P<c>{_NUM})\s*MM\s+(?:PLATE|SHEET)\b",
    re.I,
)
_QUANTITY = re.compile(r"\b(?:QTY|QUANTITY|MENGE|STÜCKZAHL)\.?\s*[:=]?\s*(?P<v>\d{1,6})\b", re.I)
_REVISION_WORDS = frozenset({"ISION", "IEW", "ERSE"})


def _num(text: str) -> float:
    return float(text.replace(",", "."))


_LABEL_ONLY = re.compile(
    r"^(?:MATERIAL|MATL|MAT'L|FINISH|PART\s*(?:NO|NUMBER)|P/N|DWG\.?\s*NO|DRAWING\s*NO|REV(?:ISION)?|QTY|QUANTITY"
    r"|TITLE|SCALE|SHEET|DATE|UNITS|DRAWN(?:\s+BY)?|CHECKED(?:\s+BY)?|APPROVED(?:\s+BY)?|WEIGHT|SIZE|NAME)"
    r"\.?\s*:?$",
    re.I,
)


def is_field_label(text: str) -> bool:
    """True for a title-block label on its own ("MATERIAL", "PART NO", "REV."), e.g. an attribute tag."""
    return _LABEL_ONLY.match(" ".join(text.replace("_", " ").split())) is not None


_LEADING_LABEL = re.compile(
    r"^\s*(?:MATERIAL|MATL|MAT'L|FINISH|PART|P/N|PN|DWG|DRAWING|REV(?:ISION)?|QTY|QUANTITY|SCALE|SHEET)\b", re.I
)


def starts_with_label(text: str) -> bool:
    """True when a value carries its own label ("P/N QB-1234"), so an attribute tag must not be added."""
    return _LEADING_LABEL.match(text) is not None


# A labelled value ends where the next numbered note or another field begins.
_VALUE_END = re.compile(r"\s+\d{1,2}[.)]\s|\s{2,}|;|\s(?:FINISH|MATERIAL|MATL|TOLERANCES?)\b", re.I)


def _cut(value: str) -> str:
    return " ".join(_VALUE_END.split(value)[0].split()).strip(" :,.")


def _join_labels(texts: list[str]) -> list[str]:
    """Pair title-block labels with their values when they are separate texts.

    A cell may hold "MATERIAL" and then "AL 6061-T6"; a row of labels ("MATERIAL", "FINISH") may be
    followed by its row of values in the same order. The joined "LABEL: value" texts are added.
    """
    out = list(texts)
    i = 0
    while i < len(texts):
        run = i
        while run < len(texts) and _LABEL_ONLY.match(texts[run]):
            run += 1
        labels, values = texts[i:run], texts[run : run + (run - i)]
        if labels and len(values) == len(labels) and not any(_LABEL_ONLY.match(v) for v in values):
            out.extend(f"{label.rstrip(' :.')}: {value}" for label, value in zip(labels, values, strict=True))
        i = max(run, i + 1)
    return out


def _material(text: str) -> str | None:
    if m := _MATERIAL_LABEL.search(text):
        value = _cut(m.group("v"))
        if named := _MATERIALS.search(value):
            return " ".join(named.group(0).split())
        return value or None
    for named in _MATERIALS.finditer(text):
        # Unlabelled, a bare number ("304", "4140") is more likely a dimension than an alloy.
        if re.search(r"[A-Za-z]", named.group(0)):
            return " ".join(named.group(0).split())
    return None


def _finish(text: str) -> str | None:
    if m := _FINISHES.search(text):
        return " ".join(m.group(0).lower().split())
    if m := _FINISH_LABEL.search(text):
        value = _cut(m.group("v"))
        return None if value.upper() in {"", "NONE", "-", "N/A"} else value.lower()
    return None


def read_notes(texts: Sequence[str]) -> NoteFields:
    """Read title-block and note fields from a drawing's texts.

    Args:
        texts: every TEXT/MTEXT/ATTRIB string (DXF) or text line (PDF), in reading order.

    Returns:
        The fields found; labelled values win over bare mentions because texts are scanned in order.
    """
    cleaned = _join_labels([clean_mtext(t) for t in texts if t and t.strip()])
    material = next((mat for t in cleaned if _MATERIAL_LABEL.search(t) and (mat := _material(t))), None)
    material = material or next((mat for t in cleaned if (mat := _material(t))), None)
    finish = next((f for t in cleaned if (f := _finish(t))), None)
    part_number = next((m.group("v") for t in cleaned if (m := _PART_NUMBER.search(t))), None)
    revision = next(
        (
            m.group("v").upper()
            for t in cleaned
            if (m := _REVISION.search(t)) and m.group("v").upper() not in _REVISION_WORDS
        ),
        None,
    )
    general = next((g for t in cleaned if (g := parse_general_tolerance(t))), None)
    thickness = None
    for text in cleaned:
        if m := _THICKNESS.search(text):
            thickness = _num(next(g for g in m.groups() if g))
            break
    quantity = next((int(m.group("v")) for t in cleaned if (m := _QUANTITY.search(t))), None)
    units_hint = next((u for t in cleaned if (u := units_from_text(t))), None)
    return NoteFields(
        material=material,
        finish=finish,
        part_number=part_number,
        revision=revision,
        general_tolerance=general,
        thickness=thickness,
        quantity=quantity,
        units_hint=units_hint,
    )
