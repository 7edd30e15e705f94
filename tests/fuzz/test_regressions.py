"""Every input the fuzzers found failing, replayed: fixtures/fuzz/regressions/<kind>/ (see its README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.pipeline import Deps
from tests.fuzz import test_fuzz_email, test_fuzz_slack
from tests.fuzz.corpus import KINDS, REGRESSIONS, regressions
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
