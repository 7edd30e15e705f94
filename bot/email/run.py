"""The email channel's loop: fetch new mail, apply the sender policy, store and answer, send, flag.

Crash safety rests on the order of steps for each message: its envelope and the inbound message are
stored (``pipeline.handle``) before the reply is sent, and the IMAP flag comes last. A message fetched
again after a crash is a duplicate for the store; a stored but unanswered one is answered by
``pipeline.recover``; a committed but unsent reply is sent by ``pipeline.deliver``.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from email.message import EmailMessage
from types import FrameType
from typing import Protocol

from bot.email.config import SALES_FLAG, EmailSettings, ProcessedAction
from bot.email.envelopes import EnvelopeStore, Kind
from bot.email.mailbox import TRANSIENT_ERRORS, ImapMailbox, PermanentSendError, SmtpSender
from bot.email.policy import RateLimiter, Verdict, classify
from bot.email.translate import (
    Envelope,
    headers_only_inbound,
    read_message,
    reply_message_id,
    sender_address,
    to_acknowledgement,
    to_email_message,
    to_envelope,
    to_inbound_message,
)
from bot.logs import correlated
from bot.models import Channel, RenderedReply, ThreadKey
from bot.pipeline import Deps, deliver, recover, resume, submit

logger = logging.getLogger(__name__)

IGNORED_FLAG = "$QuotebotIgnored"
ERROR_FLAG = "$QuotebotError"


class MailSender(Protocol):
    """Sends one message (``mailbox.SmtpSender``; tests pass a recorder)."""

    def send(self, msg: EmailMessage) -> None: ...


class EmailReplySender:
    """``pipeline.ReplySender`` for email: the reply threaded under the message it answers, sent by SMTP."""

    def __init__(self, smtp: MailSender, envelopes: EnvelopeStore, *, settings: EmailSettings, deps: Deps) -> None:
        self.smtp = smtp
        self.envelopes = envelopes
        self.settings = settings
        self.deps = deps
        # After a restart: did a reply reach the server before the crash? (its copy is in our mailbox)
        self.already_sent: Callable[[str], bool] | None = None

    def was_sent(self, reply: RenderedReply) -> bool:
        """Whether an interrupted earlier send of this reply reached the server (its Bcc copy is in our mailbox)."""
        message_id = reply_message_id(reply.in_reply_to, domain=self.settings.address.rpartition("@")[2])
        if self.already_sent is not None:
            return self.already_sent(message_id)
        moved = (self.settings.processed_folder,) if self.settings.processed is ProcessedAction.MOVE else ()
        with ImapMailbox(self.settings.imap) as box:
            return box.contains(message_id, folders=moved)

    def send(self, reply: RenderedReply) -> None:
        envelope = self.envelopes.load(reply.in_reply_to)
        if envelope is None:
            logger.error("no envelope for %s thread=%s; reply not sent", reply.in_reply_to, reply.thread)
            return
        msg = to_email_message(reply, envelope=envelope, sender=self.settings.address, now=self.deps.now(),
                               bcc=self.settings.address)
        message_id = str(msg["Message-ID"])
        # recorded before sending, so a customer's answer finds the thread even if we crash right after
        self.envelopes.save(Envelope(message_id=message_id, thread_id=envelope.thread_id, reply_to=envelope.reply_to,
                                     subject=envelope.subject, references=(*envelope.references, envelope.message_id)),
                            kind=Kind.REPLY)
        if self.already_sent is not None and self.already_sent(message_id):
            logger.info("reply %s thread=%s was sent before the restart; not sent again", message_id, reply.thread)
            return
        try:
            self.smtp.send(msg)
        except PermanentSendError as exc:
            logger.error("reply to %s thread=%s refused, given up: %s", envelope.reply_to, reply.thread, exc)


class EmailChannel:
    """One mailbox's work, driven by ``run_email``; separate so tests can drive one pass at a time."""

    def __init__(self, settings: EmailSettings, deps: Deps, *, envelopes: EnvelopeStore, smtp: MailSender) -> None:
        self.settings = settings
        self.deps = deps
        self.envelopes = envelopes
        self.smtp = smtp
        self.sender = EmailReplySender(smtp, envelopes, settings=settings, deps=deps)
        self.limiter = RateLimiter(count=settings.rate_limit_count, window_s=settings.rate_limit_window_s,
                                   clock=time.monotonic)

    def catch_up(self, box: ImapMailbox | None = None) -> None:
        """Answer stored-but-unanswered email and send committed-but-unsent replies (after a restart).

        With ``box``, a pending reply whose copy already reached our mailbox is not sent again: a crash
        between the SMTP server accepting it and the outbox marking it sent must not answer twice.
        """
        if box is not None:
            moved = (self.settings.processed_folder,) if self.settings.processed is ProcessedAction.MOVE else ()
            self.sender.already_sent = lambda message_id: box.contains(message_id, folders=moved)
        try:
            self._catch_up()
        finally:
            self.sender.already_sent = None

    def _catch_up(self) -> None:
        store = self.deps.store
        if self.deps.queue is not None:  # the workers answer and send; queue what a previous run left
            resume(self.deps, self.sender, channel=Channel.EMAIL)
            return
        for thread in _email_threads(m.thread for m in store.pending_inbound()):
            try:
                recover(self.deps, thread=thread)
            except Exception:  # one broken thread must not stop the others; it is retried next time
                logger.exception("could not answer stored email in thread=%s", thread)
        for thread in _email_threads(r.thread for r in store.pending_outbound()):
            try:
                deliver(store, self.sender, thread=thread)
            except TRANSIENT_ERRORS:
                raise
            except Exception:
                logger.exception("could not send pending email in thread=%s", thread)

    def poll(self, box: ImapMailbox, *, stop: threading.Event) -> int:
        """Process every unprocessed message in the folder; returns how many."""
        done = 0
        uids = box.unprocessed(flag=self.settings.processed_flag)
        for uid, raw in box.fetch(uids):
            flags = self.process(raw)
            move = self.settings.processed_folder if self.settings.processed is ProcessedAction.MOVE else None
            box.mark_processed(uid, flags=(self.settings.processed_flag, *flags), move_to=move)
            done += 1
            if stop.is_set():
                break
        return done

    def process(self, raw: bytes) -> tuple[str, ...]:
        """Handle one raw message; returns the extra IMAP flags it gets (beside the processed flag)."""
        msg, whole = read_message(raw)
        envelope = to_envelope(msg)
        with correlated(envelope.message_id):  # the inbound's dedupe key: one id for every line about it
            return self._process(msg, envelope, whole=whole)

    def _process(self, msg: EmailMessage, envelope: Envelope, *, whole: bool) -> tuple[str, ...]:
        verdict = classify(msg, own_address=self.settings.address, allow=self.settings.allow)
        if verdict in (Verdict.ANSWER, Verdict.ACKNOWLEDGE) and not self.limiter.allow(sender_address(msg)):
            verdict = Verdict.RATE_LIMITED
        logger.info("email %s from=%s verdict=%s", envelope.message_id, envelope.reply_to, verdict)
        try:
            if verdict is Verdict.ANSWER:
                return self._answer(msg, envelope, whole=whole)
            if verdict is Verdict.ACKNOWLEDGE:
                return self._acknowledge(envelope)
        except TRANSIENT_ERRORS:
            raise
        except Exception:
            logger.exception("email %s could not be handled; flagged %s", envelope.message_id, ERROR_FLAG)
            return (ERROR_FLAG,)
        if verdict is Verdict.RATE_LIMITED:
            return (IGNORED_FLAG, SALES_FLAG)  # a person may be behind it: sales has a look
        return (IGNORED_FLAG,)

    def _answer(self, msg: EmailMessage, envelope: Envelope, *, whole: bool = True) -> tuple[str, ...]:
        now = self.deps.now()
        inbound = (to_inbound_message(msg, received_at=now, limits=self.deps.limits) if whole
                   else headers_only_inbound(msg, received_at=now))
        if inbound is None:
            return (IGNORED_FLAG,)
        thread_id = self.envelopes.thread_of(envelope.references) or envelope.thread_id
        envelope = replace(envelope, thread_id=thread_id)
        inbound = inbound.model_copy(update={"thread": ThreadKey(channel=Channel.EMAIL, id=thread_id)})
        self.envelopes.save(envelope, kind=Kind.INBOUND)  # before handle: the reply must find it after a crash
        submit(inbound, self.deps, self.sender)
        return ()

    def _acknowledge(self, envelope: Envelope) -> tuple[str, ...]:
        if self.settings.acknowledge_others and self.envelopes.load(envelope.message_id) is None:
            ack = to_acknowledgement(envelope, sender=self.settings.address, now=self.deps.now())
            try:
                self.smtp.send(ack)
            except PermanentSendError as exc:
                logger.error("acknowledgement to %s refused: %s", envelope.reply_to, exc)
            self.envelopes.save(envelope, kind=Kind.ACKNOWLEDGED)
        return (SALES_FLAG,)


