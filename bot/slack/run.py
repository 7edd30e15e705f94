"""Serving the bolt App: Socket Mode (the default) or signed HTTP requests on ``/slack/events``.

``start_slack`` returns a running ``SlackService`` (tests close it); ``run_slack`` starts one and blocks.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient

from bot.pipeline import Deps
from bot.slack.app import build_app, resume_pending
from bot.slack.config import SlackSettings

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 1024 * 1024  # Slack's event and interaction payloads are far smaller
LISTENER_THREADS = 8


# What bolt raises while it reads a body of the wrong shape (it parses the envelope before it checks the
# signature, so anyone can send one): such a request is answered 400.
UNREADABLE_REQUEST: tuple[type[Exception], ...] = (ValueError, TypeError, AttributeError, KeyError, IndexError)


def to_bolt_request(*, body: bytes, query: str, headers: dict[str, str | Sequence[str]]) -> BoltRequest:
    return BoltRequest(body=body.decode("utf-8"), query=query, headers=headers)


def answer_http(app: App, *, body: bytes, query: str, headers: dict[str, str | Sequence[str]]) -> BoltResponse:
    """The App's response to one HTTP request to the events path; 400 for a body bolt cannot read."""
    try:
        request = to_bolt_request(body=body, query=query, headers=headers)
    except UNREADABLE_REQUEST as exc:
        logger.info("unreadable Slack request refused: %s: %s", type(exc).__name__, exc)
        return BoltResponse(status=400, body="bad request")
    return app.dispatch(request)


def _handler_for(app: App) -> type[BaseHTTPRequestHandler]:
    class SlackEventsHandler(BaseHTTPRequestHandler):
        server_version = "quotebot"

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            path, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            if path != EVENTS_PATH:
                self._send(BoltResponse(status=404, body="not found"))
                return
            if length > MAX_BODY_BYTES:
                self._send(BoltResponse(status=413, body="too large"))
                return
            headers: dict[str, str | Sequence[str]] = {}
            for name in set(self.headers.keys()):
                headers[name.lower()] = self.headers.get_all(name) or []
            self._send(answer_http(app, body=self.rfile.read(length), query=query, headers=headers))

        def _send(self, response: BoltResponse) -> None:
            body = response.body.encode("utf-8")
            self.send_response(response.status)
            for name, values in response.headers.items():
                for value in values:
                    if name.lower() != "content-length":
                        self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
            logger.debug("http %s", format % args)

    return SlackEventsHandler


class SlackService:
    """A running Slack channel: the App plus its Socket Mode connection or HTTP server."""

    def __init__(self, app: App, executor: ThreadPoolExecutor) -> None:
        self.app = app
        self.executor = executor
        self.socket_mode: SocketModeHandler | None = None
        self.http: ThreadingHTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._closed = threading.Event()

    @property
    def port(self) -> int | None:
        """The HTTP port actually bound (useful with port 0), or None in Socket Mode."""
        return self.http.server_address[1] if self.http else None

    def start_socket_mode(self, app_token: str) -> None:
        self.socket_mode = SocketModeHandler(self.app, app_token, logger=logging.getLogger("bot.slack.socket"))
        self.socket_mode.connect()

    def start_http(self, *, host: str, port: int) -> None:
        self.http = ThreadingHTTPServer((host, port), _handler_for(self.app))
        self._http_thread = threading.Thread(target=self.http.serve_forever, name="slack-http", daemon=True)
        self._http_thread.start()
        logger.info("serving Slack events on http://%s:%d%s", host, self.port, EVENTS_PATH)

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until ``close`` (or the timeout); True once closed."""
        return self._closed.wait(timeout_s)

    def close(self) -> None:
        """Stop receiving, then wait for the answers in progress."""
        if self._closed.is_set():
            return
        if self.socket_mode is not None:
            _wake_receiver(self.socket_mode)
            self.socket_mode.close()
        if self.http is not None:
            self.http.shutdown()
            self.http.server_close()
        if self._http_thread is not None:
            self._http_thread.join()
        self.executor.shutdown(wait=True)
        self._closed.set()

    def __enter__(self) -> SlackService:
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _wake_receiver(handler: SocketModeHandler) -> None:
    """Wake the SDK's loops so closing takes milliseconds: the receive loop otherwise returns at its 3 s read
    timeout, the message loop at its 1 s queue timeout."""
    handler.client.auto_reconnect_enabled = False
    handler.client.closed = True
    handler.client.message_queue.put(None)  # type: ignore[arg-type]  # the SDK's loop skips None
    session = handler.client.current_session
    sock = getattr(session, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed by the other side


def start_slack(
    settings: SlackSettings,
    deps: Deps,
    *,
    http_port: int | None = None,
    host: str = "0.0.0.0",
    client: WebClient | None = None,
) -> SlackService:
    """Build the App, answer what a previous run left unanswered, and start receiving.

    Raises:
        SlackConfigError: Socket Mode without ``SLACK_APP_TOKEN``, or HTTP without ``SLACK_SIGNING_SECRET``.
    """
    app_token = settings.require_socket_mode() if http_port is None else None
    if http_port is not None:
        settings.require_signing_secret()
    executor = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="slack-listener")
    app = build_app(settings, deps, client=client, listener_executor=executor)
    service = SlackService(app, executor)
    resumed = resume_pending(deps, app.client)
    if resumed:
        logger.info("%d threads had work left from a previous run", resumed)
    if app_token is not None:
        service.start_socket_mode(app_token)
    else:
        assert http_port is not None
        service.start_http(host=host, port=http_port)
    return service


def run_slack(settings: SlackSettings, deps: Deps, *, http_port: int | None = None, host: str = "0.0.0.0") -> None:
    """Serve Slack until interrupted: Socket Mode by default, HTTP events on ``http_port`` when given."""
    with start_slack(settings, deps, http_port=http_port, host=host) as service:
        try:
            service.wait()
        except KeyboardInterrupt:
            logger.info("stopping the Slack channel")
