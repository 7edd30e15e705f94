"""The shop's rate card: a validated, frozen model of estimator/rates/default.toml or the shop's own."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

from pydantic import Field, model_validator

from estimator.models import Frozen


class Machine(Frozen):
    name: str
    hourly_rate: Decimal = Field(gt=0)
    travel_mm: tuple[float, float, float]
    setup_hours: float = Field(ge=0)
    setups_per_side: float = Field(gt=0, le=1)
    count: int = Field(default=1, ge=1)  # machines of this type in the shop


class Material(Frozen):
    name: str
    density: float = Field(gt=0)  # g/cm3
    price_per_kg: Decimal = Field(gt=0)
    removal_cm3_min: float = Field(gt=0)
    finishing_factor: float = Field(gt=0)
    stock_allowance_mm: float = Field(ge=0)
    lead_days: int = Field(ge=0)
    aliases: tuple[str, ...] = ()
    min_wall_mm: float | None = Field(default=None, gt=0)  # production
    min_wall_prototype_mm: float | None = Field(default=None, gt=0)
    near_net: str | None = None  # key of [near_net] that can make this material near net shape


class Finish(Frozen):
    name: str
    per_part: Decimal = Field(ge=0)
    lot_minimum: Decimal = Field(ge=0)
    extra_days: int = Field(ge=0)
    aliases: tuple[str, ...] = ()


class Programming(Frozen):
    rate: Decimal = Field(gt=0)
    hours: dict[str, float]
    moderate_from_score: int
    complex_from_score: int
    production_extra_hours: float = Field(ge=0)


class Fixtures(Frozen):
    soft_jaw_hours: float = Field(ge=0)
    soft_jaw_stock: Decimal = Field(ge=0)
    dedicated_fixture: Decimal = Field(ge=0)
    dedicated_setup_hours: float = Field(ge=0)
    vise_load_min: float = Field(ge=0)
    fixture_load_min: float = Field(ge=0)
    production_cycle_factor: float = Field(gt=0, le=1)


class Cutting(Frozen):
    finish_area_cm2_per_min: float = Field(gt=0)
    machined_area_factor: float = Field(ge=0)
    hole_base_min: float = Field(ge=0)
    hole_min_per_mm: float = Field(ge=0)
    tap_min: float = Field(ge=0)
    tool_change_min: float = Field(ge=0)
    deep_hole_factor: dict[str, float]
    deep_hole_ratio: dict[str, float]
    toleranced_feature_min: float = Field(ge=0)
    deburr_min: float = Field(ge=0)
    production_deburr_min: float = Field(ge=0)
    bench_rate: Decimal = Field(ge=0)
    tool_wear_per_part: Decimal = Field(ge=0)


class RoughnessTier(Frozen):
    min_ra_um: float = Field(ge=0)
    factor: float = Field(ge=1)


class Stock(Frozen):
    """Standard sizes the shop buys: plate thicknesses and round bar diameters (mm), sawn to length."""

    plate_mm: tuple[float, ...]
    bar_mm: tuple[float, ...]
    saw_step_mm: float = Field(gt=0)


class Threads(Frozen):
    """Threads the shop taps from stock: metric size -> pitches (mm); unified designations ("1/4-20")."""

    metric: dict[str, tuple[float, ...]]
    unified: tuple[str, ...]
    max_depth_ratio: float = Field(gt=0)
    assumed_depth_ratio: float = Field(gt=0)


class Capacity(Frozen):
    max_share: float = Field(gt=0, le=1)
    split_after_days: float = Field(gt=0)


class NearNetProcess(Frozen):
    """A bought-in near-net process priced as tooling + batch setup + per part (cycle + net kg x price)."""

    name: str
    tooling: dict[str, Decimal]  # by CAM complexity tier: simple, moderate, complex
    per_part: Decimal = Field(ge=0)
    per_kg: Decimal | None = None  # None: the material's own price per kg
    yield_fraction: float = Field(gt=0, le=1)
    batch_setup: Decimal = Field(ge=0)


class ToleranceTier(Frozen):
    min_band_mm: float = Field(ge=0)
    factor: float = Field(ge=1)


class Inspection(Frozen):
    rate: Decimal = Field(gt=0)
    fai_hours_per_characteristic: float = Field(ge=0)
    measure_min_per_characteristic: float = Field(ge=0)
    sampling: tuple[tuple[int, int], ...]  # (lot size up to, sample size), ascending
    cmm_rate: Decimal = Field(gt=0)
    cmm_band_mm: float = Field(ge=0)
    cmm_program_hours: float = Field(ge=0)


class Rules(Frozen):
    tight_band_major_mm: float
    tight_band_critical_mm: float
    production_quantity: int
    many_setups_minor: int
    many_setups_major: int
    large_part_travel_fraction: float
    thin_part_mm: float
    thin_part_aspect: float
    slow_sourcing_days: int
    expensive_material_per_kg: Decimal
    near_net_quantity: int
    internal_radius_depth_ratio: float
    min_internal_radius_mm: float
    wall_height_ratio: float
    fine_roughness_ra_um: float


class GeneralTolerances(Frozen):
    """ISO 2768-1 linear tolerances (± mm) per class, on the rows ``up_to_mm``."""

    up_to_mm: tuple[float, ...]
    f: tuple[float, ...]
    m: tuple[float, ...]
    c: tuple[float, ...]
    v: tuple[float, ...]


class RateCard(Frozen):
    """Everything the estimator charges for. Money in ``currency``, lengths in mm, times as named."""

    currency: str
    default_material: str
    default_general_tolerance: str
    margin_fraction: Decimal = Field(ge=0)
    scrap_fraction: Decimal = Field(ge=0, lt=1)
    queue_days: int = Field(ge=0)
    shop_hours_per_day: float = Field(gt=0)
    office_hours_per_day: float = Field(gt=0)
    expedite_premium_fraction: Decimal = Field(ge=0)
    expedite_shop_hours_per_day: float = Field(gt=0)
    bulk_from_kg: float = Field(ge=0)
    bulk_discount_fraction: Decimal = Field(ge=0, lt=1)
    general_tolerance_factor: dict[str, float]
    machines: dict[str, Machine]
    programming: Programming
    fixtures: Fixtures
    cutting: Cutting
    tolerance_tiers: tuple[ToleranceTier, ...]
    roughness_tiers: tuple[RoughnessTier, ...]
    stock: Stock
    threads: Threads
    capacity: Capacity
    near_net: dict[str, NearNetProcess]
    inspection: Inspection
    rules: Rules
    general_tolerances: GeneralTolerances
    materials: dict[str, Material]
    finishes: dict[str, Finish]

    @model_validator(mode="after")
    def _check_references(self) -> RateCard:
        if self.default_material not in self.materials:
            raise ValueError(f"default_material {self.default_material!r} is not in [materials]")
        if "mill_3axis" not in self.machines:
            raise ValueError("[machines] needs a 'mill_3axis' entry (the prototype route's machine)")
        if not self.tolerance_tiers or min(t.min_band_mm for t in self.tolerance_tiers) != 0:
            raise ValueError("tolerance_tiers needs a last tier with min_band_mm = 0")
        if not self.roughness_tiers or min(t.min_ra_um for t in self.roughness_tiers) != 0:
            raise ValueError("roughness_tiers needs a last tier with min_ra_um = 0")
        if self.inspection.cmm_rate < self.inspection.rate:
            raise ValueError("inspection.cmm_rate must not be below the inspector rate")
        for key, mat in self.materials.items():
            if mat.near_net is not None and mat.near_net not in self.near_net:
                raise ValueError(f"material {key!r}: near_net {mat.near_net!r} is not in [near_net]")
        return self


def load_rate_card(path: str | Path | None = None) -> RateCard:
    """Read and validate a rate card.

    Args:
        path: a TOML file; None reads the card packaged with the estimator (estimator/rates/default.toml).

    Returns:
        The validated, frozen card.

    Raises:
        OSError: the file cannot be read.
        tomllib.TOMLDecodeError: the file is not valid TOML.
        pydantic.ValidationError: a value is missing or out of range.
    """
    if path is None:
        text = files("estimator").joinpath("rates/default.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return RateCard.model_validate(tomllib.loads(text))


def _normalise(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip().lower())


def _match_names(card: RateCard, key: str) -> tuple[str, ...]:
    return (key.lower(), *(a.lower() for a in card.materials[key].aliases))


def _best_alias_match(text: str, names: dict[str, tuple[str, ...]]) -> str | None:
    """The key whose alias occurs as whole words in ``text``; grade numbers beat words, then length."""
    best: tuple[bool, int, str] | None = None
    for key, aliases in names.items():
        for alias in aliases:
            if re.search(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z0-9])", text):
                score = (any(ch.isdigit() for ch in alias), len(alias), key)
                if best is None or score[:2] > best[:2]:
                    best = score
    return best[2] if best else None


def find_material(card: RateCard, text: str) -> str | None:
    """Map free text ("AL 6061-T6", "SS304", "Delrin") to a material key of the card.

    Args:
        card: the rate card whose keys and aliases are searched.
        text: what the drawing or the customer wrote.

    Returns:
        The material key, or None when nothing on the card matches.
    """
    wanted = _normalise(text)
    if not wanted:
        return None
    names = {key: _match_names(card, key) for key in card.materials}
    for key, aliases in names.items():
        if wanted in aliases:
            return key
    return _best_alias_match(wanted, names)


def find_finish(card: RateCard, text: str) -> str | None:
    """Map free text ("black anodise", "Type III") to a finish key of the card.

    Args:
        card: the rate card.
        text: the finish as written.

    Returns:
        The finish key, or None when nothing matches.
    """
    wanted = _normalise(text)
    names = {
        key: (key.replace("_", " "), f.name.lower(), *(a.lower() for a in f.aliases))
        for key, f in card.finishes.items()
    }
    for key, aliases in names.items():
        if wanted in aliases:
            return key
    return _best_alias_match(wanted, names) if wanted else None
