"""What a reply says, as data: built from the thread's drawings, needs and estimate; rendered by templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from bot.conversation import QuoteMemo, Step, ThreadState
from bot.dates import working_days_between
from bot.intake import is_not_a_drawing, is_unreliable_scan
from estimator import PartEstimate, PriceBreak, Route
from parsers import Dimension, ParsedDrawing

# Issue codes the user should hear about, in plain words (details come from the parser).
_USER_ISSUES = {
    "units-assumed", "units-inferred", "no-dimensions", "no-text-layer", "text-override-mismatch",
    "unknown-fit", "no-thickness", "low-confidence", "pages-skipped",
}


@dataclass(frozen=True)
class DrawingSummary:
    name: str
    file: str
    size: str | None
    material: str | None
    dimension_count: int
    tightest: str | None
    general_tolerance: str | None
    notes: tuple[str, ...]
    scanned: bool = False
    not_a_drawing: bool = False


@dataclass(frozen=True)
class UnreadableFile:
    """A file not read, and why: ``code`` (e.g. "encrypted-pdf", "archive-too-large"); for a refusal by a limit,
    ``limit`` is that limit (bytes, files, entities or levels, by code) and ``size_bytes`` the file's size when
    it is known."""

    filename: str
    code: str
    detected: str | None = None
    limit: int | None = None
    size_bytes: int | None = None


@dataclass(frozen=True)
class PartQuote:
    estimate: PartEstimate
    headline: PriceBreak
    rows: tuple[PriceBreak, ...]


@dataclass(frozen=True)
class RevisionChange:
    part: str
    previous: str | None
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Reply:
    step: Step
    currency: str = "USD"
    drawings: tuple[DrawingSummary, ...] = ()
    unreadable: tuple[UnreadableFile, ...] = ()
    needs: tuple[str, ...] = ()
    default_material: str = ""
    parts: tuple[PartQuote, ...] = ()
    quote_number: str | None = None
    quote_revision: int = 0
    revisions: tuple[RevisionChange, ...] = ()
    notes: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    breakdown: bool = False
    # with a breakdown: every number of the headline quote with its formula and inputs, and every rule
    explanations: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def template(self) -> str:
        if self.parts:
            return "estimate"
        if self.needs:
            return "needs_info"
        if self.step is Step.UNREADABLE:
            return "unreadable_file"
        return "message"


def format_number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def describe_tolerance(d: Dimension) -> str:
    """The printed tolerance in words: "±0.02", "+0.1/0", or "H7 (+0.015/0)" for a fit."""
    if d.upper is None or d.lower is None:
        return d.fit or ""
    if abs(d.upper + d.lower) < 1e-9:
        limits = f"±{format_number(d.upper)}"
    else:
        upper = "0" if d.upper == 0 else f"+{format_number(d.upper)}" if d.upper > 0 else f"-{format_number(-d.upper)}"
        lower = "0" if d.lower == 0 else f"+{format_number(d.lower)}" if d.lower > 0 else f"-{format_number(-d.lower)}"
        limits = f"{upper}/{lower}"
    return f"{d.fit} ({limits})" if d.fit else limits


def summarize_drawing(drawing: ParsedDrawing, *, name: str) -> DrawingSummary:
    units = {"in": "in", "mm": "mm", None: "mm"}[drawing.units]
    env = drawing.envelope
    size = None
    if env is not None:
        parts = [env.x, env.y] + ([env.z] if env.z else [])
        size = " × ".join(format_number(v) for v in parts) + f" {units}"
    toleranced = [d for d in drawing.dimensions if d.tolerance_band_mm is not None]
    tightest = None
    if toleranced:
        best = min(toleranced, key=lambda d: d.tolerance_band_mm or 0.0)
        where = ("Ø" if best.kind.value == "diameter" else "") + format_number(best.nominal)
        limits = describe_tolerance(best.model_copy(update={"fit": None}))
        tightest = f"{best.fit} on {where} ({limits} {units})" if best.fit else f"{limits} {units} on {where}"
    notes = tuple(i.detail for i in drawing.issues if i.code.value in _USER_ISSUES)
    return DrawingSummary(
        name=name,
        file=drawing.file,
        size=size,
        material=drawing.material,
        dimension_count=len(drawing.dimensions),
        tightest=tightest,
        general_tolerance=drawing.general_tolerance,
        notes=notes,
        scanned=is_unreliable_scan(drawing),
        not_a_drawing=is_not_a_drawing(drawing),
    )


def pick_rows(breaks: tuple[PriceBreak, ...], *, limit: int = 7) -> tuple[PriceBreak, tuple[PriceBreak, ...]]:
    """The headline break (the first quantity asked) and the rows around the asked quantities."""
    asked = [b for b in breaks if b.requested]
    if not asked:
        return breaks[0], tuple(sorted(breaks, key=lambda b: b.quantity))
    headline = asked[0]
    keep = {b.quantity for b in asked}
    ordered = sorted(breaks, key=lambda b: b.quantity)
    for b in asked:
        i = ordered.index(b)
        for j in (i - 1, i + 1):
            if 0 <= j < len(ordered):
                keep.add(ordered[j].quantity)
    rows = [b for b in ordered if b.quantity in keep]
    if len(rows) > limit:
        rows = [b for b in rows if b.requested] or rows[:limit]
    return headline, tuple(rows)


def build_memo(number: str, parts: tuple[PartQuote, ...], *, drawings: tuple[str, ...]) -> QuoteMemo:
    """What the next re-quote compares against: the first part's headline and its cost lines per part."""
    first = parts[0].headline
    lines = tuple(
        (line.label, str((line.amount / first.quantity).quantize(Decimal("0.01"))))
        for line in first.routes[first.route].lines
    )
    return QuoteMemo(
        number=number,
        quantity=first.quantity,
        unit_price=str(first.unit_price),
        total=str(first.total),
        lead_time_days=first.lead_time_days,
        material=parts[0].estimate.material_name,
        drawings=drawings,
        warnings=tuple(f"{w.code}\t{w.message}" for p in parts for w in p.estimate.warnings),
        lines=lines,
    )


