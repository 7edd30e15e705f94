"""The packaged rate card loads, cites its sources, and resolves material and finish names."""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from pathlib import Path

import pydantic
import pytest

from estimator import RateCard, find_material, load_rate_card
from estimator.rates import find_finish

CARD = load_rate_card()
DEFAULT_TOML = files("estimator").joinpath("rates/default.toml").read_text(encoding="utf-8")


def test_default_card_loads_with_its_defaults() -> None:
    assert isinstance(CARD, RateCard)
    assert CARD.currency == "USD"
    assert CARD.default_material == "6061-T6"
    assert CARD.default_general_tolerance == "ISO 2768-m"
    assert {"mill_3axis", "mill_5axis", "lathe"} <= set(CARD.machines)
    assert len(CARD.materials) >= 10
    assert {"anodize", "black_anodize", "hard_anodize", "passivate", "zinc_plate", "powder_coat",
            "bead_blast"} <= set(CARD.finishes)


def test_card_is_frozen() -> None:
    with pytest.raises(pydantic.ValidationError):
        CARD.queue_days = 0  # type: ignore[misc]


def test_every_value_cites_a_source_or_says_shop_assumption() -> None:
    uncited = []
    for number, line in enumerate(DEFAULT_TOML.splitlines(), start=1):
        code = line.split("#", 1)[0].strip()
        if not re.match(r"^[A-Za-z_][\w.\"-]*\s*=", code):
            continue
        key = code.split("=", 1)[0].strip()
        if key in ("name", "aliases"):
            continue
        comment = line.split("#", 1)[1] if "#" in line else ""
        if "§" not in comment and "shop assumption" not in comment and "dfm-rules" not in comment:
            uncited.append(f"line {number}: {line.strip()}")
    assert uncited == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("6061", "6061-T6"),
        ("AL 6061-T6", "6061-T6"),
        ("aluminium", "6061-T6"),
        ("Aluminum 7075-T6", "7075-T6"),
        ("304 stainless", "304"),
        ("SS304", "304"),
        ("Stainless steel 316L", "316"),
        ("Delrin", "POM"),
        ("POM", "POM"),
        ("brass", "C360"),
        ("1018 steel", "1018"),
        ("AISI 4140", "4140"),
        ("Ti-6Al-4V", "Ti-6Al-4V"),
        ("PEEK", "PEEK"),
        ("nylon 6/6", "PA66"),
    ],
)
def test_find_material_reads_free_text(text: str, key: str) -> None:
    assert find_material(CARD, text) == key


@pytest.mark.parametrize(
    ("key", "alias"), [(k, a) for k, m in sorted(CARD.materials.items()) for a in (k, *m.aliases)]
)
def test_every_material_resolves_by_key_and_aliases(key: str, alias: str) -> None:
    assert find_material(CARD, alias) == key
    assert find_material(CARD, alias.upper()) == key


@pytest.mark.parametrize("text", ["unobtainium", "", "   ", "inconel 718", "6al"])
def test_unknown_material_is_none(text: str) -> None:
    assert find_material(CARD, text) is None


@pytest.mark.parametrize(
    ("text", "key"),
    [("Black anodise", "black_anodize"), ("hard anodize type III", "hard_anodize"), ("anodize", "anodize"),
     ("bead blasted", "bead_blast"), ("chrome", None)],
)
def test_find_finish(text: str, key: str | None) -> None:
    assert find_finish(CARD, text) == key


def test_load_rate_card_from_a_path(tmp_path: Path) -> None:
    data = DEFAULT_TOML.replace("queue_days = 3 ", "queue_days = 9 ")
    path = tmp_path / "shop.toml"
    path.write_text(data, encoding="utf-8")
    assert load_rate_card(path).queue_days == 9
    assert load_rate_card(str(path)).queue_days == 9


def test_card_must_list_its_default_material() -> None:
    data = tomllib.loads(DEFAULT_TOML)
    data["default_material"] = "unobtainium"
    with pytest.raises(pydantic.ValidationError, match="default_material 'unobtainium' is not in"):
        RateCard.model_validate(data)


def test_sampling_table_is_ascending() -> None:
    lots = [lot for lot, _ in CARD.inspection.sampling]
    sizes = [n for _, n in CARD.inspection.sampling]
    assert lots == sorted(lots) and sizes == sorted(sizes)
    assert len(lots) == 15  # code letters A..Q without I and O


def _card_with(**changes: object) -> dict[str, object]:
    data: dict[str, object] = tomllib.loads(DEFAULT_TOML)
    data.update(changes)
    return data


def test_cmm_rate_below_the_inspector_rate_is_rejected() -> None:
    data = _card_with()
    data["inspection"] = {**data["inspection"], "cmm_rate": 10.0}  # type: ignore[dict-item]
    with pytest.raises(pydantic.ValidationError, match="cmm_rate"):
        RateCard.model_validate(data)


def test_roughness_tiers_need_a_last_tier_at_zero() -> None:
    data = _card_with(roughness_tiers=[{"min_ra_um": 3.2, "factor": 1.0}])
    with pytest.raises(pydantic.ValidationError, match="roughness_tiers"):
        RateCard.model_validate(data)


def test_a_material_naming_an_unknown_near_net_process_is_rejected() -> None:
    data = _card_with()
    materials = dict(data["materials"])  # type: ignore[call-overload]
    materials["POM"] = {**materials["POM"], "near_net": "sintering"}
    data["materials"] = materials
    with pytest.raises(pydantic.ValidationError, match="sintering"):
        RateCard.model_validate(data)


def test_machine_counts_and_standard_stock_are_on_the_card() -> None:
    assert CARD.machines["mill_3axis"].count > 1
    assert list(CARD.stock.plate_mm) == sorted(CARD.stock.plate_mm)
    assert list(CARD.stock.bar_mm) == sorted(CARD.stock.bar_mm)
    assert all(m.near_net in CARD.near_net for m in CARD.materials.values() if m.near_net)
