"""Fuzzing the email edge: any raw message is parsed, classified and translated without an exception, and
the email channel answers it through the whole pipeline without flagging an error.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.email.config import EmailSettings
from bot.email.envelopes import EnvelopeStore
from bot.email.policy import Verdict, classify
from bot.email.run import ERROR_FLAG, EmailChannel
from bot.email.translate import headers_only_inbound, read_message, to_envelope, to_inbound_message
from bot.models import InboundMessage
from bot.pipeline import Deps
from tests.email.test_channel import ENV, RecordingSender
from tests.fuzz.corpus import seeds
from tests.fuzz.email_build import edited_email, email_message, nested_message
from tests.fuzz.guard import bounded, fuzz
from tests.fuzz.mutate import mutate_bytes

RAW_MESSAGES = st.one_of(mutate_bytes(seeds("email")), edited_email(seeds("email")), email_message(),
                         nested_message())


def check_translate(raw: bytes) -> None:
    with bounded(what=f"translating a {len(raw)}-byte message"):
        msg, whole = read_message(raw)
        verdict = classify(msg, own_address="quotes@shop.example", allow=())
        envelope = to_envelope(msg)
        inbound = to_inbound_message(msg) if whole else headers_only_inbound(msg)
    assert isinstance(verdict, Verdict)
    assert envelope.message_id.startswith("<") and envelope.thread_id
    assert inbound is None or (isinstance(inbound, InboundMessage) and inbound.sender)


@fuzz(ci=150)
@given(raw=RAW_MESSAGES)
def test_translation_of_mutated_messages(raw: bytes) -> None:
    check_translate(raw)


_unique = itertools.count()
_seen: dict[int, set[str]] = {}  # per store: Message-IDs answered so far (a repeated one is a redelivery)


def check_channel(deps: Deps, raw: bytes) -> None:
    """One message through ``EmailChannel.process`` (policy, envelope store, pipeline, reply by SMTP recorder)."""
    sender = RecordingSender()
    engine = deps.store.engine  # type: ignore[attr-defined]
    settings = EmailSettings.from_env(ENV | {"QUOTEBOT_EMAIL_RATE_LIMIT": "1000000/1"})
    channel = EmailChannel(settings, deps, envelopes=EnvelopeStore(engine), smtp=sender)
    with bounded(60, what=f"answering a {len(raw)}-byte message"):
        flags = channel.process(raw)
    # the channel catches anything the pipeline raises and flags the message; here that is a failure
    assert ERROR_FLAG not in flags
    msg, _ = read_message(raw)
    seen = _seen.setdefault(id(deps.store), set())
    first_time = to_envelope(msg).message_id not in seen
    seen.add(to_envelope(msg).message_id)
    if classify(msg, own_address=settings.address, allow=()) is Verdict.ANSWER and first_time:
        assert sender.sent, "an answered message got no reply"


@fuzz(ci=25)
@given(raw=RAW_MESSAGES)
def test_channel_answers_mutated_messages(served_deps: Deps, raw: bytes) -> None:
    # a fresh Message-ID, so each example is answered rather than dropped as a redelivery
    check_channel(served_deps, raw.replace(b"Message-ID: <", b"Message-ID: <f%d." % next(_unique), 1))


@pytest.mark.postgres
@fuzz(ci=10)
@given(raw=RAW_MESSAGES)
def test_channel_answers_mutated_messages_on_postgres(postgres_deps: Deps, raw: bytes) -> None:
    check_channel(postgres_deps, raw.replace(b"Message-ID: <", b"Message-ID: <p%d." % next(_unique), 1))
