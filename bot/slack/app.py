"""The bolt App: listeners translate Slack payloads, call ``pipeline.handle`` and post the reply in the thread.

Each answer is acknowledged at once (a "Reading bracket.dxf..." message in the thread) and that message is
replaced (``chat.update``) by the reply. Duplicates are answered once: in-process by a claim on the dedupe
key, across restarts by the store's record of inbound messages. Bugs are caught in the one ``@app.error``.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import AttachmentTooLarge, BotError
from bot.logs import correlated, correlation_id
from bot.models import Attachment, Channel, InboundMessage, RenderedReply, ThreadKey
from bot.pipeline import Deps, resume, submit
from bot.render import mrkdwn
from bot.slack.config import SlackSettings
from bot.slack.files import SlackFileFetcher
from bot.slack.translate import (
    ACTION_IDS,
    SlackFile,
    action_thread,
    mentioned_users,
    to_channel_and_thread_ts,
    to_file_refs,
    to_inbound_message,
    to_post_kwargs,
    to_thread_key,
    to_update_kwargs,
)

logger = logging.getLogger(__name__)

WORKING_TEXT = "Working on it..."
ASK_QUANTITY_TEXT = "How many do you need? Type the quantity in this thread, for example `250`."
APOLOGY_TEXT = ("Sorry, something went wrong on my side while answering this. "
                "I've noted your message; please try again in a few minutes.")
MAX_CLAIMS = 10_000


class Claims:
    """Dedupe keys this process has started answering (bounded), so a retry racing the first delivery waits
    for nothing and posts nothing."""

    def __init__(self, limit: int = MAX_CLAIMS) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._limit = limit

    def claim(self, key: str) -> bool:
        with self._lock:
            if key in self._keys:
                return False
            self._keys[key] = None
            if len(self._keys) > self._limit:
                self._keys.popitem(last=False)
            return True


class ThreadLocks:
    """One lock per thread: turns of one conversation are answered in order, different threads in parallel."""

    def __init__(self) -> None:
        self._locks: dict[ThreadKey, threading.Lock] = {}
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, key: ThreadKey) -> Iterator[None]:
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            yield


class SlackSender:
    """Posts replies into their thread; a reply to a message that was acknowledged replaces the ack."""

    def __init__(self, client: WebClient, *, acks: dict[str, str] | None = None) -> None:
        self.client = client
        self.acks = acks if acks is not None else {}

    def send(self, reply: RenderedReply) -> None:
        ack_ts = self.acks.pop(reply.in_reply_to, None) or reply.ack_ref
        if ack_ts is not None:
            self.client.chat_update(**to_update_kwargs(reply, ts=ack_ts))
        else:
            self.client.chat_postMessage(**to_post_kwargs(reply))
        if reply.files:  # preview, chart and quote PDF into the same thread
            where = to_post_kwargs(reply)
            self.client.files_upload_v2(
                channel=where["channel"],
                thread_ts=where.get("thread_ts"),
                file_uploads=[{"content": f.data, "filename": f.filename, "title": f.filename} for f in reply.files],
            )


def apology_text(dedupe_key: str) -> str:
    """The apology for a bug, with the correlation id that finds every log line about the message."""
    return f"{APOLOGY_TEXT} (Reference: {correlation_id(dedupe_key)})"


def ack_text(files: tuple[SlackFile, ...]) -> str:
    """The acknowledgement posted at once; file names are escaped (``<!channel>.dxf`` must not notify anyone)."""
    return f"Reading {mrkdwn(', '.join(f.filename for f in files))}..." if files else WORKING_TEXT


class SlackResponder:
    """What the listeners do once bolt has acknowledged the request."""

    def __init__(self, deps: Deps, *, client: WebClient, fetcher: SlackFileFetcher) -> None:
        self.deps = deps
        self.client = client
        self.fetcher = fetcher
        self.claims = Claims()
        self.locks = ThreadLocks()
        self.acks: dict[str, str] = {}  # dedupe key -> ts of the "Reading ..." message being worked on

    def answer(self, inbound: InboundMessage, files: tuple[SlackFile, ...] = ()) -> None:
        with correlated(inbound.dedupe_key):
            self._answer(inbound, files)

    def _answer(self, inbound: InboundMessage, files: tuple[SlackFile, ...]) -> None:
        if not self.claims.claim(inbound.dedupe_key):
            logger.info("duplicate %s thread=%s ignored", inbound.dedupe_key, inbound.thread)
            return
        channel, thread_ts = to_channel_and_thread_ts(inbound.thread)
        ack = self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=ack_text(files))
        self.acks[inbound.dedupe_key] = ack_ts = str(ack["ts"])
        # files past the per-message limit are listed in the reply, never downloaded
        most = self.deps.limits.max_attachments
        attachments = tuple(self.fetch(f) for f in files[:most]) + tuple(
            Attachment(filename=f.filename, data=b"", content_type=f.mimetype, fetch_error="too-many-files")
            for f in files[most:]
        )
        inbound = inbound.model_copy(update={"attachments": attachments, "ack_ref": ack_ts})
        with self.locks.hold(inbound.thread):
            stored = submit(inbound, self.deps, SlackSender(self.client, acks=self.acks))
            self.acks.pop(inbound.dedupe_key, None)  # sent, or in a worker's hands (it replaces the ack by ts)
            if not stored:  # answered before a restart
                self.client.chat_delete(channel=channel, ts=ack_ts)

    def fetch(self, ref: SlackFile) -> Attachment:
        """The file, or an empty attachment (read as unreadable, with a polite reply) when it cannot be had."""
        try:
            return self.fetcher.fetch(ref)
        except BotError as exc:
            logger.info("could not fetch %s: %s", ref.filename, exc)
            code = "too-large" if isinstance(exc, AttachmentTooLarge) else "fetch-failed"
            return Attachment(filename=ref.filename, data=b"", content_type=ref.mimetype, fetch_error=code)

    def is_joined(self, channel: str, thread_ts: str, context: BoltContext) -> bool:
        """Whether the bot takes part in a thread: it holds the thread's state, or it posted there."""
        state = self.deps.store.load_state(to_thread_key(channel, thread_ts))
        if state.drawings or state.asked or state.last_quote:
            return True
        try:
            replies = self.client.conversations_replies(channel=channel, ts=thread_ts, limit=200)
        except SlackApiError as exc:  # e.g. a channel the bot may not read: not a thread it joined
            logger.info("cannot read thread %s:%s: %s", channel, thread_ts, exc.response.get("error"))
            return False
        return any(
            m.get("user") == context.bot_user_id or (context.bot_id and m.get("bot_id") == context.bot_id)
            for m in replies.get("messages") or ()
        )

    def apologise(self, body: Mapping[str, Any]) -> None:
        inbound = to_inbound_message(body)
        if inbound is None:
            return
        channel, thread_ts = to_channel_and_thread_ts(inbound.thread)
        ack_ts = self.acks.pop(inbound.dedupe_key, None)
        text = apology_text(inbound.dedupe_key)
        try:
            if ack_ts is not None:
                self.client.chat_update(channel=channel, ts=ack_ts, text=text, blocks=[])
            else:
                self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
        except SlackApiError as exc:
            logger.error("could not apologise in %s: %s", inbound.thread, exc.response.get("error"))


