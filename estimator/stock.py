"""The blank a part is cut from: standard plate or round bar from the rate card, its weight and its price. Pure."""

from __future__ import annotations

import math
from decimal import Decimal

from estimator.models import PartSpec, Size3
from estimator.rates import Material, RateCard


def _round_up(value_mm: float, step_mm: float) -> float:
    return math.ceil(round(value_mm / step_mm, 9)) * step_mm


def standard_size(needed_mm: float, sizes: tuple[float, ...], step_mm: float) -> float:
    """The smallest standard size at least ``needed_mm``; above the table, rounded up to the saw step.

    Args:
        needed_mm: the size the part needs, allowance included.
        sizes: the card's standard sizes in mm.
        step_mm: the saw step in mm.

    Returns:
        The stock size in mm.
    """
    fitting = [s for s in sizes if s >= needed_mm - 1e-9]
    return min(fitting) if fitting else _round_up(needed_mm, step_mm)


def build_stock(spec: PartSpec, material: Material, card: RateCard) -> Size3:
    """The blank for one part, with the material's allowance on every side.

    A milled part is sawn from the thinnest standard plate that holds its smallest size; its other two sizes
    are rounded up to the saw step. A turned part (x = y = diameter, z = length) is sawn from the smallest
    standard round bar that holds its diameter, the length rounded up to the saw step.

    Args:
        spec: the part (envelope in mm).
        material: the card's material entry (stock allowance in mm per side).
        card: the rate card (standard sizes and saw step).

    Returns:
        Stock size in mm (for a bar: x = y = bar diameter).
    """
    st, extra = card.stock, 2 * material.stock_allowance_mm
    e = spec.envelope_mm
    if spec.turned:
        bar = standard_size(max(e.x, e.y) + extra, st.bar_mm, st.saw_step_mm)
        return Size3(x=bar, y=bar, z=_round_up(e.z + extra, st.saw_step_mm))
    sizes = [e.x, e.y, e.z]
    thin = sizes.index(min(sizes))
    out = [
        standard_size(v + extra, st.plate_mm, st.saw_step_mm) if i == thin else _round_up(v + extra, st.saw_step_mm)
        for i, v in enumerate(sizes)
    ]
    return Size3(x=out[0], y=out[1], z=out[2])


def stock_volume_cm3(stock: Size3, *, turned: bool) -> float:
    """Volume of a blank in cm3: a block, or a cylinder of diameter x and length z."""
    if turned:
        return math.pi / 4 * stock.x * stock.x * stock.z / 1000.0
    return stock.x * stock.y * stock.z / 1000.0


def part_volume_cm3(spec: PartSpec) -> float:
    """Envelope volume of the finished part's envelope in cm3 (a cylinder for a turned part)."""
    e = spec.envelope_mm
    if spec.turned:
        d = max(e.x, e.y)
        return math.pi / 4 * d * d * e.z / 1000.0
    return e.x * e.y * e.z / 1000.0


def part_area_cm2(spec: PartSpec) -> float:
    """Surface of the part's envelope in cm2 (a cylinder with its two ends for a turned part)."""
    e = spec.envelope_mm
    if spec.turned:
        d = max(e.x, e.y)
        return (math.pi * d * e.z + math.pi * d * d / 2) / 100.0
    return 2 * (e.x * e.y + e.x * e.z + e.y * e.z) / 100.0


def material_cost(order_kg: float, price_per_kg: Decimal, card: RateCard) -> Decimal:
    """Stock for the order: the first ``bulk_from_kg`` at the small-lot price, the rest at the bulk price.

    Continuous and increasing in weight, with a falling average price, so neither a larger order nor a
    larger part can ever pay less in total.

    Args:
        order_kg: stock weight of the whole order in kg.
        price_per_kg: the material's small-lot price in the card's currency.
        card: the rate card (bulk threshold and discount).

    Returns:
        The order's material cost.
    """
    small = min(order_kg, card.bulk_from_kg)
    bulk_price = price_per_kg * (1 - card.bulk_discount_fraction)
    return Decimal(small) * price_per_kg + Decimal(order_kg - small) * bulk_price
