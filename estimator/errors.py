"""Errors raised when a part cannot be priced by the estimator at all.

* EstimateError
  + UnknownMaterial          (also ValueError): the spec names a material the rate card does not list
  + OutsideMachineEnvelope   (also ValueError): the stock does not fit the travel of any mill on the card
  + QuantityNotPriced        (also ValueError): explain() was asked for a quantity the estimate did not price

Everything short of that (tight tolerances, deep holes, assumed material...) is not an error: it becomes
a ScaleUpWarning or an assumption on the PartEstimate.
"""

from __future__ import annotations


class EstimateError(Exception):
    """Base class: the part needs a human quote."""


class UnknownMaterial(EstimateError, ValueError):
    """The material text matches no material key or alias on the rate card.

    Attributes:
        name: the text as given.
        choices: the card's material keys, sorted.
    """

    def __init__(self, name: str, *, choices: tuple[str, ...]) -> None:
        super().__init__(f"unknown material {name!r}; the rate card lists: {', '.join(choices)}")
        self.name = name
        self.choices = choices


class OutsideMachineEnvelope(EstimateError, ValueError):
    """The stock is larger than the travel of every mill on the card.

    Attributes:
        stock_mm: the stock size (x, y, z) in mm.
        largest_travel_mm: the largest machine travel (x, y, z) in mm on the card.
    """

    def __init__(
        self, *, stock_mm: tuple[float, float, float], largest_travel_mm: tuple[float, float, float]
    ) -> None:
        stock = " x ".join(f"{v:g}" for v in stock_mm)
        travel = " x ".join(f"{v:g}" for v in largest_travel_mm)
        super().__init__(f"stock {stock} mm does not fit any machine (largest travel {travel} mm)")
        self.stock_mm = stock_mm
        self.largest_travel_mm = largest_travel_mm


class QuantityNotPriced(EstimateError, ValueError):
    """An explanation was asked for a quantity that is not one of the estimate's price breaks.

    Attributes:
        quantity: the quantity asked.
        priced: the quantities the estimate holds, ascending.
    """

    def __init__(self, quantity: int, *, priced: tuple[int, ...]) -> None:
        super().__init__(f"quantity {quantity} was not priced; priced: {', '.join(str(q) for q in priced)}")
        self.quantity = quantity
        self.priced = priced
