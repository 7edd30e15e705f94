"""The Slack side of the fuzz tests: the real bolt App over a SQLite store and the local Web API peer,
listeners run inline, and errors reported to ``@app.error`` recorded."""

from __future__ import annotations

import logging
import os
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from pydantic import SecretStr
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.pipeline import Deps
from bot.slack.app import build_app
from bot.slack.config import SlackSettings
from bot.slack.run import answer_http
from tests.fuzz.corpus import seed
from tests.fuzz.guard import bounded
from tests.slack.conftest import SIGNING_SECRET, sign
from tests.slack.peer import BOT_TOKEN, SlackPeer

P = ParamSpec("P")
T = TypeVar("T")


class InlineExecutor(Executor):
    """Runs each listener at once, so a dispatch returns after the answer (and its errors) are done."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the future like any executor does
            future.set_exception(exc)
        return future


class ErrorRecorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Harness:
    app: App
    peer: SlackPeer


@contextmanager
def running_app(deps: Deps) -> Iterator[Harness]:
    """The App (``build_app``) with the peer hosting the seeds' two files (F00000001 and F00000002)."""
    with SlackPeer() as peer:
        peer.add_file("bracket.dxf", seed("dxf", "plate_r12.dxf"))
        peer.add_file("bracket.pdf", seed("pdf", "bracket.pdf"))  # shared with check_file_info in a seed
        settings = SlackSettings(bot_token=SecretStr(BOT_TOKEN), signing_secret=SecretStr(SIGNING_SECRET),
                                 api_url=peer.api_url)
        client = WebClient(token=BOT_TOKEN, base_url=peer.api_url)
        yield Harness(build_app(settings, deps, client=client, listener_executor=InlineExecutor()), peer)


@contextmanager
def recording_errors() -> Iterator[ErrorRecorder]:
    recorder = ErrorRecorder()
    logger = logging.getLogger("bot.slack")
    logger.addHandler(recorder)
    try:
        yield recorder
    finally:
        logger.removeHandler(recorder)


def dispatch(slack: Harness, raw: bytes, *, form: bool) -> int:
    """Sign and dispatch a body as Slack would send it; its file URLs point at the peer (never the network)."""
    raw = raw.replace(b"https://files.slack.com", slack.peer.base_url.encode()).replace(
        b"PEER", slack.peer.base_url.encode())
    now = int(time.time())
    headers: dict[str, Any] = {
        "content-type": ["application/x-www-form-urlencoded" if form else "application/json"],
        "x-slack-request-timestamp": [str(now)], "x-slack-signature": [sign(raw, timestamp=now)],
    }
    with bounded(30, what="dispatching a Slack request"):
        return answer_http(slack.app, body=raw, query="", headers=headers).status


def raised_by_quotebot(exc: BaseException) -> bool:
    """Whether quotebot's code (not bolt's own request handling) raised it, from bolt's first frame on."""
    frames = traceback.extract_tb(exc.__traceback__)
    inside = frames[next((i for i, f in enumerate(frames) if "slack_bolt" in f.filename), 0):]
    return any(f"{os.sep}bot{os.sep}" in f.filename for f in inside)


def check_dispatch(slack: Harness, errors: ErrorRecorder, raw: bytes, *, form: bool) -> None:
    """bolt answers (below 500) and quotebot raises nothing of its own.

    After the signature check bolt trusts Slack's envelope shapes (``authorizations`` a list, ``event`` an
    object); only Slack can sign, so bolt failing on a body Slack never sends is accepted (it reaches the
    one ``@app.error``), while anything raised in quotebot's listeners fails the test, unless it is Slack
    refusing a Web API call (as the real API would for odd ids).
    """
    errors.records.clear()
    try:
        status = dispatch(slack, raw, form=form)
    except Exception as exc:
        assert not raised_by_quotebot(exc), "".join(traceback.format_exception(exc))
        return
    assert status < 500 or errors.records, f"HTTP {status} without an error reported"  # 500: bolt's own failure
    ours = [r for r in errors.records if r.exc_info and r.exc_info[1] is not None
            and not isinstance(r.exc_info[1], SlackApiError) and raised_by_quotebot(r.exc_info[1])]
    assert not ours, "\n".join(logging.Formatter().format(r) for r in ours)
