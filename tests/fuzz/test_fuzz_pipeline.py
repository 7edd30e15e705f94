"""Fuzzing the whole pipeline: any text and any (mutated) attachments get a reply, and never an exception.

``pipeline.handle`` runs with the dependencies ``quotebot serve`` builds (``build_deps``: a real SQL store
on SQLite, each attachment parsed in the isolated worker with its time limit and memory cap). Threads
carry over between examples, so follow-ups meet the state earlier examples left.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.isolation import ParseOutOfMemory, ParseTimedOut
from bot.models import Attachment, Channel, InboundMessage, RenderedReply, ThreadKey
from bot.pipeline import Deps, deliver, handle
from parsers import ParsedDrawing
from tests.fuzz.corpus import ascii_dxf_seeds, seeds
from tests.fuzz.dxf_mutate import mutated_dxf
from tests.fuzz.guard import bounded, fuzz
from tests.fuzz.mutate import mutate_bytes
from tests.fuzz.pdf_mutate import mutated_pdf

TEXTS = (
    "", "500", "make it 2,000", "what about 304 stainless?", "breakdown", "prototype first", "rev C",
    "annual 12k in batches of 1k", "need them by Dec 12", "need them by Feb 30", "0 pcs", "-5 pcs",
    "99999999999999999999 pcs", "1e308 pcs", "qty: ∞", "material: unobtainium", "thickness 0 mm",
    "thickness 1e9 mm", "cancel", "help", "Ø10 H7 ±0.02", "\x00", "x" * 20_000, "500 " * 2000, "🙂" * 100,
)
FILENAMES = ("bracket.dxf", "plate.pdf", "a.dwg", "", ".dxf", "x" * 1000 + ".pdf", "../../etc/passwd", "a\x00.dxf")


@dataclass
class ParseRecorder:
    """Wraps ``Deps.parse``: what the isolated worker raised, to tell a hang or a memory blow-up apart from
    an ordinary unreadable file (both become a polite reply in the pipeline)."""

    parse: object
    raised: list[BaseException] = field(default_factory=list)

    def __call__(self, data: bytes, filename: str) -> tuple[ParsedDrawing, ...]:
        try:
            return self.parse(data, filename)  # type: ignore[operator, no-any-return]
        except BaseException as exc:
            self.raised.append(exc)
            raise


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[RenderedReply] = []

    def send(self, reply: RenderedReply) -> None:
        self.sent.append(reply)


@pytest.fixture(scope="module")
def deps(served_deps: Deps) -> Deps:
    return replace(served_deps, parse=ParseRecorder(served_deps.parse), now=lambda: datetime(2026, 11, 27, tzinfo=UTC))


_keys = itertools.count()
attachments = st.builds(
    lambda data, name, ctype: Attachment(filename=name, data=data, content_type=ctype),
    st.one_of(mutated_dxf(ascii_dxf_seeds()), mutated_pdf(seeds("pdf")), mutate_bytes(seeds("dxf") + seeds("pdf")),
              st.sampled_from(seeds("dxf") + seeds("pdf"))),
    st.sampled_from(FILENAMES), st.sampled_from((None, "application/pdf", "application/octet-stream", "")),
)
messages = st.builds(
    lambda thread, text, files, channel: InboundMessage(
        thread=ThreadKey(channel=channel, id=f"fuzz-{thread}"), dedupe_key=f"fuzz-{next(_keys)}", sender="buyer",
        text=text, attachments=tuple(files), received_at=datetime(2026, 11, 27, tzinfo=UTC)),
    st.integers(0, 3), st.one_of(st.sampled_from(TEXTS), st.text(max_size=200)), st.lists(attachments, max_size=2),
    st.sampled_from(tuple(Channel)),
)


@fuzz(ci=25)
@given(inbound=messages)
def test_every_message_gets_a_reply(deps: Deps, inbound: InboundMessage) -> None:
    recorder = deps.parse
    assert isinstance(recorder, ParseRecorder)
    recorder.raised.clear()
    sender = RecordingSender()
    with bounded(120, what="answering a message"):
        reply = handle(inbound, deps)
        deliver(deps.store, sender, thread=inbound.thread)
    assert reply is not None and reply.text.strip() and reply.thread == inbound.thread
    assert [r.in_reply_to for r in sender.sent] == [inbound.dedupe_key]
    guarded = [e for e in recorder.raised if isinstance(e, ParseTimedOut | ParseOutOfMemory)]
    assert not guarded, f"the worker's guard stopped a parse: {guarded}"