def _email_threads(keys: Iterable[ThreadKey]) -> list[ThreadKey]:
    found: dict[str, ThreadKey] = {}
    for key in keys:
        if key.channel is Channel.EMAIL:
            found.setdefault(str(key), key)
    return list(found.values())


def run_email(settings: EmailSettings, deps: Deps, *, stop: threading.Event | None = None) -> None:
    """Serve the mailbox until SIGTERM/SIGINT (or ``stop`` is set), reconnecting with backoff.

    Args:
        settings: the email settings.
        deps: the pipeline's dependencies; ``deps.store`` must be a SQL store (it has ``engine``).
        stop: set it to stop the loop from another thread; one is made (and wired to signals) when absent.

    Raises:
        TypeError: ``deps.store`` has no SQL engine for the envelope table.
    """
    engine = getattr(deps.store, "engine", None)
    if engine is None:
        raise TypeError("the email channel needs a SQL store (SqlThreadStore)")
    stop = stop or threading.Event()
    channel = EmailChannel(settings, deps, envelopes=EnvelopeStore(engine), smtp=SmtpSender(settings.smtp))
    restore = _on_signals(stop)
    backoff_s = 1.0
    try:
        while not stop.is_set():
            try:
                with ImapMailbox(settings.imap) as box:
                    backoff_s = 1.0
                    channel.catch_up(box)
                    while not stop.is_set():
                        # wait only after a search found nothing: mail reported during the last batch's
                        # commands is not announced again by IDLE
                        if channel.poll(box, stop=stop) == 0 and not stop.is_set():
                            box.wait_for_mail(timeout_s=settings.idle_timeout_s, poll_s=settings.poll_interval_s,
                                              stop=stop, idle=settings.idle)
            except TRANSIENT_ERRORS as exc:
                logger.warning("email: %s: %s; reconnecting in %.0f s", type(exc).__name__, exc, backoff_s)
                stop.wait(backoff_s)
                backoff_s = min(backoff_s * 2, settings.backoff_max_s)
    finally:
        restore()
    logger.info("email channel stopped")


