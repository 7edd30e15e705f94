"""Slack in queue mode: the listener acknowledges, fetches the files, stores and queues; a worker answers.

RabbitMQ and PostgreSQL are real; the worker runs in a thread of this process with its own broker connection and
its own store, as `quotebot worker` would in another process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from slack_sdk import WebClient

from bot.models import Channel
from bot.pipeline import Deps
from bot.queue import DramatiqQueue, declare_worker_actor, make_broker, run_worker
from bot.render import make_environment
from bot.slack.app import SlackSender
from bot.slack.translate import to_thread_key
from bot.store import SqlThreadStore
from estimator import load_rate_card
from tests.conftest import RABBITMQ, listening
from tests.slack.conftest import Slack
from tests.slack.events import block_actions
from tests.slack.peer import BOT_TOKEN, SlackPeer
from tests.slack.test_end_to_end import CHANNEL, blocks_with, header, share_bracket, wait_reply


@pytest.fixture
def queued(postgres_url: str, queue_name: str) -> Iterator[Deps]:
    if not listening(5672):
        pytest.skip("no RabbitMQ on 127.0.0.1:5672")
    with SqlThreadStore(postgres_url) as store:
        queue = DramatiqQueue.from_url(RABBITMQ, queue_name=queue_name)
        yield Deps(store=store, card=load_rate_card(), env=make_environment(), queue=queue)
        queue.close()


@pytest.mark.postgres
def test_the_worker_replaces_the_listeners_acknowledgement_with_the_reply(
    start: Callable[..., Slack], queued: Deps, postgres_url: str, queue_name: str
) -> None:
    peer = SlackPeer()
    with peer, SqlThreadStore(postgres_url) as worker_store:
        slack = start("http", peer=peer, deps=queued)
        broker = make_broker(RABBITMQ)
        worker_deps = replace(queued, store=worker_store, queue=None)
        declare_worker_actor(broker, worker_deps, {Channel.SLACK: SlackSender(WebClient(token=BOT_TOKEN,
                                                                                        base_url=peer.api_url))},
                             queue_name=queue_name)
        stop = threading.Event()
        worker = threading.Thread(target=run_worker, args=(broker,),
                                  kwargs={"queue_name": queue_name, "threads": 1, "stop": stop})
        worker.start()
        try:
            root = share_bracket(slack)
            ask = wait_reply(slack, root["ts"], lambda m: blocks_with(m, "volume"), "the reply with volume buttons")
            ack = slack.peer.calls_to("chat.postMessage")[0].args
            assert "bracket.dxf" in ack["text"]
            assert any(c.args["ts"] == ask["ts"] for c in slack.peer.calls_to("chat.update")), "ack not replaced"
            slack.driver.click(block_actions(ask, channel=CHANNEL, action_id="qty_500", value="500"))
            quote = wait_reply(slack, root["ts"], lambda m: "500" in header(m), "the quote for 500 pcs")
        finally:
            stop.set()
            worker.join(60)
    assert blocks_with(quote, "quote_actions")
    assert [m["ts"] for m in slack.peer.bot_replies(CHANNEL, root["ts"])] == [ask["ts"], quote["ts"]]
    state = queued.store.load_state(to_thread_key(CHANNEL, root["ts"]))
    assert state.quantities == (500,)
    assert queued.store.pending_threads() == []
