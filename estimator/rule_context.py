"""What a scale-up rule sees (RuleContext) and what it returns (Verdict: the check and any warning). Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from estimator.facts import PartFacts
from estimator.models import NearNetOption, PartSpec, RuleCheck, ScaleUpWarning, Severity
from estimator.rates import RateCard


@dataclass(frozen=True)
class RuleContext:
    """What a rule may look at: the spec, the resolved facts, the card, the largest quantity priced, a pricer
    returning the cheaper route's exact unit price for a variant of the spec at that quantity, and the
    near-net comparison when the material has one."""

    spec: PartSpec
    facts: PartFacts
    card: RateCard
    quantity: int
    unit_price: Callable[[PartSpec], Decimal]
    near_net: NearNetOption | None = None

    def saved(self, variant: PartSpec) -> Decimal | None:
        """Unit price saved by a variant of the spec at the reference quantity, to the cent (None: nothing)."""
        saved = self.unit_price(self.spec) - self.unit_price(variant)
        return saved.quantize(Decimal("0.01")) if saved >= Decimal("0.005") else None

    def saving_text(self, saved: Decimal | None) -> str:
        """'; saves about X USD per part at N pcs', or '' when nothing is saved."""
        if saved is None:
            return ""
        return f"; saves about {saved:.2f} {self.card.currency} per part at {self.quantity} pcs"


class Found(TypedDict):
    """A rule's threshold from the card and the value found on the part, as text with units."""

    threshold: str
    value: str


@dataclass(frozen=True)
class Verdict:
    check: RuleCheck
    warning: ScaleUpWarning | None


def verdict(
    code: str,
    rule: str,
    *,
    threshold: str,
    value: str,
    severity: Severity | None = None,
    message: str = "",
    saving: Decimal | None = None,
) -> Verdict:
    """A rule's outcome: fired when ``severity`` is given, with its message and priced saving.

    Args:
        code: the rule's stable code.
        rule: what the rule checks, in a few words.
        threshold: the card's threshold, with units.
        value: what the part has, with units ("none" when the spec does not say).
        severity: None when the rule did not fire.
        message: the warning text (rule, threshold, suggestion, saving).
        saving: the unit price the suggestion saves, when priced.

    Returns:
        The check, and the warning when it fired.
    """
    check = RuleCheck(code=code, rule=rule, threshold=threshold, value=value, fired=severity is not None,
                      severity=severity)
    if severity is None:
        return Verdict(check, None)
    warning = ScaleUpWarning(severity=severity, code=code, message=message, threshold=threshold, value=value,
                             saving_per_part=saving)
    return Verdict(check, warning)
