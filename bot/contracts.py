"""The stable JSON shapes other tools read: the quote contract of ``quotebot quote --json``."""

from __future__ import annotations

from typing import Any

from bot.reply import Reply
from estimator import PartEstimate


def _money(value: object) -> float:
    return float(str(value))


def part_to_contract(part: PartEstimate) -> dict[str, Any]:
    return {
        "file": part.file,
        "part_number": part.part_number,
        "revision": part.revision,
        "material": part.material_name,
        "material_key": part.material,
        "stock_mm": part.stock_mm.model_dump(),
        "breaks": [
            {
                "quantity": b.quantity,
                "route": b.route.value,
                "unit_price": _money(b.unit_price),
                "total": _money(b.total),
                "lead_time_days": float(b.lead_time_days),
                "requested": b.requested,
                "routes": {
                    route.value: {
                        "unit_price": _money(q.unit_price),
                        "total": _money(q.total),
                        "lead_time_days": float(q.lead_time_days),
                        "lines": [
                            {"label": line.label, "per": line.per, "amount": _money(line.amount),
                             "detail": line.detail}
                            for line in q.lines
                        ],
                    }
                    for route, q in b.routes.items()
                },
            }
            for b in part.breaks
        ],
        "crossover_quantity": part.crossover_quantity,
        "warnings": [w.model_dump(mode="json") for w in part.warnings],
        "assumptions": list(part.assumptions),
    }


def to_quote_contract(reply: Reply, *, currency: str) -> dict[str, Any]:
    return {
        "currency": currency,
        "quote_number": reply.quote_number,
        "parts": [part_to_contract(p.estimate) for p in reply.parts],
        "needs": list(reply.needs),
        "unreadable": [{"file": u.filename, "code": u.code} for u in reply.unreadable],
    }
