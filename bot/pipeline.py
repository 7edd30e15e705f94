"""The one orchestration function: receive -> store -> parse -> intake -> estimate -> render -> commit.

Channels translate their wire format to an InboundMessage, call ``handle``, then ``deliver`` the pending
replies. Everything here is synchronous and takes its IO (store, clock) from ``Deps``.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib.resources import files
from typing import Protocol

from jinja2 import Environment

from bot.artefacts import build_artefacts
from bot.conversation import Step, ThreadState, advance, replaced_drawings
from bot.intake import build_part_spec, part_name
from bot.intents import read_intent
from bot.models import Attachment, InboundMessage, RenderedReply, ThreadKey
from bot.render import render_blocks, render_html, render_subject, render_text
from bot.reply import (
    PartQuote,
    Reply,
    RevisionChange,
    UnreadableFile,
    build_memo,
    describe_changes,
    pick_rows,
    schedule_notes,
    summarize_drawing,
)
from bot.revisions import diff_drawings
from bot.store import ThreadStore
from estimator import EstimateError, PartSpec, RateCard, estimate, explain, render_explanation_text
from parsers import ParsedDrawing, ParseError, UnsupportedFileType, parse_drawings

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
# "prototype first": the prototype batch priced next to the production quantity (shop assumption)
PROTOTYPE_QUANTITY = 5


class ReplySender(Protocol):
    def send(self, reply: RenderedReply) -> None: ...


@dataclass(frozen=True)
class Deps:
    store: ThreadStore
    card: RateCard
    env: Environment
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    parse: Callable[[bytes, str], tuple[ParsedDrawing, ...]] = parse_drawings
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    ask_material: bool = True
    # When only the quantity is missing, price the standard breaks anyway (the CLI's quote command).
    price_without_quantity: bool = False
    # attach preview.png, chart.png and quote.pdf to quote replies
    visuals: bool = False


def handle(inbound: InboundMessage, deps: Deps) -> RenderedReply | None:
    """Store an inbound message, then answer it. Returns None for a redelivered message."""
    if not deps.store.record_inbound(inbound):
        logger.info("duplicate %s thread=%s ignored", inbound.dedupe_key, inbound.thread)
        return None
    return process(inbound, deps)


def process(inbound: InboundMessage, deps: Deps) -> RenderedReply:
    """Answer a stored inbound message and commit the turn (state + pending reply) in one transaction."""
    started = time.perf_counter()
    state = deps.store.load_state(inbound.thread)
    drawings, unreadable = read_attachments(inbound.attachments, deps)
    intent = read_intent(inbound.text, deps.card, today=deps.now().date())
    if not intent.quantities and not state.quantities:
        printed = next((d.quantity for d in drawings if d.quantity), None)
        if printed:
            intent = replace(intent, quantities=(printed,))
    before = state
    state, step = advance(state, new_drawings=drawings, unreadable=len(unreadable), intent=intent)
    revisions = tuple(
        RevisionChange(part=part_name(new), previous=old.revision, lines=diff_drawings(old, new))
        for old, new in replaced_drawings(before.current_drawings(), state.drawings[len(before.drawings):])
    )
    reply, state = compose_reply(state, step, unreadable=unreadable, deps=deps, revisions=revisions)
    rendered = render_reply(reply, inbound=inbound, env=deps.env)
    if deps.visuals and reply.parts:
        files = build_artefacts(reply, state.current_drawings(), load=deps.store.load_blob, env=deps.env,
                                today=deps.now().date(), customer=inbound.sender or None)
        rendered = rendered.model_copy(update={"files": files})
    deps.store.commit_turn(state, rendered)
    logger.info(
        "handled %s thread=%s files=%s outcome=%s issues=%s in %.1fs",
        inbound.thread.channel,
        inbound.thread,
        [d.format.value for d in drawings] + [u.code for u in unreadable],
        rendered.outcome,
        sorted({i.code.value for d in drawings for i in d.issues}),
        time.perf_counter() - started,
    )
    return rendered


def deliver(store: ThreadStore, sender: ReplySender, *, thread: ThreadKey | None = None) -> int:
    """Send every pending reply (of one thread, or all), oldest first; returns how many were sent."""
    sent = 0
    for reply in store.pending_outbound(thread):
        sender.send(reply)
        store.mark_sent(reply)
        sent += 1
    return sent


def recover(deps: Deps, *, thread: ThreadKey | None = None) -> list[RenderedReply]:
    """Answer messages that were stored but not answered before a crash or restart."""
    return [process(message, deps) for message in deps.store.pending_inbound(thread)]


def read_attachments(
    files: tuple[Attachment, ...], deps: Deps
) -> tuple[tuple[ParsedDrawing, ...], tuple[UnreadableFile, ...]]:
    """Parse every attachment; a file that cannot be read becomes an UnreadableFile, never an exception."""
    drawings: list[ParsedDrawing] = []
    unreadable: list[UnreadableFile] = []
    for a in files:
        if a.fetch_error:
            unreadable.append(UnreadableFile(filename=a.filename, code=a.fetch_error))
            continue
        if len(a.data) > deps.max_attachment_bytes:
            unreadable.append(UnreadableFile(filename=a.filename, code="too-large"))
            continue
        fingerprint = parser_fingerprint()
        cached = deps.store.load_parsed(a.sha256, parser=fingerprint)
        if cached is not None:
            drawings += [d.model_copy(update={"file": a.filename, "sha256": a.sha256}) for d in cached]
            continue
        try:
            parts = tuple(d.model_copy(update={"sha256": a.sha256}) for d in deps.parse(a.data, a.filename))
            deps.store.save_parsed(a.sha256, parser=fingerprint, drawings=parts)
            drawings += parts
        except UnsupportedFileType as exc:
            unreadable.append(UnreadableFile(filename=a.filename, code=exc.code, detected=exc.detected))
        except ParseError as exc:
            logger.info("could not read %s: %s", a.filename, exc)
            unreadable.append(UnreadableFile(filename=a.filename, code=exc.code))
    return tuple(drawings), tuple(unreadable)


@functools.cache
def parser_fingerprint() -> str:
    """Identifies the parser code and libraries, so a cached parse is reused only by the same parser.

    The libraries' versions come from their installed metadata: importing them here would cost the bot
    half a second at start-up, and only the parse workers need them.
    """
    from importlib.metadata import version

    digest = hashlib.sha256(f"{version('ezdxf')} {version('pymupdf')}".encode())
    for source in sorted(files("parsers").iterdir(), key=lambda t: t.name):
        if source.name.endswith(".py"):
            digest.update(source.read_bytes())
    return digest.hexdigest()[:32]


def compose_reply(
    state: ThreadState,
    step: Step,
    *,
    unreadable: tuple[UnreadableFile, ...],
    deps: Deps,
    revisions: tuple[RevisionChange, ...] = (),
) -> tuple[Reply, ThreadState]:
    """Decide what the reply says; for estimates, price the thread's current drawings.

    ``revisions`` lists the drawings this message replaced by a new revision, with what changed.
    """
    current = state.current_drawings()
    summaries = tuple(summarize_drawing(d, name=part_name(d)) for d in current)
    base = Reply(step=step, currency=deps.card.currency, unreadable=unreadable,
                 default_material=deps.card.default_material)
    if step in (Step.ASK_FOR_DRAWING, Step.HELP, Step.ACKNOWLEDGE, Step.CANCELLED) or (
        step is Step.UNREADABLE and not current
    ):
        extra = {"quantities": ", ".join(f"{q:,}" for q in state.quantities)} if state.quantities else {}
        return replace(base, extra=extra), state
    if step is Step.UNREADABLE:
        return replace(base, drawings=summaries), state

    specs: list[PartSpec] = []
    needs: list[str] = []
    answers = state.answers
    if state.phased and not any(q <= PROTOTYPE_QUANTITY for q in answers.quantities) and answers.quantities:
        answers = replace(answers, quantities=answers.quantities + (PROTOTYPE_QUANTITY,))
    ask_material = deps.ask_material and "material" not in state.asked
    for drawing in current:
        intake = build_part_spec(drawing, answers, deps.card, ask_material=ask_material)
        needs += [n for n in intake.needs if n not in needs]
        if intake.spec is not None:
            specs.append(intake.spec)
    if needs and not (deps.price_without_quantity and needs == ["quantity"] and specs):
        asked = state.asked + tuple(n for n in needs if n not in state.asked)
        return replace(base, drawings=summaries, needs=tuple(needs)), state.model_copy(update={"asked": asked})
    base = replace(base, needs=tuple(needs), revisions=revisions)
    try:
        result = estimate(specs, deps.card)
    except EstimateError as exc:
        logger.info("could not estimate thread=%s: %s", state.key, exc)
        return replace(base, step=Step.HELP, drawings=summaries), state

    parts = tuple(PartQuote(estimate=p, headline=(rows := pick_rows(p.breaks))[0], rows=rows[1])
                  for p in result.parts)
    breakdown = step is Step.BREAKDOWN and state.last_quote is not None
    number = state.quote_number or deps.store.next_quote_number(state.key, now=deps.now())
    revision = state.quote_revision if breakdown else state.quote_revision + 1
    memo = build_memo(f"{number} rev {revision}", parts, drawings=tuple(s.name for s in summaries))
    reply = replace(
        base, drawings=summaries, parts=parts, quote_number=number, quote_revision=revision,
        changes=() if breakdown else describe_changes(state.last_quote, memo),
        notes=schedule_notes(state, parts, today=deps.now().date()), breakdown=breakdown,
        explanations=tuple(
            render_explanation_text(explain(p.estimate, p.headline.quantity), currency=deps.card.currency)
            for p in parts
        ) if breakdown else (),
    )
    return reply, state.model_copy(update={"last_quote": memo, "quote_number": number, "quote_revision": revision})


def render_reply(reply: Reply, *, inbound: InboundMessage, env: Environment) -> RenderedReply:
    return RenderedReply(
        thread=inbound.thread,
        in_reply_to=inbound.dedupe_key,
        outcome=Step.ASK_MISSING.value if reply.template == "needs_info" else reply.step.value,
        subject=render_subject(reply),
        text=render_text(env, reply),
        html=render_html(env, reply),
        blocks=render_blocks(env, reply),
    )
