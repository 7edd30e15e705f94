"""Thread state and the pure decision of what to do with the next message."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.intake import Answers
from bot.intents import Intent
from bot.models import ThreadKey
from parsers import ParsedDrawing


class Step(StrEnum):
    ASK_FOR_DRAWING = "ask-for-drawing"
    ASK_MISSING = "ask-missing"
    ESTIMATE = "estimate"
    REESTIMATE = "re-estimate"
    BREAKDOWN = "breakdown"
    UNREADABLE = "unreadable"
    CANCELLED = "cancelled"
    ACKNOWLEDGE = "acknowledge"
    HELP = "help"


class QuoteMemo(BaseModel):
    """The headline of the last quote in the thread, to explain what changed in the next one."""

    model_config = ConfigDict(frozen=True)

    number: str
    quantity: int
    unit_price: str
    total: str
    lead_time_days: int
    material: str
    drawings: tuple[str, ...]
    warnings: tuple[str, ...] = ()  # "code<TAB>message" of each warning
    # per-part cost of each breakdown line at the headline quantity, to explain why a price moved
    lines: tuple[tuple[str, str], ...] = ()


class ThreadState(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: ThreadKey
    drawings: tuple[ParsedDrawing, ...] = ()
    quantities: tuple[int, ...] = ()
    material: str | None = None
    finish: str | None = None
    thickness_mm: float | None = None
    need_by: date | None = None
    annual: int | None = None
    phased: bool = False
    asked: tuple[str, ...] = ()
    cancelled: bool = False
    quote_number: str | None = None
    quote_revision: int = 0
    last_quote: QuoteMemo | None = None

    @property
    def answers(self) -> Answers:
        return Answers(
            quantities=self.quantities,
            material=self.material,
            finish=self.finish,
            thickness_mm=self.thickness_mm,
        )

    def current_drawings(self) -> tuple[ParsedDrawing, ...]:
        """The latest revision of each part: a drawing replaces an earlier one with the same part number."""
        latest: dict[str, ParsedDrawing] = {}
        for d in self.drawings:
            latest[d.part_number or d.file] = d
        return tuple(latest.values())


def advance(
    state: ThreadState, *, new_drawings: tuple[ParsedDrawing, ...], unreadable: int, intent: Intent
) -> tuple[ThreadState, Step]:
    """Fold one message into the thread state and decide the next step.

    Args:
        state: the thread so far.
        new_drawings: drawings read from this message's attachments.
        unreadable: how many of this message's attachments could not be read.
        intent: what the message's text asks for.

    Returns:
        The new state and the step the pipeline takes (it then checks the needs of the drawings).
    """
    if intent.cancel:
        return state.model_copy(update={"cancelled": True}), Step.CANCELLED
    update: dict[str, object] = {"cancelled": False}
    if new_drawings:
        update["drawings"] = state.drawings + tuple(_as_revision(d, state, intent.revision) for d in new_drawings)
    for name in ("need_by", "annual"):
        if getattr(intent, name):
            update[name] = getattr(intent, name)
    if intent.phased:
        update["phased"] = True
    if intent.quantities:
        update["quantities"] = intent.quantities
    if intent.material:
        update["material"] = intent.material
    if intent.finish:
        update["finish"] = intent.finish
    if intent.thickness_mm:
        update["thickness_mm"] = intent.thickness_mm
    new = state.model_copy(update=update)
    if not new.drawings:
        if unreadable:
            return new, Step.UNREADABLE
        return new, Step.HELP if intent.help else Step.ASK_FOR_DRAWING
    if intent.breakdown and not new_drawings and not intent.changes_quote and new.last_quote:
        return new, Step.BREAKDOWN
    if new_drawings or intent.changes_quote:
        return new, Step.REESTIMATE if new.last_quote else Step.ESTIMATE
    if unreadable:
        return new, Step.UNREADABLE
    if intent.noop:
        return new, Step.ACKNOWLEDGE
    if intent.help or new.last_quote:
        return new, Step.HELP
    return new, Step.ESTIMATE


def _as_revision(drawing: ParsedDrawing, state: ThreadState, revision: str | None) -> ParsedDrawing:
    """A drawing the message calls "rev C" is a new revision of the thread's only part when it names none."""
    if revision is None:
        return drawing
    update: dict[str, object] = {}
    if not drawing.revision:
        update["revision"] = revision
    parts = state.current_drawings()
    if not drawing.part_number and len(parts) == 1 and parts[0].part_number:
        update["part_number"] = parts[0].part_number
    return drawing.model_copy(update=update) if update else drawing


def replaced_drawings(
    before: tuple[ParsedDrawing, ...], new: tuple[ParsedDrawing, ...]
) -> tuple[tuple[ParsedDrawing, ParsedDrawing], ...]:
    """(old, new) pairs where a new drawing is another revision of a part the thread already had."""
    by_key = {d.part_number or d.file: d for d in before}
    return tuple((by_key[k], d) for d in new if (k := d.part_number or d.file) in by_key)
