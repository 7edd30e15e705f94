"""The estimator's input (PartSpec) and output (Estimate). All lengths in mm, money in the card's currency."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Route(StrEnum):
    PROTOTYPE = "prototype"
    PRODUCTION = "production"


class Severity(StrEnum):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"


class Size3(Frozen):
    x: float
    y: float
    z: float


class HoleFeature(Frozen):
    diameter_mm: float
    count: int = 1
    depth_mm: float | None = None
    threaded: bool = False
    thread: str | None = None


class ToleranceFeature(Frozen):
    """A toleranced size: the nominal and the total width of its tolerance zone."""

    nominal_mm: float
    band_mm: float
    label: str


class PartSpec(Frozen):
    """Everything the estimator needs about one part, already in mm.

    ``assumptions`` lists every default the caller applied while building the spec (units, material,
    thickness...); the estimator copies them into the estimate and adds its own.
    """

    name: str
    file: str | None = None
    part_number: str | None = None
    revision: str | None = None
    material: str
    envelope_mm: Size3
    removed_fraction: float = Field(default=0.5, ge=0.0, le=0.95)
    holes: tuple[HoleFeature, ...] = ()
    tolerances: tuple[ToleranceFeature, ...] = ()
    general_tolerance: str | None = None
    setups: int = Field(default=2, ge=1)
    finish: str | None = None
    feature_count: int = 0
    quantities: tuple[int, ...] = ()
    assumptions: tuple[str, ...] = ()


class CostLine(Frozen):
    """One line of the breakdown. ``per`` says how it scales: once, per batch or per part."""

    label: str
    per: str  # "order" | "batch" | "part"
    amount: Decimal
    detail: str = ""


class RouteQuote(Frozen):
    route: Route
    quantity: int
    unit_price: Decimal
    total: Decimal
    lead_time_days: int
    lines: tuple[CostLine, ...] = ()
    # Expedite option: no queue, machines run around the clock, at the card's premium on the total.
    expedite_unit_price: Decimal | None = None
    expedite_lead_time_days: int | None = None


class PriceBreak(Frozen):
    quantity: int
    route: Route
    unit_price: Decimal
    total: Decimal
    lead_time_days: int
    requested: bool = False
    routes: dict[Route, RouteQuote]


class ScaleUpWarning(Frozen):
    severity: Severity
    code: str
    message: str


class PartEstimate(Frozen):
    name: str
    file: str | None = None
    part_number: str | None = None
    revision: str | None = None
    material: str
    material_name: str
    stock_mm: Size3
    breaks: tuple[PriceBreak, ...]
    crossover_quantity: int | None = None
    warnings: tuple[ScaleUpWarning, ...] = ()
    assumptions: tuple[str, ...] = ()


class Estimate(Frozen):
    currency: str
    parts: tuple[PartEstimate, ...]
