"""One test per scale-up rule: it fires on a spec that breaks it, with its severity, not on a clean one."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from estimator import HoleFeature, PartSpec, Severity, Size3, ToleranceFeature, load_rate_card
from estimator.dfm import is_standard_thread
from estimator.rule_context import RuleContext
from estimator.scaleup import RULES
from estimator.strategy import build_facts, estimate_part
from estimator.tolerances import general_band_mm

CARD = load_rate_card()


def part(**update: object) -> PartSpec:
    spec = PartSpec(name="plate", material="6061-T6", envelope_mm=Size3(x=80, y=60, z=20),
                    holes=(HoleFeature(diameter_mm=6.0, count=2),), general_tolerance="ISO 2768-m",
                    quantities=(10,))
    return spec.model_copy(update=update)


def fired(spec: PartSpec) -> dict[str, Severity]:
    return {w.code: w.severity for w in estimate_part(spec, CARD).warnings}


def message(spec: PartSpec, code: str) -> str:
    return next(w.message for w in estimate_part(spec, CARD).warnings if w.code == code)


def ctx_of(spec: PartSpec) -> RuleContext:
    return RuleContext(spec=spec, facts=build_facts(spec, CARD), card=CARD, quantity=10,
                       unit_price=lambda s: Decimal(0))


def test_a_clean_part_fires_nothing() -> None:
    assert fired(part()) == {}


def test_every_rule_is_a_function_in_rules() -> None:
    assert len(RULES) == len({rule.__name__ for rule in RULES}) >= 10


@pytest.mark.parametrize(("band", "severity"), [(0.1, None), (0.05, None), (0.04, Severity.MAJOR),
                                                (0.01, Severity.MAJOR), (0.008, Severity.CRITICAL)])
def test_tight_tolerance(band: float, severity: Severity | None) -> None:
    spec = part(tolerances=(ToleranceFeature(nominal_mm=20, band_mm=band, label=f"Ø20 band {band}"),))
    assert fired(spec).get("tight_tolerance") == severity


def test_tight_tolerance_says_what_relaxing_saves() -> None:
    spec = part(tolerances=(ToleranceFeature(nominal_mm=20, band_mm=0.008, label="Ø20 H6"),))
    text = message(spec, "tight_tolerance")
    assert "grinding" in text and "ISO 2768-m" in text
    saved = re.search(r"saves about ([\d.]+) USD per part at 10 pcs", text)
    assert saved is not None and float(saved.group(1)) > 0


def test_general_band_from_iso_2768() -> None:
    assert general_band_mm(20, "m", CARD) == pytest.approx(0.4)  # ±0.2 over 6 up to 30
    assert general_band_mm(30, "f", CARD) == pytest.approx(0.2)  # boundary belongs to the lower row


@pytest.mark.parametrize(
    ("general", "qty", "expected"),
    [("ISO 2768-f", 500, Severity.MAJOR), ("ISO 2768-f", 10, None), ("ISO 2768-m", 500, None)],
)
def test_fine_general_tolerance_on_production(general: str, qty: int, expected: Severity | None) -> None:
    spec = part(general_tolerance=general, quantities=(qty,))
    assert fired(spec).get("fine_general_tolerance") == expected
    if expected:
        assert "saves about" in message(spec, "fine_general_tolerance")


@pytest.mark.parametrize(("diameter", "depth", "expected"), [(6.0, 20.0, None), (4.0, 20.0, Severity.MINOR),
                                                             (1.5, 20.0, Severity.MAJOR)])
def test_deep_holes(diameter: float, depth: float, expected: Severity | None) -> None:
    spec = part(holes=(HoleFeature(diameter_mm=diameter, depth_mm=depth),))
    assert fired(spec).get("deep_hole") == expected


@pytest.mark.parametrize(("size", "expected"), [((80, 60, 20), None), ((700, 300, 40), Severity.MINOR)])
def test_large_part_against_machine_travel(size: tuple[int, int, int], expected: Severity | None) -> None:
    assert fired(part(envelope_mm=Size3(x=size[0], y=size[1], z=size[2]))).get("large_part") == expected


@pytest.mark.parametrize(("z", "expected"), [(2.0, Severity.MAJOR), (6.0, None)])
def test_thin_part(z: float, expected: Severity | None) -> None:
    spec = part(envelope_mm=Size3(x=200, y=150, z=z), holes=())
    assert fired(spec).get("thin_part") == expected


@pytest.mark.parametrize(("material", "expected"), [("Ti-6Al-4V", Severity.MINOR), ("PEEK", Severity.MINOR),
                                                    ("6061-T6", None)])
def test_material_availability(material: str, expected: Severity | None) -> None:
    assert fired(part(material=material)).get("material_availability") == expected


def test_default_material_assumed() -> None:
    spec = part(assumptions=("material: 6061-T6 (the drawing does not say)",))
    assert fired(spec)["material_assumed"] is Severity.MAJOR
    assert "Aluminium 6061-T6" in message(spec, "material_assumed")
    assert "material_assumed" not in fired(part(assumptions=("units: millimetres",)))


def test_missing_general_tolerance() -> None:
    assert fired(part(general_tolerance=None))["general_tolerance_assumed"] is Severity.MINOR


@pytest.mark.parametrize(("setups", "expected"), [(3, None), (4, Severity.MINOR), (6, Severity.MAJOR)])
def test_many_setups(setups: int, expected: Severity | None) -> None:
    spec = part(setups=setups)
    assert fired(spec).get("many_setups") == expected
    if expected:
        assert "saves about" in message(spec, "many_setups")


@pytest.mark.parametrize(("material", "qty", "expected"), [("6061-T6", 5000, Severity.MAJOR),
                                                           ("POM", 5000, Severity.MAJOR),
                                                           ("304", 5000, None), ("6061-T6", 500, None)])
def test_near_net_process_at_volume(material: str, qty: int, expected: Severity | None) -> None:
    spec = part(material=material, quantities=(qty,))
    assert fired(spec).get("near_net_process") == expected
    if material == "POM" and expected:
        assert "Injection moulding" in message(spec, "near_net_process")


@pytest.mark.parametrize("material", ["6061-T6", "POM"])
def test_near_net_fires_from_its_break_even_quantity(material: str) -> None:
    near_net = estimate_part(part(material=material, quantities=(10,)), CARD).near_net
    assert near_net is not None and near_net.break_even_quantity is not None and not near_net.wins
    even = near_net.break_even_quantity
    assert "near_net_process" not in fired(part(material=material, quantities=(even - 1,)))
    at = estimate_part(part(material=material, quantities=(even,)), CARD)
    assert at.near_net is not None and at.near_net.wins and at.near_net.unit_price <= at.near_net.cnc_unit_price
    warning = next(w for w in at.warnings if w.code == "near_net_process")
    assert warning.saving_per_part == at.near_net.cnc_unit_price - at.near_net.unit_price


def test_no_near_net_process_for_stainless() -> None:
    assert estimate_part(part(material="304"), CARD).near_net is None


@pytest.mark.parametrize(("thread", "standard"), [("M6x1-6H", True), ("M6", True), ("M8x1", True),
                                                  ("M7x1", False), ("M6x0.75", False), ("1/4-20 UNC", True),
                                                  ("#10-32 UNF", True), ("1/4-32", False), ("G1/4", False)])
def test_standard_threads(thread: str, standard: bool) -> None:
    assert is_standard_thread(thread, CARD) is standard
    hole = HoleFeature(diameter_mm=6.0, count=1, threaded=True, thread=thread)
    assert fired(part(holes=(hole,))).get("non_standard_thread") == (None if standard else Severity.MAJOR)


@pytest.mark.parametrize(("depth", "expected"), [(None, None), (12.0, None), (13.0, Severity.MINOR)])
def test_thread_depth_over_2d(depth: float | None, expected: Severity | None) -> None:
    hole = HoleFeature(diameter_mm=6.0, count=2, threaded=True, thread="M6", thread_depth_mm=depth, depth_mm=16)
    assert fired(part(holes=(hole,))).get("thread_depth") == expected
    if expected:
        assert "saves about" in message(part(holes=(hole,)), "thread_depth")


@pytest.mark.parametrize(("material", "wall", "expected"), [("6061-T6", 1.0, None), ("6061-T6", 0.8, Severity.MAJOR),
                                                            ("6061-T6", 0.4, Severity.CRITICAL),
                                                            ("304", 1.2, Severity.MAJOR), ("304", 1.5, None)])
def test_thin_wall_against_the_materials_minimum(material: str, wall: float, expected: Severity | None) -> None:
    assert fired(part(material=material, min_wall_mm=wall)).get("thin_wall") == expected


@pytest.mark.parametrize(("wall", "depth", "expected"), [(2.0, 16.0, None), (2.0, 17.0, Severity.MAJOR),
                                                         (2.0, None, None)])
def test_wall_height_against_thickness(wall: float, depth: float | None, expected: Severity | None) -> None:
    assert fired(part(min_wall_mm=wall, max_pocket_depth_mm=depth)).get("wall_height") == expected


@pytest.mark.parametrize(("radius", "depth", "expected"), [(3.0, 9.0, None), (2.0, 9.0, Severity.MAJOR),
                                                           (0.3, None, Severity.CRITICAL), (1.0, None, None)])
def test_internal_radius_against_depth(radius: float, depth: float | None, expected: Severity | None) -> None:
    spec = part(min_internal_radius_mm=radius, max_pocket_depth_mm=depth)
    assert fired(spec).get("internal_radius") == expected


@pytest.mark.parametrize(("ra", "expected"), [(None, None), (1.6, None), (0.8, None), (0.4, Severity.MINOR)])
def test_fine_roughness(ra: float | None, expected: Severity | None) -> None:
    assert fired(part(roughness_ra_um=ra)).get("fine_roughness") == expected
    if expected:
        assert "saves about" in message(part(roughness_ra_um=ra), "fine_roughness")


def test_every_rule_is_checked_with_its_threshold_and_value() -> None:
    spec = part(tolerances=(ToleranceFeature(nominal_mm=20, band_mm=0.008, label="Ø20 H6"),))
    result = estimate_part(spec, CARD)
    assert [c.code for c in result.rule_checks] == [rule(ctx_of(spec)).check.code for rule in RULES]
    assert all(c.threshold and c.value for c in result.rule_checks)
    assert {c.code for c in result.rule_checks if c.fired} == {w.code for w in result.warnings}
    tight = next(c for c in result.rule_checks if c.code == "tight_tolerance")
    assert tight.severity is Severity.CRITICAL and "0.008" in tight.value and "0.05" in tight.threshold


@pytest.mark.parametrize(("revision", "qty", "expected"), [("C", 500, Severity.MINOR), ("C", 10, None),
                                                           (None, 500, None)])
def test_revision_at_production_volume(revision: str | None, qty: int, expected: Severity | None) -> None:
    assert fired(part(revision=revision, quantities=(qty,))).get("revision_control") == expected


def test_warnings_are_sorted_by_severity() -> None:
    spec = part(setups=4, general_tolerance=None,
                tolerances=(ToleranceFeature(nominal_mm=20, band_mm=0.005, label="Ø20 H5"),))
    order = [w.severity for w in estimate_part(spec, CARD).warnings]
    assert order == sorted(order, key=[Severity.CRITICAL, Severity.MAJOR, Severity.MINOR].index)
    assert order[0] is Severity.CRITICAL