def describe_changes(previous: QuoteMemo | None, current: QuoteMemo) -> tuple[str, ...]:
    """One line per change since the last quote in the thread: inputs, the money and why, warnings."""
    if previous is None:
        return ()
    lines = []
    if previous.material != current.material:
        lines.append(f"material {previous.material} → {current.material}")
    if previous.drawings != current.drawings:
        lines.append(f"drawing {', '.join(previous.drawings)} → {', '.join(current.drawings)}")
    if previous.quantity != current.quantity:
        lines.append(f"quantity {previous.quantity:,} → {current.quantity:,}")
    old, new = Decimal(previous.unit_price), Decimal(current.unit_price)
    if old != new:
        pct = (new - old) / old * 100 if old else Decimal(0)
        why = _price_reasons(previous, current)
        lines.append(f"unit price {old:,.2f} → {new:,.2f} ({pct:+.0f}%)" + (f": {why}" if why else ""))
    if previous.lead_time_days != current.lead_time_days:
        lines.append(f"lead time {previous.lead_time_days} → {current.lead_time_days} working days")
    # warnings are compared by rule, so a changed saving is not reported as a new warning
    before = {w.split("\t")[0]: w.split("\t")[-1] for w in previous.warnings}
    after = {w.split("\t")[0]: w.split("\t")[-1] for w in current.warnings}
    lines += [f"new warning: {msg}" for code, msg in after.items() if code not in before]
    lines += [f"no longer applies: {msg}" for code, msg in before.items() if code not in after]
    return tuple(lines)


def _price_reasons(previous: QuoteMemo, current: QuoteMemo, *, top: int = 3) -> str:
    """The cost lines per part that moved most, e.g. "machining +10.60, material +2.20"."""
    before, after = dict(previous.lines), dict(current.lines)
    deltas = [
        (label, Decimal(after.get(label, "0")) - Decimal(before.get(label, "0")))
        for label in dict.fromkeys([*before, *after])
    ]
    moved = sorted((d for d in deltas if abs(d[1]) >= Decimal("0.01")), key=lambda d: -abs(d[1]))[:top]
    return ", ".join(f"{label} {delta:+,.2f}/pc" for label, delta in moved)


def schedule_notes(state: ThreadState, parts: tuple[PartQuote, ...], *, today: date) -> tuple[str, ...]:
    """Lines about the customer's date, annual volume and a prototype-first plan."""
    notes: list[str] = []
    headline = parts[0].headline
    if state.need_by:
        available = working_days_between(today, state.need_by)
        when = f"{state.need_by:%b} {state.need_by.day}"
        if headline.lead_time_days <= available:
            notes.append(f"Needed by {when}: fits ({available} working days; we quote {headline.lead_time_days}).")
        else:
            quote = headline.routes[headline.route]
            rush = quote.expedite_lead_time_days
            if rush is not None and rush <= available and quote.expedite_unit_price is not None:
                notes.append(
                    f"Needed by {when}: {available} working days, shorter than our {headline.lead_time_days}. "
                    f"Expedited: {rush} working days at {quote.expedite_unit_price:,.2f} each."
                )
            else:
                notes.append(
                    f"Needed by {when}: {available} working days, shorter than our {headline.lead_time_days} "
                    "even expedited. A partial first delivery may help; tell me if that works."
                )
    if state.annual:
        notes.append(f"Annual volume {state.annual:,}: priced per batch of {headline.quantity:,}; "
                     "a blanket order would fix the price for the year.")
    if state.phased:
        proto = next((b for b in parts[0].estimate.breaks if b.requested and b.quantity <= 10), None)
        if proto is not None:
            p = proto.routes[Route.PROTOTYPE]
            notes.append(
                f"Prototype first: {proto.quantity} pcs on the prototype route at {p.unit_price:,.2f} each "
                f"({p.lead_time_days} working days), then {headline.quantity:,} on the {headline.route.value} route."
            )
    return tuple(notes)
