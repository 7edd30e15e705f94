"""Logging: correlation ids, JSON lines, secret redaction, and what a parse worker logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.isolation import isolated_parse
from bot.logs import (
    NO_CID,
    RedactSecrets,
    configure_logging,
    correlated,
    correlation_id,
    current_cid,
)
from bot.models import Attachment, Channel, InboundMessage, ThreadKey
from bot.pipeline import Deps, handle
from bot.render import make_environment
from bot.store import SqlThreadStore
from estimator import load_rate_card
from parsers import ParsedDrawing, parse_drawings
from tests.conftest import fixture_path

TOKEN = "xoxb-1234-secret-token-value"
PASSWORD = "p@ss:w/rd-91"


def noisy_parse(data: bytes, filename: str) -> tuple[ParsedDrawing, ...]:
    """Runs in the worker: logs like a library would, then parses."""
    logging.getLogger("parsers.noisy").warning("odd entity in %s", filename)
    logging.getLogger("parsers.noisy").debug("a detail nobody asked for")
    return parse_drawings(data, filename)


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[Path]:
    """configure_logging for a test (stderr plus a file), the previous configuration restored after."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, logging.getLogger("ezdxf").level)
    yield tmp_path / "quotebot.log"
    for handler in root.handlers:
        if handler not in saved[0]:
            handler.close()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logging.getLogger("ezdxf").setLevel(saved[2])
    logging.captureWarnings(False)


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_correlation_id_is_stable_and_scoped() -> None:
    assert correlation_id("<m1@customer.example>") == correlation_id("<m1@customer.example>")
    assert correlation_id("a") != correlation_id("b") and len(correlation_id("a")) == 12
    assert current_cid() == NO_CID
    with correlated("outer") as outer:
        assert current_cid() == outer == correlation_id("outer")
        with correlated("inner"):
            assert current_cid() == correlation_id("inner")
        assert current_cid() == outer
    assert current_cid() == NO_CID


def test_json_lines_carry_the_correlation_id(logs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging({"QUOTEBOT_LOG_FORMAT": "json", "QUOTEBOT_LOG_FILE": str(logs)}, default_level=logging.INFO)
    log = logging.getLogger("bot.test")
    log.info("outside")
    with correlated("slack:C1:1764201001.000001"):
        log.info("inside %s", "a message")
    found = records(logs)
    assert [(r["message"], r["cid"], r["level"], r["logger"]) for r in found] == [
        ("outside", "-", "INFO", "bot.test"),
        ("inside a message", correlation_id("slack:C1:1764201001.000001"), "INFO", "bot.test"),
    ]
    assert capsys.readouterr().err.count("\n") == 2  # stderr gets the same lines


def test_text_format_shows_the_correlation_id(logs: Path) -> None:
    configure_logging({"QUOTEBOT_LOG_FILE": str(logs), "QUOTEBOT_LOG_LEVEL": "debug"})
    with correlated("k"):
        logging.getLogger("bot.test").debug("hello")
    assert f"DEBUG bot.test [cid={correlation_id('k')}]: hello" in logs.read_text()


@pytest.mark.parametrize(("environ", "message"), [
    ({"QUOTEBOT_LOG_FORMAT": "xml"}, "QUOTEBOT_LOG_FORMAT: expected 'text' or 'json', got 'xml'"),
    ({"QUOTEBOT_LOG_LEVEL": "loud"}, "QUOTEBOT_LOG_LEVEL: expected DEBUG, INFO, WARNING or ERROR, got 'LOUD'"),
])
def test_bad_log_settings_name_the_variable(logs: Path, environ: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as info:
        configure_logging(environ)
    assert str(info.value) == message


def test_secrets_are_redacted_in_messages_arguments_and_tracebacks(logs: Path) -> None:
    redactor = configure_logging({"QUOTEBOT_LOG_FORMAT": "json", "QUOTEBOT_LOG_FILE": str(logs)},
                                 default_level=logging.INFO)
    redactor.add([TOKEN, PASSWORD, "", "short"])
    log = logging.getLogger("bot.test")
    log.info("token %s", TOKEN)
    log.info(f"url imap://quotes:{PASSWORD.replace('@', '%40').replace(':', '%3A').replace('/', '%2F')}@host/")
    try:
        raise RuntimeError(f"connect failed with {PASSWORD}")
    except RuntimeError:
        log.exception("boom")
    log.info("a short word stays")
    text = logs.read_text()
    assert TOKEN not in text and PASSWORD not in text and "p%40ss" not in text
    found = records(logs)
    assert found[0]["message"] == "token ***"
    assert found[1]["message"] == "url imap://quotes:***@host/"
    assert "connect failed with ***" in str(found[2]["exc_info"])
    assert found[3]["message"] == "a short word stays"


def test_redaction_filter_alone() -> None:
    redactor = RedactSecrets([TOKEN])
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s and %d", (TOKEN, 3), None)
    assert redactor.filter(record) and record.getMessage() == "*** and 3"
    broken = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %s", ("only one",), None)
    assert redactor.filter(broken)  # a malformed call is left for the handler to report


def test_every_line_about_a_message_carries_its_id_worker_logs_included(logs: Path, tmp_path: Path) -> None:
    configure_logging({"QUOTEBOT_LOG_FORMAT": "json", "QUOTEBOT_LOG_FILE": str(logs)}, default_level=logging.INFO)
    parse = isolated_parse(timeout_s=60, memory_mb=2048, target=noisy_parse)
    with SqlThreadStore(f"sqlite:///{tmp_path / 'q.db'}") as store:
        deps = Deps(store=store, card=load_rate_card(), env=make_environment(), parse=parse,
                    now=lambda: datetime(2026, 11, 27, tzinfo=UTC))
        message = InboundMessage(
            thread=ThreadKey(channel=Channel.CHAT, id="t"), dedupe_key="chat:logs-1", text="10 pcs",
            attachments=(Attachment(filename="bracket.dxf", data=fixture_path("dxf/bracket.dxf").read_bytes()),),
            received_at=datetime(2026, 11, 27, tzinfo=UTC))
        handle(message, deps)
    found = [r for r in records(logs) if str(r["logger"]).startswith(("bot.", "parsers."))]
    cid = correlation_id("chat:logs-1")
    assert [str(r["message"]).split()[0] for r in found] == ["stored", "answering", "odd", "handled"]
    assert {r["cid"] for r in found} == {cid}
    worker = next(r for r in found if r["logger"] == "parsers.noisy")
    assert worker["message"] == "odd entity in bracket.dxf" and str(worker["worker"]).startswith("parse-")
