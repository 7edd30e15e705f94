"""Fuzzing the Slack edge: mutated event and interaction payloads never make translation raise, and a
signed request with any body is answered by the real bolt App without an error of ours.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from bot.models import InboundMessage
from bot.slack.translate import SlackFile, action_thread, to_file_refs, to_inbound_message
from tests.fuzz.corpus import seeds, slack_seeds
from tests.fuzz.guard import bounded, fuzz
from tests.fuzz.mutate import mutate_bytes
from tests.fuzz.slack_harness import ErrorRecorder, Harness, check_dispatch
from tests.fuzz.slack_mutate import mutated_payload


def check_translate(body: Any) -> None:
    with bounded(5, what="translating a Slack payload"):
        inbound = to_inbound_message(body)
        files = to_file_refs(body)
        if isinstance(body, dict) and body.get("type") == "block_actions":
            action_thread(body)
    assert inbound is None or isinstance(inbound, InboundMessage)
    assert all(isinstance(f, SlackFile) for f in files)


@fuzz(ci=400)
@given(body=mutated_payload(slack_seeds()))
def test_translation_of_mutated_payloads(body: dict[str, Any]) -> None:
    check_translate(body)


def encoded(body: dict[str, Any]) -> tuple[bytes, bool]:
    if body.get("type") == "block_actions":
        return urlencode({"payload": json.dumps(body)}).encode(), True
    return json.dumps(body).encode(), False


@fuzz(ci=30)
@given(body=mutated_payload(slack_seeds()))
def test_signed_requests_with_mutated_payloads(slack: Harness, errors: ErrorRecorder, body: dict[str, Any]) -> None:
    raw, form = encoded(body)
    check_dispatch(slack, errors, raw, form=form)


@fuzz(ci=30)
@given(raw=mutate_bytes(seeds("slack")), form=st.booleans())
def test_signed_requests_with_mutated_bytes(slack: Harness, errors: ErrorRecorder, raw: bytes, form: bool) -> None:
    """Bodies that are not JSON, not UTF-8 or not a form: bolt answers, nothing of ours raises."""
    check_dispatch(slack, errors, urlencode({"payload": raw}).encode() if form else raw, form=form)


def test_seed_payloads_are_answered(slack: Harness, errors: ErrorRecorder) -> None:
    """The seeds go through the same checks and reach the listeners: drawings are downloaded and answered."""
    for body in slack_seeds():
        raw, form = encoded(body)
        check_dispatch(slack, errors, raw, form=form)
    assert {c.args.get("file") for c in slack.peer.calls_to("download")} == {"F00000001", "F00000002"}
    assert slack.peer.calls_to("chat.update") and not errors.records
