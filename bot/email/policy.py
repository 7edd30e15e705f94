"""Who gets an answer: robots, lists and our own mail never; others per allowlist and a per-sender rate limit.

Pure: headers in, a Verdict out; the rate limiter takes its clock as an argument.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from email.message import Message
from enum import StrEnum

from bot.email.translate import sender_address

_ROBOT_LOCALPARTS = re.compile(r"^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)(?:[+.-].*)?$", re.I)
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:auto(?:matic)?[ -]?reply|out of (?:the )?office|abwesenheitsnotiz|r[ée]ponse automatique|"
    r"undeliver(?:able|ed)|delivery status notification|mail delivery (?:failed|failure|subsystem)|"
    r"returned mail|failure notice)\b",
    re.I,
)
_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


class Verdict(StrEnum):
    ANSWER = "answer"
    ACKNOWLEDGE = "acknowledge"  # outside the allowlist: a short acknowledgement, flagged for sales
    OWN = "own"  # sent by us
    AUTOMATED = "automated"  # auto-reply, bounce, delivery report
    LIST = "list"  # mailing list or bulk
    RATE_LIMITED = "rate-limited"
    NO_SENDER = "no-sender"


def is_allowed(address: str, allow: tuple[str, ...]) -> bool:
    """True when the allowlist is empty, names the address, or names its domain (or a parent domain)."""
    if not allow:
        return True
    address = address.lower()
    domain = address.rpartition("@")[2]
    return any(entry == address or entry == domain or domain.endswith("." + entry) for entry in allow)


def automated_reason(msg: Message) -> Verdict | None:
    """AUTOMATED or LIST when headers show a robot or a list sent the message, else None."""
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    if auto and not auto.startswith("no"):
        return Verdict.AUTOMATED
    if msg.get("X-Autoreply") or msg.get("X-Autorespond") or msg.get("X-Auto-Reply"):
        return Verdict.AUTOMATED
    if msg.get_content_type() == "multipart/report":
        return Verdict.AUTOMATED  # delivery and read reports (RFC 6522)
    if str(msg.get("Return-Path", "")).strip() == "<>":
        return Verdict.AUTOMATED  # the null sender: bounces
    localpart = sender_address(msg).partition("@")[0]
    if _ROBOT_LOCALPARTS.match(localpart):
        return Verdict.AUTOMATED
    if _AUTO_SUBJECT.match(str(msg.get("Subject", ""))):
        return Verdict.AUTOMATED
    if str(msg.get("Precedence", "")).strip().lower() in _BULK_PRECEDENCE:
        return Verdict.LIST
    if any(msg.get(h) for h in ("List-Id", "List-Unsubscribe", "List-Post")):
        return Verdict.LIST
    return None


def classify(msg: Message, *, own_address: str, allow: tuple[str, ...]) -> Verdict:
    """What to do with a message before rate limiting: answer, acknowledge, or ignore (and why)."""
    sender = sender_address(msg)
    if not sender:
        return Verdict.NO_SENDER
    if sender == own_address.lower():
        return Verdict.OWN
    reason = automated_reason(msg)
    if reason is not None:
        return reason
    return Verdict.ANSWER if is_allowed(sender, allow) else Verdict.ACKNOWLEDGE


class RateLimiter:
    """At most ``count`` messages per sender in any ``window_s`` seconds (a sliding window)."""

    def __init__(self, *, count: int, window_s: float, clock: Callable[[], float]) -> None:
        self.count = count
        self.window_s = window_s
        self.clock = clock
        self.seen: dict[str, deque[float]] = {}

    def allow(self, sender: str) -> bool:
        """Record one message from ``sender``; False when it is over the limit (then it is not counted)."""
        now = self.clock()
        times = self.seen.setdefault(sender.lower(), deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if len(times) >= self.count:
            return False
        times.append(now)
        return True
