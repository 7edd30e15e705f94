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
    """Holes of one size. ``thread_depth_mm`` is the tapped length; None: the card's assumed engagement."""

    diameter_mm: float
    count: int = 1
    depth_mm: float | None = None
    threaded: bool = False
    thread: str | None = None
    thread_depth_mm: float | None = None


class ToleranceFeature(Frozen):
    """A toleranced size: the nominal and the total width of its tolerance zone."""

    nominal_mm: float
    band_mm: float
    label: str


class PartSpec(Frozen):
    """Everything the estimator needs about one part, already in mm.

    ``assumptions`` lists every default the caller applied while building the spec (units, material,
    thickness...); the estimator copies them into the estimate and adds its own.

    A turned part (``turned=True``, set when diameters dominate the drawing, e.g. a shaft) has a round
    envelope: ``envelope_mm.x`` = ``envelope_mm.y`` = the largest diameter, ``envelope_mm.z`` = the length;
    it is made from bar on the lathe. The optional DFM fields (wall, internal radius, pocket depth,
    roughness Ra in micrometres) feed the scale-up rules and the finishing time when the drawing gives them.
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
    turned: bool = False
    roughness_ra_um: float | None = Field(default=None, gt=0)
    min_wall_mm: float | None = Field(default=None, gt=0)
    min_internal_radius_mm: float | None = Field(default=None, ge=0)
    max_pocket_depth_mm: float | None = Field(default=None, gt=0)


class Term(Frozen):
    """One input of a cost line's formula: a named value with its unit ("h", "USD/h", "kg", "pcs")."""

    name: str
    value: Decimal
    unit: str


class CostLine(Frozen):
    """One line of the breakdown. ``per`` says how it scales: once, per batch or per part."""

    label: str
    per: str  # "order" | "batch" | "part"
    amount: Decimal
    detail: str = ""
    formula: str = ""  # how the inputs combine, e.g. "parts x min per part / 60 x rate"
    inputs: tuple[Term, ...] = ()


class LeadTime(Frozen):
    """Working days by cause; ``total_days`` is their sum rounded up to whole days."""

    queue_days: float
    sourcing_days: float
    programming_days: float
    machining_days: float
    machines: int  # machines of the type the run is spread over
    machine_hours: float
    finishing_days: float
    inspection_days: float
    total_days: int


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
    machine: str = ""  # the card's machine name the route is priced on
    lead_time: LeadTime | None = None


class PriceBreak(Frozen):
    quantity: int
    route: Route
    unit_price: Decimal
    total: Decimal
    lead_time_days: int
    requested: bool = False
    routes: dict[Route, RouteQuote]
    expedite_unit_price: Decimal | None = None
    expedite_lead_time_days: int | None = None


class ScaleUpWarning(Frozen):
    """A rule that fired. ``saving_per_part`` is set when the estimator priced the suggested change."""

    severity: Severity
    code: str
    message: str
    threshold: str = ""
    value: str = ""
    saving_per_part: Decimal | None = None


class RuleCheck(Frozen):
    """One scale-up rule as checked on a part: its threshold from the card, the value found, and the verdict."""

    code: str
    rule: str
    threshold: str
    value: str
    fired: bool
    severity: Severity | None = None


class NearNetOption(Frozen):
    """A near-net process (die casting, injection moulding) against the cheaper CNC route.

    ``break_even_quantity`` is the smallest order at which tooling plus near-net parts cost less than CNC
    (None: not within the search range); ``wins`` says whether it does at the reference quantity.
    """

    process: str
    name: str
    tooling: Decimal
    unit_price: Decimal
    reference_quantity: int
    cnc_unit_price: Decimal
    break_even_quantity: int | None
    wins: bool
    note: str = ""


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
    rule_checks: tuple[RuleCheck, ...] = ()
    near_net: NearNetOption | None = None


class Estimate(Frozen):
    currency: str
    parts: tuple[PartEstimate, ...]
