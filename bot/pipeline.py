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

from bot.archives import expand_archives
from bot.artefacts import build_artefacts
from bot.conversation import Step, ThreadState, advance, replaced_drawings
from bot.intake import build_part_spec, part_name
from bot.intents import read_intent
from bot.limits import Limits
from bot.logs import correlated
from bot.models import Attachment, Channel, InboundMessage, RenderedReply, ThreadKey
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

# "prototype first": the prototype batch priced next to the production quantity (shop assumption)
PROTOTYPE_QUANTITY = 5


class ReplySender(Protocol):
    """Sends a reply into its thread. A sender that can tell whether a reply already arrived (email: its copy in
    our mailbox) also has ``was_sent(reply) -> bool``, asked only for a reply whose earlier send was interrupted."""

    def send(self, reply: RenderedReply) -> None: ...


class JobQueue(Protocol):
    """Where a channel listener hands a thread to the workers (bot/queue.py); absent in the embedded default."""

    def enqueue(self, thread: ThreadKey) -> None: ...


@dataclass(frozen=True)
class Deps:
    store: ThreadStore
    card: RateCard
    env: Environment
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # reads one file; None: ``parsers.parse_drawings`` in this process, with ``limits.parse``
    parse: Callable[[bytes, str], tuple[ParsedDrawing, ...]] | None = None
    limits: Limits = field(default_factory=Limits)
    ask_material: bool = True
    # When only the quantity is missing, price the standard breaks anyway (the CLI's quote command).
    price_without_quantity: bool = False
    # attach preview.png, chart.png and quote.pdf to quote replies
    visuals: bool = False
    # queue mode: channels store and enqueue, `quotebot worker` answers (None: answer in this process)
    queue: JobQueue | None = None


def submit(inbound: InboundMessage, deps: Deps, sender: ReplySender) -> bool:
    """What a channel does with a message it received: False when it is a redelivery, already stored.

    Embedded, the message is stored, answered and the reply sent here. In queue mode it is only stored and its
    thread queued; a worker answers it (``answer_thread``).
    """
    if deps.queue is None:
        if handle(inbound, deps) is None:
            return False
        deliver(deps.store, sender, thread=inbound.thread)
        return True
    with correlated(inbound.dedupe_key):
        inbound = open_archives(inbound, deps)
        if not deps.store.record_inbound(inbound):
            logger.info("duplicate %s thread=%s ignored", inbound.dedupe_key, inbound.thread)
            return False
        deps.queue.enqueue(inbound.thread)
        logger.info("stored %s thread=%s from=%s files=%d; queued for a worker", inbound.dedupe_key,
                    inbound.thread, inbound.sender, len(inbound.attachments))
    return True


def answer_thread(thread: ThreadKey, deps: Deps, sender: ReplySender) -> int:
    """A worker's job: answer the thread's stored messages in order, then send its pending replies.

    Safe to run twice or in two workers at once: the thread lock orders them, and the second finds nothing
    left to do. Returns how many replies were sent.
    """
    with deps.store.thread_lock(thread):
        recover(deps, thread=thread)
        return deliver(deps.store, sender, thread=thread)


def resume(deps: Deps, sender: ReplySender, *, channel: Channel) -> int:
    """After a (re)start: answer what a previous run of this channel stored but did not answer or send.

    In queue mode the threads are queued again for the workers (a listener may have died between storing a
    message and queueing it). Returns how many threads had work left.
    """
    threads = [t for t in deps.store.pending_threads() if t.channel is channel]
    for thread in threads:
        if deps.queue is not None:
            deps.queue.enqueue(thread)
        else:
            answer_thread(thread, deps, sender)
    return len(threads)


def handle(inbound: InboundMessage, deps: Deps) -> RenderedReply | None:
    """Store an inbound message (its archives unpacked), then answer it. Returns None for a redelivered message."""
    with correlated(inbound.dedupe_key):
        inbound = open_archives(inbound, deps)
        if not deps.store.record_inbound(inbound):
            logger.info("duplicate %s thread=%s ignored", inbound.dedupe_key, inbound.thread)
            return None
        logger.info("stored %s thread=%s from=%s files=%d", inbound.dedupe_key, inbound.thread, inbound.sender,
                    len(inbound.attachments))
        return process(inbound, deps)


