"""Why a price is what it is: the breakdown of one route at one quantity, grouped one-off / per batch / per
part with each line's formula and inputs, the lead time by cause, and every scale-up rule checked. Pure."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from estimator.cost import MARGIN_LABEL
from estimator.errors import QuantityNotPriced
from estimator.models import (
    CostLine,
    Frozen,
    LeadTime,
    NearNetOption,
    PartEstimate,
    Route,
    RuleCheck,
    Term,
)

GROUPS = (("order", "one-off"), ("batch", "per batch"), ("part", "per part"), (MARGIN_LABEL, "margin"))
_CENT = Decimal("0.01")


class ExplainLine(Frozen):
    label: str
    amount: Decimal  # the line's total for the order
    per_part: Decimal  # amount / quantity, to the cent
    formula: str
    inputs: tuple[Term, ...]
    detail: str


class ExplainGroup(Frozen):
    per: str  # "order" | "batch" | "part" | "margin"
    title: str
    lines: tuple[ExplainLine, ...]
    subtotal: Decimal
    per_part: Decimal


class Explanation(Frozen):
    """One route at one quantity, every number with where it comes from."""

    part: str
    quantity: int
    route: Route
    chosen: bool  # the route the quote recommends at this quantity
    machine: str
    unit_price: Decimal
    total: Decimal
    groups: tuple[ExplainGroup, ...]
    lead_time_days: int
    lead_time: LeadTime | None
    expedite_unit_price: Decimal | None
    expedite_lead_time_days: int | None
    other_routes: dict[Route, Decimal]  # unit price of the other route(s) at this quantity
    crossover_quantity: int | None
    rules: tuple[RuleCheck, ...]
    near_net: NearNetOption | None
    assumptions: tuple[str, ...]


def _line(line: CostLine, quantity: int) -> ExplainLine:
    return ExplainLine(label=line.label, amount=line.amount,
                       per_part=(line.amount / quantity).quantize(_CENT, rounding=ROUND_HALF_UP),
                       formula=line.formula, inputs=line.inputs, detail=line.detail)


def explain(part: PartEstimate, quantity: int, *, route: Route | None = None) -> Explanation:
    """Explain the price of ``part`` at ``quantity``.

    Args:
        part: an estimate from ``estimate()``.
        quantity: one of the estimate's price breaks.
        route: the route to explain; None explains the one the quote recommends.

    Returns:
        The breakdown grouped one-off / per batch / per part / margin, lead time by cause, every rule checked.

    Raises:
        QuantityNotPriced: ``quantity`` is not one of ``part.breaks``.
    """
    found = next((b for b in part.breaks if b.quantity == quantity), None)
    if found is None:
        raise QuantityNotPriced(quantity, priced=tuple(b.quantity for b in part.breaks))
    chosen_route = route or found.route
    quote = found.routes[chosen_route]
    groups = []
    for per, title in GROUPS:
        members = [
            line for line in quote.lines
            if (line.label == MARGIN_LABEL if per == MARGIN_LABEL else line.per == per and line.label != MARGIN_LABEL)
        ]
        if members:
            subtotal = sum((m.amount for m in members), Decimal(0))
            groups.append(ExplainGroup(
                per=per, title=title, lines=tuple(_line(m, quantity) for m in members), subtotal=subtotal,
                per_part=(subtotal / quantity).quantize(_CENT, rounding=ROUND_HALF_UP),
            ))
    return Explanation(
        part=part.name, quantity=quantity, route=chosen_route, chosen=chosen_route is found.route,
        machine=quote.machine, unit_price=quote.unit_price, total=quote.total, groups=tuple(groups),
        lead_time_days=quote.lead_time_days, lead_time=quote.lead_time,
        expedite_unit_price=quote.expedite_unit_price, expedite_lead_time_days=quote.expedite_lead_time_days,
        other_routes={r: q.unit_price for r, q in found.routes.items() if r is not chosen_route},
        crossover_quantity=part.crossover_quantity, rules=part.rule_checks, near_net=part.near_net,
        assumptions=part.assumptions,
    )


def _value(term: Term) -> str:
    return f"{term.value.normalize():f} {term.unit}".strip()


def render_explanation_text(expl: Explanation, *, currency: str) -> str:
    """Plain text of an explanation, for the CLI's --explain and the chat's "why" / "breakdown".

    Args:
        expl: from ``explain()``.
        currency: the estimate's currency code.

    Returns:
        Lines of text, no trailing newline.
    """
    out = [f"{expl.part}: {expl.quantity} pcs, {expl.route.value} route on the {expl.machine}"
           f"{'' if expl.chosen else ' (not the recommended route)'}: {expl.unit_price} {currency} each, "
           f"{expl.total} {currency} total"]
    for group in expl.groups:
        out.append(f"  {group.title}: {group.subtotal} {currency} ({group.per_part} per part)")
        for line in group.lines:
            inputs = ", ".join(f"{t.name} {_value(t)}" for t in line.inputs)
            out.append(f"    {line.label}: {line.amount} = {line.formula} [{inputs}]")
    if expl.lead_time is not None:
        lt = expl.lead_time
        out.append(
            f"  lead time {expl.lead_time_days} working days = queue {lt.queue_days:g} + sourcing "
            f"{lt.sourcing_days:g} + programming {lt.programming_days:.1f} + machining {lt.machining_days:.1f} "
            f"({lt.machine_hours:.1f} machine h on {lt.machines} machine(s)) + finishing {lt.finishing_days:g} + "
            f"inspection {lt.inspection_days:.1f}, rounded up"
        )
    if expl.expedite_unit_price is not None:
        out.append(f"  expedite: {expl.expedite_unit_price} {currency} each in {expl.expedite_lead_time_days} days")
    for other, price in expl.other_routes.items():
        out.append(f"  {other.value} route: {price} {currency} each; crossover at {expl.crossover_quantity} pcs")
    if expl.near_net is not None:
        nn = expl.near_net
        even = f"break-even {nn.break_even_quantity} pcs" if nn.break_even_quantity else "no break-even"
        out.append(f"  {nn.name}: tooling {nn.tooling} {currency}, {nn.unit_price} {currency} each at "
                   f"{nn.reference_quantity} pcs vs CNC {nn.cnc_unit_price}; {even}")
    out.append("  scale-up rules:")
    for check in expl.rules:
        verdict = f"FIRED ({check.severity.value})" if check.fired and check.severity else "ok"
        out.append(f"    [{verdict}] {check.rule}: threshold {check.threshold}; found {check.value}")
    return "\n".join(out)
