"""Every input the fuzzers found failing, replayed: fixtures/fuzz/regressions/<kind>/ (see its README)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import Attachment, Channel, InboundMessage, ThreadKey
from bot.pipeline import Deps, handle
from tests.fuzz import test_fuzz_email, test_fuzz_slack
from tests.fuzz.corpus import KINDS, REGRESSIONS, regressions
from tests.fuzz.guard import bounded
from tests.fuzz.slack_harness import ErrorRecorder, Harness, check_dispatch
from tests.fuzz.test_fuzz_drawings import check_parse


def _ids(path: Path) -> str:
    return path.name


def test_every_saved_input_has_a_known_kind() -> None:
    assert {p.name for p in REGRESSIONS.iterdir() if p.is_dir()} <= set(KINDS)


@pytest.mark.parametrize("path", regressions("dxf") + regressions("pdf"), ids=_ids)
def test_drawing(path: Path) -> None:
    """Parsed in process with OCR as configured: only ParseError, within the time and memory guard."""
    check_parse(path.read_bytes(), path.name)


@pytest.mark.parametrize("path", regressions("dxf") + regressions("pdf"), ids=_ids)
def test_drawing_through_the_pipeline(served_deps: Deps, path: Path) -> None:
    """Attached with a quantity, as a customer would send it: the pipeline answers (isolated parse)."""
    inbound = InboundMessage(
        thread=ThreadKey(channel=Channel.CHAT, id=f"regression-{path.name}"), dedupe_key=f"regression-{path.name}",
        text="500 pcs", attachments=(Attachment(filename=path.name, data=path.read_bytes()),),
        received_at=datetime(2026, 11, 27, tzinfo=UTC))
    with bounded(60, what=f"answering {path.name}"):
        reply = handle(inbound, served_deps)
    assert reply is not None and reply.text.strip()


@pytest.mark.parametrize("path", regressions("email"), ids=_ids)
def test_email(served_deps: Deps, path: Path) -> None:
    raw = path.read_bytes()
    test_fuzz_email.check_translate(raw)
    test_fuzz_email.check_channel(served_deps, raw)


@pytest.mark.postgres
@pytest.mark.parametrize("path", regressions("email"), ids=_ids)
def test_email_on_postgres(postgres_deps: Deps, path: Path) -> None:
    test_fuzz_email.check_channel(postgres_deps, path.read_bytes())


@pytest.mark.parametrize("path", regressions("slack"), ids=_ids)
def test_slack(slack: Harness, errors: ErrorRecorder, path: Path) -> None:
    body = json.loads(path.read_bytes())
    test_fuzz_slack.check_translate(body)
    raw, form = test_fuzz_slack.encoded(body)
    check_dispatch(slack, errors, raw, form=form)
