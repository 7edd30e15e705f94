"""ISO 286-1 deviations, checked against the published limit tables (values in µm)."""

from __future__ import annotations

import pytest

from parsers.fits import fit_deviations

# Standard tolerance grades IT5..IT11 (µm) for a nominal inside each range (ISO 286-1 table 1).
IT_TABLE = {
    2: (4, 6, 10, 14, 25, 40, 60),
    5: (5, 8, 12, 18, 30, 48, 75),
    8: (6, 9, 15, 22, 36, 58, 90),
    15: (8, 11, 18, 27, 43, 70, 110),
    25: (9, 13, 21, 33, 52, 84, 130),
    40: (11, 16, 25, 39, 62, 100, 160),
    60: (13, 19, 30, 46, 74, 120, 190),
    100: (15, 22, 35, 54, 87, 140, 220),
    150: (18, 25, 40, 63, 100, 160, 250),
    200: (20, 29, 46, 72, 115, 185, 290),
    300: (23, 32, 52, 81, 130, 210, 320),
    350: (25, 36, 57, 89, 140, 230, 360),
    450: (27, 40, 63, 97, 155, 250, 400),
}


@pytest.mark.parametrize("nominal", sorted(IT_TABLE))
@pytest.mark.parametrize("grade", range(5, 12))
def test_h_hole_band_is_the_standard_grade(nominal: int, grade: int) -> None:
    assert fit_deviations(f"H{grade}", nominal) == (IT_TABLE[nominal][grade - 5] / 1000, 0.0)
    assert fit_deviations(f"h{grade}", nominal) == (0.0, -IT_TABLE[nominal][grade - 5] / 1000)


# Limit deviations (upper, lower) in µm, from the ISO 286-2 hole and shaft tables.
HOLES = {
    "H6": {5: (8, 0), 8: (9, 0), 15: (11, 0), 25: (13, 0), 40: (16, 0), 60: (19, 0), 100: (22, 0)},
    "H9": {5: (30, 0), 8: (36, 0), 15: (43, 0), 25: (52, 0), 40: (62, 0), 60: (74, 0), 100: (87, 0)},
    "G7": {5: (16, 4), 8: (20, 5), 15: (24, 6), 25: (28, 7), 40: (34, 9), 60: (40, 10), 100: (47, 12)},
    "F7": {5: (22, 10), 8: (28, 13), 15: (34, 16), 25: (41, 20), 40: (50, 25), 60: (60, 30), 100: (71, 36)},
    "K7": {5: (3, -9), 8: (5, -10), 15: (6, -12), 25: (6, -15), 40: (7, -18), 60: (9, -21), 100: (10, -25)},
    "N7": {
        5: (-4, -16),
        8: (-4, -19),
        15: (-5, -23),
        25: (-7, -28),
        40: (-8, -33),
        60: (-9, -39),
        100: (-10, -45),
    },
    "P7": {
        5: (-8, -20),
        8: (-9, -24),
        15: (-11, -29),
        25: (-14, -35),
        40: (-17, -42),
        60: (-21, -51),
        100: (-24, -59),
    },
}
SHAFTS = {
    "h9": {5: (0, -30), 8: (0, -36), 15: (0, -43), 25: (0, -52), 40: (0, -62), 60: (0, -74), 100: (0, -87)},
    "g6": {
        5: (-4, -12),
        8: (-5, -14),
        15: (-6, -17),
        25: (-7, -20),
        40: (-9, -25),
        60: (-10, -29),
        100: (-12, -34),
    },
    "f7": {
        5: (-10, -22),
        8: (-13, -28),
        15: (-16, -34),
        25: (-20, -41),
        40: (-25, -50),
        60: (-30, -60),
        100: (-36, -71),
    },
    "k6": {5: (9, 1), 8: (10, 1), 15: (12, 1), 25: (15, 2), 40: (18, 2), 60: (21, 2), 100: (25, 3)},
    "m6": {5: (12, 4), 8: (15, 6), 15: (18, 7), 25: (21, 8), 40: (25, 9), 60: (30, 11), 100: (35, 13)},
    "n6": {5: (16, 8), 8: (19, 10), 15: (23, 12), 25: (28, 15), 40: (33, 17), 60: (39, 20), 100: (45, 23)},
    "p6": {5: (20, 12), 8: (24, 15), 15: (29, 18), 25: (35, 22), 40: (42, 26), 60: (51, 32), 100: (59, 37)},
}
CASES = [(fit, n, dev) for table in (HOLES, SHAFTS) for fit, rows in table.items() for n, dev in rows.items()]


@pytest.mark.parametrize(("fit", "nominal", "expected_um"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_limit_deviations_match_the_tables(fit: str, nominal: float, expected_um: tuple[int, int]) -> None:
    assert fit_deviations(fit, nominal) == (expected_um[0] / 1000, expected_um[1] / 1000)


@pytest.mark.parametrize(
    ("fit", "nominal", "expected"),
    [
        ("H7", 10, (0.015, 0.0)),  # worked example: Ø10 H7 -> 10.000-10.015
        ("h6", 10, (0.0, -0.009)),
        ("g6", 10, (-0.005, -0.014)),
        ("H7", 29, (0.021, 0.0)),
        ("H7", 18, (0.018, 0.0)),  # a boundary belongs to the lower range
        ("H7", 18.001, (0.021, 0.0)),
        ("H7/k6", 10, (0.015, 0.0)),  # a pair: the hole's class
        ("JS7", 10, (0.0075, -0.0075)),
        ("js6", 25, (0.0065, -0.0065)),
        ("M7", 15, (0.0, -0.018)),
        ("S7", 15, (-0.021, -0.039)),
        ("s6", 15, (0.039, 0.028)),
        ("r6", 60, (0.060, 0.041)),
        ("d9", 25, (-0.065, -0.117)),
        ("e8", 25, (-0.040, -0.073)),
        ("c11", 25, (-0.110, -0.240)),
        ("K8", 15, (0.008, -0.019)),
        ("N9", 15, (0.0, -0.043)),
        ("P9", 10, (-0.015, -0.051)),
        ("H11", 97.66, (0.220, 0.0)),
    ],
)
def test_worked_examples(fit: str, nominal: float, expected: tuple[float, float]) -> None:
    assert fit_deviations(fit, nominal) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("fit", "nominal"),
    [("H7", 0), ("H7", 501), ("Q7", 10), ("H", 10), ("H99", 10), ("Hh7", 10), ("", 10), ("H2", 10)],
)
def test_unknown_class_or_size_is_none(fit: str, nominal: float) -> None:
    assert fit_deviations(fit, nominal) is None
