"""Queue mode: channel listeners store each message and queue its thread; ``quotebot worker`` processes answer.

Dramatiq, over RabbitMQ (``amqp://``) or Redis (``redis://``), with PostgreSQL as the shared store:

- a job is acknowledged to the broker only after it finished, so a job whose worker dies is delivered again
  (RabbitMQ at once, when the dead worker's connection drops; Redis once the worker's heartbeat expires);
- a job names a thread, not a message: it answers whatever the thread has stored and not answered, under a
  PostgreSQL advisory lock (``SqlThreadStore.thread_lock``), so a job run twice, or by two workers at once,
  answers every message exactly once and in order;
- a failed job is retried with backoff (a mail server that is down, Slack rate limits).

The message on the wire is ``answer_thread(channel, thread_id)``: listeners enqueue it without importing the
worker's code, and a worker of a newer release still reads it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.models import Channel, ThreadKey

if TYPE_CHECKING:
    from dramatiq import Broker

    from bot.config import Settings
    from bot.pipeline import Deps, ReplySender

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "quotebot"
ACTOR = "answer_thread"
# retried for about a day in all: 0.5 s, 1 s, 2 s ... capped at 10 min between tries
RETRY_OPTIONS = {"max_retries": 150, "min_backoff": 500, "max_backoff": 600_000}


class QueueConfigError(ValueError):
    """The broker URL or the store does not suit queue mode."""


def make_broker(url: str) -> Broker:
    """A Dramatiq broker for ``amqp://`` / ``amqps://`` (RabbitMQ) or ``redis://`` / ``rediss://`` URLs.

    Raises:
        QueueConfigError: any other scheme.
    """
    scheme = url.partition("://")[0].lower()
    if scheme in ("amqp", "amqps"):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        # confirm_delivery: enqueue returns once RabbitMQ has the job, so a stored message is never only ours
        return RabbitmqBroker(url=url, confirm_delivery=True)
    if scheme in ("redis", "rediss"):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url)
    raise QueueConfigError(
        f"QUOTEBOT_BROKER_URL must start with amqp:// (RabbitMQ) or redis:// (Redis), not {scheme + '://'!r}"
    )


def ping_broker(url: str) -> None:
    """Connect and log in to the broker, changing nothing (``quotebot doctor``).

    Raises:
        QueueConfigError: not an amqp:// or redis:// URL.
        Exception: whatever the client raises when the broker cannot be reached or refuses the login.
    """
    make_broker(url)  # the scheme check
    if url.lower().startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=5)
        try:
            client.ping()
        finally:
            client.close()
        return
    import pika  # type: ignore[import-untyped]

    parameters = pika.URLParameters(url)
    parameters.socket_timeout = parameters.blocked_connection_timeout = 5
    pika.BlockingConnection(parameters).close()


class DramatiqQueue:
    """``pipeline.JobQueue`` on a Dramatiq broker: what channel listeners use in queue mode."""

    def __init__(self, broker: Broker, *, queue_name: str = DEFAULT_QUEUE) -> None:
        self.broker = broker
        self.queue_name = queue_name
        broker.declare_queue(queue_name)

    @classmethod
    def from_url(cls, url: str, *, queue_name: str = DEFAULT_QUEUE) -> DramatiqQueue:
        return cls(make_broker(url), queue_name=queue_name)

    def enqueue(self, thread: ThreadKey) -> None:
        from dramatiq import Message

        message: Message[None] = Message(queue_name=self.queue_name, actor_name=ACTOR,
                                         args=(thread.channel.value, thread.id), kwargs={}, options={})
        self.broker.enqueue(message)
        logger.debug("queued thread=%s as %s", thread, message.message_id)

    def close(self) -> None:
        self.broker.close()


def declare_worker_actor(broker: Broker, deps: Deps, senders: Mapping[Channel, ReplySender], *,
                         queue_name: str = DEFAULT_QUEUE) -> None:
    """Register ``answer_thread`` on ``broker``: answer one thread with ``deps`` and send with its channel's sender."""
    import dramatiq

    from bot.pipeline import answer_thread

    def answer(channel: str, thread_id: str) -> None:
        key = ThreadKey(channel=Channel(channel), id=thread_id)
        sender = senders.get(key.channel)
        if sender is None:  # retried: the operator may configure the channel on this worker and restart it
            raise QueueConfigError(f"this worker cannot send {channel} replies: the {channel} channel is not "
                                   "configured here (see `quotebot doctor`)")
        logger.info("answering thread=%s", key)
        sent = answer_thread(key, deps, sender)
        logger.info("answered thread=%s, %d replies sent", key, sent)

    dramatiq.Actor(answer, broker=broker, actor_name=ACTOR, queue_name=queue_name, priority=0,
                   options=dict(RETRY_OPTIONS))