def open_archives(inbound: InboundMessage, deps: Deps) -> InboundMessage:
    """The message with each zip attachment replaced by its files (``bot.archives``), as it is stored: the
    files are kept by content, so previews of drawings from a zip can be drawn in later turns."""
    return inbound.model_copy(update={"attachments": expand_archives(inbound.attachments, deps.limits)})


def process(inbound: InboundMessage, deps: Deps) -> RenderedReply:
    """Answer a stored inbound message and commit the turn (state + pending reply) in one transaction."""
    with correlated(inbound.dedupe_key):
        return _process(inbound, deps)


def _process(inbound: InboundMessage, deps: Deps) -> RenderedReply:
    started = time.perf_counter()
    logger.info("answering %s thread=%s", inbound.dedupe_key, inbound.thread)
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
        inbound.dedupe_key,
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
        with correlated(reply.in_reply_to):
            if store.begin_send(reply):  # a crash interrupted an earlier attempt: did that one arrive?
                check: Callable[[RenderedReply], bool] | None = getattr(sender, "was_sent", None)
                if check is not None and check(reply):
                    logger.info("reply to %s thread=%s arrived before a crash; not sent again", reply.in_reply_to,
                                reply.thread)
                    store.mark_sent(reply)
                    continue
            try:
                sender.send(reply)
            except Exception:  # the channel refused or failed: known not delivered, so no longer in doubt
                store.retry_send(reply)
                raise
            store.mark_sent(reply)
            logger.info("sent the reply to %s thread=%s", reply.in_reply_to, reply.thread)
        sent += 1
    return sent


def recover(deps: Deps, *, thread: ThreadKey | None = None) -> list[RenderedReply]:
    """Answer messages that were stored but not answered before a crash or restart."""
    return [process(message, deps) for message in deps.store.pending_inbound(thread)]


def read_attachments(
    files: tuple[Attachment, ...], deps: Deps
) -> tuple[tuple[ParsedDrawing, ...], tuple[UnreadableFile, ...]]:
    """Parse every attachment (archives unpacked); a file that cannot be read becomes an UnreadableFile, never
    an exception. Only the first ``deps.limits.max_attachments`` files are read; the rest are listed."""
    limits = deps.limits
    parse = deps.parse or functools.partial(parse_drawings, limits=limits.parse)
    drawings: list[ParsedDrawing] = []
    unreadable: list[UnreadableFile] = []
    for position, a in enumerate(expand_archives(files, limits)):
        code = "too-many-files" if position >= limits.max_attachments else a.fetch_error
        if code:
            unreadable.append(UnreadableFile(filename=a.filename, code=code, limit=limits.limit_for(code)))
            continue
        if len(a.data) > limits.max_attachment_bytes:
            unreadable.append(UnreadableFile(filename=a.filename, code="too-large", size_bytes=len(a.data),
                                             limit=limits.max_attachment_bytes))
            continue
        fingerprint = parser_fingerprint()
        cached = deps.store.load_parsed(a.sha256, parser=fingerprint)
        if cached is not None:
            drawings += [d.model_copy(update={"file": a.filename, "sha256": a.sha256}) for d in cached]
            continue
        try:
            parts = tuple(d.model_copy(update={"sha256": a.sha256}) for d in parse(a.data, a.filename))
            deps.store.save_parsed(a.sha256, parser=fingerprint, drawings=parts)
            drawings += parts
        except UnsupportedFileType as exc:
            unreadable.append(UnreadableFile(filename=a.filename, code=exc.code, detected=exc.detected))
        except ParseError as exc:
            logger.info("could not read %s: %s", a.filename, exc)
            # a parser's "too-large" is the worker's memory cap, not a size limit: no limit to state
            limit = None if exc.code == "too-large" else limits.limit_for(exc.code)
            unreadable.append(UnreadableFile(filename=a.filename, code=exc.code, limit=limit))
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
        ack_ref=inbound.ack_ref,
    )
