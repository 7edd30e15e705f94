"""The part resolved against the rate card (PartFacts), a route's plan (RoutePlan), and formula inputs. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from estimator.models import PartSpec, Route, Size3, Term
from estimator.rates import Material
from estimator.stock import stock_volume_cm3


@dataclass(frozen=True)
class PartFacts:
    """What every route needs to know about the part, resolved against the card once."""

    spec: PartSpec
    material_key: str
    material: Material
    stock: Size3
    finish_key: str | None
    characteristics: int
    # Per-card results that every route and quantity reuse (cycle minutes, inspection time), keyed by card id.
    memo: dict[tuple[str, int], Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def stock_kg(self) -> float:
        return stock_volume_cm3(self.stock, turned=self.spec.turned) * self.material.density / 1000.0


@dataclass(frozen=True)
class RoutePlan:
    """How a route makes the part: machine, clampings, workholding, inspection."""

    route: Route
    machine_key: str
    operations: int
    dedicated_fixture: bool
    full_inspection: bool


class RawTerm(NamedTuple):
    """A formula input before it becomes a Term (cheap: most lines priced are never shown)."""

    name: str
    value: float | Decimal
    unit: str

    def to_term(self) -> Term:
        """The Term, a float kept to 4 decimals (display only: amounts are computed exactly)."""
        value = self.value if isinstance(self.value, Decimal) else Decimal(str(round(self.value, 4)))
        return Term(name=self.name, value=value, unit=self.unit)


term = RawTerm