def run_worker(broker: Broker, *, queue_name: str, threads: int, stop: threading.Event) -> None:
    """Consume jobs until ``stop`` is set; the job in progress finishes first (Dramatiq's graceful stop)."""
    import dramatiq

    worker = dramatiq.Worker(broker, queues={queue_name}, worker_threads=threads, worker_timeout=200)
    worker.start()
    logger.info("worker started: queue %s, %d threads", queue_name, threads)
    try:
        stop.wait()
    finally:
        worker.stop(timeout=600_000)
        broker.close()
        logger.info("worker stopped")


def build_senders(environ: Mapping[str, str], deps: Deps) -> dict[Channel, ReplySender]:
    """A reply sender for every channel configured in ``environ`` (the same variables ``quotebot serve`` reads).

    Raises:
        SlackConfigError, EmailConfigError: a channel's variables are present but malformed.
        TypeError: the email channel without a SQL store.
    """
    senders: dict[Channel, ReplySender] = {}
    if environ.get("SLACK_BOT_TOKEN", "").strip():
        from bot.slack.app import slack_reply_sender

        senders[Channel.SLACK] = slack_reply_sender(environ)
    if environ.get("QUOTEBOT_SMTP_URL", "").strip():
        from bot.email.run import email_reply_sender

        senders[Channel.EMAIL] = email_reply_sender(environ, deps)
    return senders


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, for printing."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.partition("://")[0] + "://..."


def open_queue(settings: Settings, deps: Deps) -> DramatiqQueue | None:
    """The queue ``quotebot serve`` hands messages to, or None in the embedded default (no QUOTEBOT_BROKER_URL).

    Raises:
        QueueConfigError: a broker without a shared store (PostgreSQL), or a broker URL we cannot use.
    """
    if settings.broker_url is None:
        return None
    _require_shared_store(deps)
    return DramatiqQueue.from_url(settings.broker_url.get_secret_value(), queue_name=settings.queue_name)


def _require_shared_store(deps: Deps) -> None:
    if not getattr(deps.store, "shared", False):
        raise QueueConfigError(
            "queue mode needs a database every process can share: set QUOTEBOT_DATABASE_URL to a PostgreSQL URL "
            "(postgresql+psycopg://user:password@host/db). SQLite is for the embedded default (no broker)."
        )


def warm_up(deps: Deps) -> None:
    """Pay the start-up costs (the parse worker's fork server and its imports, the estimator, the templates) before
    the first job, so the first customer of a fresh worker waits no longer than the next one."""
    import dataclasses
    import io
    import time

    import ezdxf

    from bot.models import Attachment, InboundMessage
    from bot.pipeline import handle
    from bot.store import SqlThreadStore

    started = time.perf_counter()
    doc = ezdxf.new(units=4)
    msp = doc.modelspace()
    msp.add_lwpolyline([(0, 0), (60, 0), (60, 40), (0, 40)], close=True)
    msp.add_linear_dim(base=(0, -10), p1=(0, 0), p2=(60, 0)).render()
    text = io.StringIO()
    doc.write(text)
    message = InboundMessage(thread=ThreadKey(channel=Channel.CHAT, id="warm-up"), dedupe_key="warm-up",
                             text=f"10 pcs in {deps.card.default_material}", received_at=deps.now(),
                             attachments=(Attachment(filename="warm-up.dxf", data=text.getvalue().encode()),))
    with SqlThreadStore("sqlite://") as scratch:  # in memory: nothing of the warm-up is kept
        handle(message, dataclasses.replace(deps, store=scratch, queue=None))
    logger.info("warmed up in %.1f s", time.perf_counter() - started)


def worker_main(settings: Settings, environ: Mapping[str, str], deps: Deps, *, threads: int,
                stop: threading.Event | None = None) -> int:
    """``quotebot worker``: answer queued threads until SIGTERM or SIGINT. Returns the exit status."""
    import signal
    import sys

    if settings.broker_url is None:
        print("quotebot worker: set QUOTEBOT_BROKER_URL (amqp://... or redis://...); without a broker, "
              "`quotebot serve` answers in its own process.", file=sys.stderr)
        return 1
    url = settings.broker_url.get_secret_value()
    try:
        _require_shared_store(deps)
        broker = make_broker(url)
        senders = build_senders(environ, deps)
    except (ValueError, TypeError) as exc:  # QueueConfigError, SlackConfigError, EmailConfigError; no SQL store
        print(f"quotebot worker: {exc}", file=sys.stderr)
        return 1
    if not senders:
        print("quotebot worker: no channel configured to send replies with (Slack: SLACK_BOT_TOKEN; email: "
              "QUOTEBOT_SMTP_URL and the other QUOTEBOT_ email variables)", file=sys.stderr)
        return 1
    declare_worker_actor(broker, deps, senders, queue_name=settings.queue_name)
    warm_up(deps)
    stop = stop or threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        for s in (signal.SIGTERM, signal.SIGINT):
            signal.signal(s, on_signal)
    print(f"worker {redact_url(url)} queue {settings.queue_name}, {threads} thread(s), replies by "
          + ", ".join(sorted(c.value for c in senders)), flush=True)
    run_worker(broker, queue_name=settings.queue_name, threads=threads, stop=stop)
    return 0
