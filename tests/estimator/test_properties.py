"""Hypothesis properties of the cost model: monotone in quantity, tolerance and size; lines add up."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from estimator import HoleFeature, PartSpec, Route, Size3, ToleranceFeature, load_rate_card
from estimator.strategy import estimate_part

CARD = load_rate_card()
SETTINGS = settings(max_examples=40, deadline=None)
ROUGHNESS = [3.2, 1.6, 0.8, 0.4, 0.2]

sizes = st.floats(min_value=5.0, max_value=250.0, allow_nan=False)
holes = st.builds(HoleFeature, diameter_mm=st.floats(min_value=1.0, max_value=20.0),
                  count=st.integers(min_value=1, max_value=8),
                  depth_mm=st.none() | st.floats(min_value=1.0, max_value=60.0), threaded=st.booleans())
tolerances = st.builds(ToleranceFeature, nominal_mm=st.floats(min_value=1.0, max_value=200.0),
                       band_mm=st.floats(min_value=0.002, max_value=0.5), label=st.just("size"))


@st.composite
def specs(draw: st.DrawFn) -> PartSpec:
    return PartSpec(
        name="p",
        material=draw(st.sampled_from(sorted(CARD.materials))),
        envelope_mm=Size3(x=draw(sizes), y=draw(sizes), z=draw(sizes)),
        removed_fraction=draw(st.floats(min_value=0.0, max_value=0.95)),
        holes=tuple(draw(st.lists(holes, max_size=3))),
        tolerances=tuple(draw(st.lists(tolerances, max_size=3))),
        general_tolerance=draw(st.sampled_from([None, "ISO 2768-f", "ISO 2768-m", "ISO 2768-c"])),
        setups=draw(st.integers(min_value=1, max_value=6)),
        finish=draw(st.sampled_from([None, "anodize", "bead blast", "powder coat"])),
        feature_count=draw(st.integers(min_value=0, max_value=40)),
        turned=draw(st.booleans()),
        roughness_ra_um=draw(st.none() | st.sampled_from(ROUGHNESS)),
    )


def unit_prices(spec: PartSpec, quantities: tuple[int, ...]) -> dict[int, dict[str, Decimal]]:
    """Unit price per priced quantity: of each route (by its name) and of the chosen one ("chosen")."""
    part = estimate_part(spec.model_copy(update={"quantities": quantities}), CARD)
    return {
        b.quantity: {**{r.value: q.unit_price for r, q in b.routes.items()}, "chosen": b.unit_price}
        for b in part.breaks
    }


@SETTINGS
@given(specs(), st.lists(st.integers(min_value=1, max_value=20000), min_size=2, max_size=4, unique=True))
def test_unit_price_never_rises_with_quantity(spec: PartSpec, quantities: list[int]) -> None:
    prices = unit_prices(spec, tuple(quantities))
    ordered = sorted(prices)
    for key in (Route.PROTOTYPE.value, Route.PRODUCTION.value, "chosen"):
        series = [prices[q][key] for q in ordered]
        assert series == sorted(series, reverse=True), (key, list(zip(ordered, series, strict=True)))


@SETTINGS
@given(specs(), st.integers(min_value=1, max_value=20000))
def test_total_is_the_sum_of_the_lines(spec: PartSpec, quantity: int) -> None:
    for b in estimate_part(spec.model_copy(update={"quantities": (quantity,)}), CARD).breaks:
        for quote in b.routes.values():
            assert quote.total == sum((line.amount for line in quote.lines), Decimal(0))
            assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in quote.lines)


quantity = st.integers(min_value=1, max_value=5000)
scales = st.tuples(*(st.floats(min_value=1.0, max_value=1.5),) * 3)


@SETTINGS
@given(specs(), tolerances, st.floats(min_value=0.05, max_value=1.0), quantity)
def test_a_tighter_tolerance_never_costs_less(
    spec: PartSpec, tol: ToleranceFeature, shrink: float, qty: int
) -> None:
    loose = spec.model_copy(update={"tolerances": (*spec.tolerances, tol)})
    tight = spec.model_copy(update={"tolerances": (*spec.tolerances, tol.model_copy(
        update={"band_mm": tol.band_mm * shrink}))})
    a, b = unit_prices(loose, (qty,))[qty], unit_prices(tight, (qty,))[qty]
    assert all(b[k] >= a[k] for k in a)


@SETTINGS
@given(specs(), scales, quantity)
def test_a_larger_part_never_costs_less(
    spec: PartSpec, scale: tuple[float, float, float], qty: int
) -> None:
    e = spec.envelope_mm
    bigger = Size3(x=e.x * scale[0], y=e.y * scale[1], z=e.z * scale[2])
    larger = spec.model_copy(update={"envelope_mm": bigger})
    a, b = unit_prices(spec, (qty,))[qty], unit_prices(larger, (qty,))[qty]
    assert all(b[k] >= a[k] for k in a)


@SETTINGS
@given(specs(), st.sampled_from(ROUGHNESS), st.sampled_from(ROUGHNESS), quantity)
def test_a_finer_roughness_never_costs_less(spec: PartSpec, ra_a: float, ra_b: float, qty: int) -> None:
    coarse, fine = max(ra_a, ra_b), min(ra_a, ra_b)
    a = unit_prices(spec.model_copy(update={"roughness_ra_um": coarse}), (qty,))[qty]
    b = unit_prices(spec.model_copy(update={"roughness_ra_um": fine}), (qty,))[qty]
    assert all(b[k] >= a[k] for k in a)


@SETTINGS
@given(specs(), st.lists(st.integers(min_value=1, max_value=20000), min_size=2, max_size=4, unique=True))
def test_lead_time_never_falls_with_quantity_within_a_route(spec: PartSpec, quantities: list[int]) -> None:
    part = estimate_part(spec.model_copy(update={"quantities": tuple(quantities)}), CARD)
    for route in Route:
        days = [b.routes[route].lead_time_days for b in part.breaks]
        assert days == sorted(days), route
