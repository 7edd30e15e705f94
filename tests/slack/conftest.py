"""A running quotebot Slack channel against the local Web API peer, in Socket Mode or HTTP mode."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

import pytest
from pydantic import SecretStr

from bot.pipeline import Deps
from bot.render import make_environment
from bot.slack import SlackService, SlackSettings, start_slack
from bot.store import SqlThreadStore
from estimator import load_rate_card
from tests.slack.peer import APP_TOKEN, BOT_TOKEN, SlackPeer
from tests.slack.socket_peer import SocketModePeer

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def sign(body: bytes, *, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class Driver(Protocol):
    def deliver(self, body: dict[str, Any], *, retry_num: int = 0) -> None: ...
    def click(self, payload: dict[str, Any]) -> None: ...


class HttpDriver:
    """Slack's side of HTTP mode: signed POSTs to /slack/events."""

    def __init__(self, url: str) -> None:
        self.url = url

    def post(self, body: bytes, *, content_type: str, timestamp: int | None = None, signature: str | None = None,
             headers: dict[str, str] | None = None) -> int:
        ts = int(time.time()) if timestamp is None else timestamp
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature or sign(body, timestamp=ts), **(headers or {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
                return int(response.status)
        except urllib.error.HTTPError as exc:
            exc.read()
            exc.close()
            return int(exc.code)

    def deliver(self, body: dict[str, Any], *, retry_num: int = 0) -> None:
        retry = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        status = self.post(json.dumps(body).encode(), content_type="application/json", headers=retry)
        assert status == 200

    def click(self, payload: dict[str, Any]) -> None:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        assert self.post(body, content_type="application/x-www-form-urlencoded") == 200


class SocketDriver:
    """Slack's side of Socket Mode: envelopes over the WebSocket, each acknowledged by envelope_id."""

    def __init__(self, socket: SocketModePeer) -> None:
        self.socket = socket

    def deliver(self, body: dict[str, Any], *, retry_num: int = 0) -> None:
        self.socket.wait_ack(self.socket.send("events_api", body, retry_attempt=retry_num))

    def click(self, payload: dict[str, Any]) -> None:
        self.socket.wait_ack(self.socket.send("interactive", payload))


@dataclass
class Slack:
    mode: str
    peer: SlackPeer
    socket: SocketModePeer | None
    service: SlackService
    driver: Driver
    deps: Deps


@pytest.fixture
def deps(tmp_path: Path) -> Iterator[Deps]:
    with SqlThreadStore(f"sqlite:///{tmp_path}/q.db") as store:
        yield Deps(store=store, card=load_rate_card(), env=make_environment(),
                   now=lambda: datetime(2026, 11, 27, 9, 0, tzinfo=UTC))


@pytest.fixture
def start(deps: Deps) -> Iterator[Callable[..., Slack]]:
    """``start(mode, **settings)`` runs the channel with a fresh peer; everything is closed at teardown."""
    with ExitStack() as stack:

        def _start(mode: str, *, peer: SlackPeer | None = None, deps: Deps = deps, **overrides: Any) -> Slack:
            socket = stack.enter_context(SocketModePeer()) if mode == "socket" else None
            if peer is None:
                peer = stack.enter_context(SlackPeer(socket_mode_url=socket.url if socket else None))
            settings = SlackSettings(bot_token=SecretStr(BOT_TOKEN), app_token=SecretStr(APP_TOKEN),
                                     signing_secret=SecretStr(SIGNING_SECRET), api_url=peer.api_url, **overrides)
            port = 0 if mode == "http" else None
            service = stack.enter_context(start_slack(settings, deps, http_port=port, host="127.0.0.1"))
            driver: Driver = (SocketDriver(socket) if socket else
                              HttpDriver(f"http://127.0.0.1:{service.port}/slack/events"))
            return Slack(mode=mode, peer=peer, socket=socket, service=service, driver=driver, deps=deps)

        yield _start


@pytest.fixture(params=["socket", "http"])
def slack(request: pytest.FixtureRequest, start: Callable[..., Slack]) -> Slack:
    return start(request.param)
