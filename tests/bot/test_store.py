from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest

from bot.conversation import ThreadState
from bot.models import Attachment, Channel, InboundMessage, RenderedReply, ThreadKey
from bot.store import SqlThreadStore
from tests.conftest import ROOT

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


def test_pending_threads_lists_unanswered_and_unsent_work(db_url: str) -> None:
    other = ThreadKey(channel=Channel.SLACK, id="C1:1700000000.000100")
    with SqlThreadStore(db_url) as store:
        store.record_inbound(message("m1"))
        store.record_inbound(message("m2").model_copy(update={"thread": other}))
        assert store.pending_threads() == [KEY, other]
        store.commit_turn(ThreadState(key=KEY), reply_to("m1"))
        assert set(store.pending_threads()) == {KEY, other}  # KEY's reply is not sent yet
        store.mark_sent(reply_to("m1"))
        assert store.pending_threads() == [other]


def test_a_fetch_error_survives_the_store(db_url: str) -> None:
    failed = Attachment(filename="big.pdf", data=b"", fetch_error="too-large")
    with SqlThreadStore(db_url) as store:
        store.record_inbound(message("m1").model_copy(update={"attachments": (failed,), "ack_ref": "1700.1"}))
        (stored,) = store.pending_inbound()
    assert stored.attachments == (failed,)
    assert stored.ack_ref == "1700.1"


HOLDER = """
import sys, time
from bot.models import ThreadKey
from bot.store import SqlThreadStore
store = SqlThreadStore(sys.argv[1])
with store.thread_lock(ThreadKey.parse(sys.argv[2])):
    print("held", flush=True)
    time.sleep(600)
"""


@pytest.mark.postgres
def test_a_thread_lock_is_released_when_its_holder_dies(postgres_url: str) -> None:
    key = ThreadKey(channel=Channel.EMAIL, id="<rfq-1@customer.example>")
    with subprocess.Popen([sys.executable, "-c", HOLDER, postgres_url, str(key)], stdout=subprocess.PIPE, text=True,
                          cwd=ROOT) as holder, SqlThreadStore(postgres_url) as store:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        acquired = threading.Event()

        def take() -> None:
            with store.thread_lock(key):
                acquired.set()

        waiter = threading.Thread(target=take, daemon=True)
        waiter.start()
        assert not acquired.wait(0.5), "the lock was taken while another process held it"
        holder.kill()
        assert acquired.wait(30), "the lock of a killed process was not released"
        waiter.join(5)


class Recorder:
    """A channel that accepts the message, then the process dies before the outbox hears of it (first call)."""

    def __init__(self, *, die_after_send: bool, can_check: bool) -> None:
        self.arrived: list[str] = []
        self.die_after_send = die_after_send
        if can_check:
            self.was_sent = lambda reply: reply.in_reply_to in self.arrived

    def send(self, reply: RenderedReply) -> None:
        self.arrived.append(reply.in_reply_to)
        if self.die_after_send:
            self.die_after_send = False
            raise SystemExit("killed between the channel accepting the reply and the outbox marking it sent")


@pytest.mark.parametrize("can_check", [True, False])
def test_a_reply_interrupted_mid_send_is_checked_before_it_is_sent_again(db_url: str, can_check: bool) -> None:
    from bot.pipeline import deliver

    channel = Recorder(die_after_send=True, can_check=can_check)
    with SqlThreadStore(db_url) as store:
        store.record_inbound(message("m1"))
        store.commit_turn(ThreadState(key=KEY), reply_to("m1"))
        with pytest.raises(SystemExit):
            deliver(store, channel)
        assert [r.in_reply_to for r in store.pending_outbound()] == ["m1"]  # in doubt, still owed
        assert store.pending_threads() == [KEY]
        deliver(store, channel)
        assert store.pending_outbound() == []
    # a channel that can tell (email) does not send twice; one that cannot sends again rather than lose it
    assert channel.arrived == (["m1"] if can_check else ["m1", "m1"])
