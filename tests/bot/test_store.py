from __future__ import annotations

from datetime import UTC, datetime

from bot.conversation import ThreadState
from bot.models import Attachment, Channel, InboundMessage, RenderedReply, ThreadKey
from bot.store import SqlThreadStore

KEY = ThreadKey(channel=Channel.CHAT, id="t1")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def message(key: str, text: str = "500 pcs") -> InboundMessage:
    return InboundMessage(
        thread=KEY, dedupe_key=key, text=text, received_at=NOW,
        attachments=(Attachment(filename="a.dxf", data=b"0\nSECTION\n"),),
    )


def reply_to(key: str) -> RenderedReply:
    return RenderedReply(thread=KEY, in_reply_to=key, outcome="estimate", subject="s", text="t", html="<p>t</p>")


def test_inbound_is_recorded_once(db_url: str) -> None:
    with SqlThreadStore(db_url) as store:
        assert store.record_inbound(message("m1")) is True
        assert store.record_inbound(message("m1")) is False
        pending = store.pending_inbound()
    assert [m.dedupe_key for m in pending] == ["m1"]
    assert pending[0].attachments[0].data == b"0\nSECTION\n"


def test_commit_turn_answers_and_queues_the_reply(db_url: str) -> None:
    state = ThreadState(key=KEY, quantities=(500,), material="6061-T6")
    with SqlThreadStore(db_url) as store:
        store.record_inbound(message("m1"))
        store.commit_turn(state, reply_to("m1"))
        assert store.pending_inbound() == []
        assert store.load_state(KEY) == state
        assert [r.in_reply_to for r in store.pending_outbound()] == ["m1"]
        store.mark_sent(reply_to("m1"))
        assert store.pending_outbound() == []


def test_state_survives_a_new_connection(db_url: str) -> None:
    with SqlThreadStore(db_url) as store:
        store.commit_turn(ThreadState(key=KEY, quantities=(10, 100)), reply_to("m0"))
    with SqlThreadStore(db_url) as store:
        assert store.load_state(KEY).quantities == (10, 100)


def test_unknown_thread_starts_empty(db_url: str) -> None:
    with SqlThreadStore(db_url) as store:
        assert store.load_state(KEY) == ThreadState(key=KEY)


def test_quote_numbers_are_sequential(db_url: str) -> None:
    with SqlThreadStore(db_url) as store:
        first = store.next_quote_number(KEY, now=NOW)
        second = store.next_quote_number(KEY, now=NOW)
    assert first.startswith("Q-2026-")
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1