class EmailService:
    """``run_email`` in a background thread, for ``quotebot serve``: ``wait`` until it ends, ``close`` stops it."""

    def __init__(self, settings: EmailSettings, deps: Deps) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=run_email, args=(settings, deps), kwargs={"stop": self._stop},
                                        name="email-channel", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the channel stops (or ``timeout_s``); True when it has stopped."""
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def close(self, timeout_s: float = 30.0) -> None:
        """Stop after the message in progress; waits at most ``timeout_s``."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def __enter__(self) -> EmailService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def email_reply_sender(environ: Mapping[str, str], deps: Deps) -> EmailReplySender:
    """A sender for replies from a process that does not read the mailbox (a queue worker).

    Raises:
        EmailConfigError: a QUOTEBOT_* email variable is missing or malformed.
        TypeError: ``deps.store`` has no SQL engine for the envelope table.
    """
    engine = getattr(deps.store, "engine", None)
    if engine is None:
        raise TypeError("the email channel needs a SQL store (SqlThreadStore)")
    settings = EmailSettings.from_env(environ)
    return EmailReplySender(SmtpSender(settings.smtp), EnvelopeStore(engine), settings=settings, deps=deps)


def start_email(environ: Mapping[str, str], deps: Deps) -> EmailService:
    """Read the email settings from ``environ`` and start the channel in a background thread.

    Raises:
        EmailConfigError: a QUOTEBOT_* email variable is missing or malformed.
    """
    service = EmailService(EmailSettings.from_env(environ), deps)
    service.start()
    return service


def _on_signals(stop: threading.Event) -> Callable[[], None]:
    """Set ``stop`` on SIGTERM and SIGINT (main thread only); returns a function that restores the handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: FrameType | None) -> None:
        logger.info("signal %s: stopping after the current message", signum)
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for s, h in previous.items():
            signal.signal(s, h)

    return restore