class _DropTokenSkippedWarning(logging.Filter):
    """bolt reads SLACK_BOT_TOKEN itself and warns that it is unused when a client is given; it is the same token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _bolt_logger() -> logging.Logger:
    log = logging.getLogger("bot.slack.bolt")
    if not any(isinstance(f, _DropTokenSkippedWarning) for f in log.filters):
        log.addFilter(_DropTokenSkippedWarning())
    return log


def build_app(
    settings: SlackSettings,
    deps: Deps,
    *,
    client: WebClient | None = None,
    listener_executor: Executor | None = None,
) -> App:
    """The bolt App with quotebot's listeners; the same App serves Socket Mode and HTTP.

    Args:
        settings: tokens and the Web API URL.
        deps: the pipeline's store, rate card, templates and limits (file size, files per message).
        client: a WebClient to use instead of one built from ``settings`` (tests, proxies).
        listener_executor: where listeners run after the ack; shut it down to wait for work in flight.
    """
    client = client or WebClient(token=settings.bot_token.get_secret_value(), base_url=settings.api_url)
    extra: dict[str, Any] = {"listener_executor": listener_executor} if listener_executor else {}
    app = App(
        client=client,
        # Without a signing secret (Socket Mode) an unguessable one makes any HTTP request fail verification;
        # Socket Mode requests are not signed and bolt does not verify them.
        signing_secret=(settings.signing_secret.get_secret_value() if settings.signing_secret
                        else secrets.token_hex(32)),
        request_verification_enabled=True,
        ignoring_self_events_enabled=True,
        logger=_bolt_logger(),
        **extra,
    )
    responder = SlackResponder(
        deps, client=client, fetcher=SlackFileFetcher(client, max_bytes=deps.limits.max_attachment_bytes)
    )

    @app.event("app_mention")
    def on_mention(body: dict[str, Any]) -> None:
        inbound = to_inbound_message(body)
        if inbound is not None:
            responder.answer(inbound, to_file_refs(body))

    @app.event("message")
    def on_message(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        inbound = to_inbound_message(body)
        if inbound is None:
            return
        if event.get("channel_type") != "im":
            if context.bot_user_id in mentioned_users(str(event.get("text") or "")):
                return  # the app_mention event for the same message answers it
            thread_ts = event.get("thread_ts")
            if not thread_ts or thread_ts == event.get("ts"):
                return
            if not responder.is_joined(str(event["channel"]), str(thread_ts), context):
                return
        responder.answer(inbound, to_file_refs(body))

    @app.action(ACTION_IDS)
    def on_click(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        inbound = to_inbound_message(body)
        if inbound is None:
            channel, thread_ts = action_thread(body)
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=ASK_QUANTITY_TEXT)
            return
        responder.answer(inbound)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        inbound = to_inbound_message(body)
        with correlated(inbound.dedupe_key if inbound else str(body.get("event_id") or "")):
            logger.error("could not answer a Slack %s: %s", body.get("type"), error, exc_info=error)
            responder.apologise(body)

    return app


def resume_pending(deps: Deps, client: WebClient) -> int:
    """Answer Slack messages stored but not answered before a restart, and send replies not yet sent (in queue
    mode: queue those threads for the workers). Returns how many threads had work left."""
    return resume(deps, SlackSender(client), channel=Channel.SLACK)


def slack_reply_sender(environ: Mapping[str, str]) -> SlackSender:
    """A sender for replies from a process that does not receive events (a queue worker).

    Raises:
        SlackConfigError: SLACK_BOT_TOKEN missing or a Slack variable malformed.
    """
    settings = SlackSettings.from_env(environ)
    return SlackSender(WebClient(token=settings.bot_token.get_secret_value(), base_url=settings.api_url))
