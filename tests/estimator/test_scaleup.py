"""One test per scale-up rule: it fires on a spec that breaks it, with its severity, not on a clean one."""

from __future__ import annotations

import re

import pytest

from estimator import HoleFeature, PartSpec, Severity, Size3, ToleranceFeature, load_rate_card
from estimator.scaleup import RULES, general_band_mm
from estimator.strategy import estimate_part

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


@pytest.mark.parametrize(("material", "qty", "expected"), [("6061-T6", 5000, Severity.MINOR),
                                                           ("POM", 5000, Severity.MINOR),
                                                           ("304", 5000, None), ("6061-T6", 500, None)])
def test_near_net_process_at_volume(material: str, qty: int, expected: Severity | None) -> None:
    spec = part(material=material, quantities=(qty,))
    assert fired(spec).get("near_net_process") == expected
    if material == "POM" and expected:
        assert "injection moulding" in message(spec, "near_net_process")


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
