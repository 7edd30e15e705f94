"""Sender policy on fixtures/email/*.eml: robots and lists ignored, allowlist, own address, rate limit."""

from __future__ import annotations

import pytest

from bot.email.policy import RateLimiter, Verdict, classify, is_allowed
from tests.email.test_translate import load

OWN = "quotes@shop.example"


@pytest.mark.parametrize(
    ("name", "verdict"),
    [
        ("plain_no_quantity", Verdict.ANSWER),
        ("gmail_reply", Verdict.ANSWER),
        ("bounce", Verdict.AUTOMATED),
        ("auto_reply", Verdict.AUTOMATED),
        ("mailing_list", Verdict.LIST),
    ],
)
def test_fixture_verdicts(name: str, verdict: Verdict) -> None:
    assert classify(load(name), own_address=OWN, allow=()) is verdict


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Auto-Submitted", "auto-generated"),
        ("X-Autoreply", "yes"),
        ("Return-Path", "<>"),
        ("From", "MAILER-DAEMON@customer.example"),
        ("From", "no-reply@customer.example"),
        ("Subject", "Out of Office: back Monday"),
        ("Precedence", "bulk"),
        ("List-Unsubscribe", "<mailto:leave@lists.example>"),
    ],
)
def test_robot_headers_are_never_answered(header: str, value: str) -> None:
    msg = load("dwg")
    del msg[header]
    msg[header] = value
    assert classify(msg, own_address=OWN, allow=()) in (Verdict.AUTOMATED, Verdict.LIST)


def test_auto_submitted_no_is_a_person() -> None:
    msg = load("dwg")
    msg["Auto-Submitted"] = "no"
    assert classify(msg, own_address=OWN, allow=()) is Verdict.ANSWER


def test_own_address_and_missing_sender() -> None:
    msg = load("dwg")
    msg.replace_header("From", "Quotes <QUOTES@shop.example>")
    assert classify(msg, own_address=OWN, allow=()) is Verdict.OWN
    del msg["From"]
    assert classify(msg, own_address=OWN, allow=()) is Verdict.NO_SENDER


def test_outside_the_allowlist_is_acknowledged() -> None:
    assert classify(load("dwg"), own_address=OWN, allow=("supplier.example",)) is Verdict.ACKNOWLEDGE
    assert classify(load("dwg"), own_address=OWN, allow=("customer.example",)) is Verdict.ANSWER


@pytest.mark.parametrize(
    ("address", "allow", "allowed"),
    [
        ("a@customer.example", (), True),
        ("a@customer.example", ("customer.example",), True),
        ("A@Customer.Example", ("customer.example",), True),
        ("a@eu.customer.example", ("customer.example",), True),
        ("a@badcustomer.example", ("customer.example",), False),
        ("a@customer.example", ("b@customer.example",), False),
        ("b@customer.example", ("b@customer.example",), True),
    ],
)
def test_is_allowed(address: str, allow: tuple[str, ...], allowed: bool) -> None:
    assert is_allowed(address, allow) is allowed


def test_rate_limit_is_a_sliding_window_per_sender() -> None:
    now = [0.0]
    limiter = RateLimiter(count=2, window_s=60, clock=lambda: now[0])
    assert [limiter.allow("a@x.example") for _ in range(3)] == [True, True, False]
    assert limiter.allow("B@x.example") is True
    now[0] = 59.0
    assert limiter.allow("A@X.example") is False
    now[0] = 60.5
    assert limiter.allow("a@x.example") is True
