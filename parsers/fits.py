"""ISO 286-1 limit deviations for fit classes ("H7", "k6"), used when a callout prints only the fit."""

from __future__ import annotations

import bisect
import re

# Upper bounds (mm) of the main size ranges: "over previous up to and including this".
_MAIN_MM = (3, 6, 10, 18, 30, 50, 80, 120, 180, 250, 315, 400, 500)
# Intermediate ranges, needed by the letters whose deviation changes inside a main range.
_FINE_MM = (
    3,
    6,
    10,
    14,
    18,
    24,
    30,
    40,
    50,
    65,
    80,
    100,
    120,
    140,
    160,
    180,
    200,
    225,
    250,
    280,
    315,
    355,
    400,
    450,
    500,
)

# Standard tolerance grades IT3..IT16 in µm per main range.
_IT_UM: dict[int, tuple[float, ...]] = {
    3: (2, 2.5, 2.5, 3, 4, 4, 5, 6, 8, 10, 12, 13, 15),
    4: (3, 4, 4, 5, 6, 7, 8, 10, 12, 14, 16, 18, 20),
    5: (4, 5, 6, 8, 9, 11, 13, 15, 18, 20, 23, 25, 27),
    6: (6, 8, 9, 11, 13, 16, 19, 22, 25, 29, 32, 36, 40),
    7: (10, 12, 15, 18, 21, 25, 30, 35, 40, 46, 52, 57, 63),
    8: (14, 18, 22, 27, 33, 39, 46, 54, 63, 72, 81, 89, 97),
    9: (25, 30, 36, 43, 52, 62, 74, 87, 100, 115, 130, 140, 155),
    10: (40, 48, 58, 70, 84, 100, 120, 140, 160, 185, 210, 230, 250),
    11: (60, 75, 90, 110, 130, 160, 190, 220, 250, 290, 320, 360, 400),
    12: (100, 120, 150, 180, 210, 250, 300, 350, 400, 460, 520, 570, 630),
    13: (140, 180, 220, 270, 330, 390, 460, 540, 630, 720, 810, 890, 970),
    14: (250, 300, 360, 430, 520, 620, 740, 870, 1000, 1150, 1300, 1400, 1550),
}

# Shaft fundamental deviations in µm per main range: es for a..h (upper), ei for k..s (lower).
_SHAFT_MAIN_UM: dict[str, tuple[int, ...]] = {
    "cd": (-34, -46, -56, -70, -85, -100, -120, -140, -170, -200, -230, -260, -290),
    "d": (-20, -30, -40, -50, -65, -80, -100, -120, -145, -170, -190, -210, -230),
    "e": (-14, -20, -25, -32, -40, -50, -60, -72, -85, -100, -110, -125, -135),
    "f": (-6, -10, -13, -16, -20, -25, -30, -36, -43, -50, -56, -62, -68),
    "g": (-2, -4, -5, -6, -7, -9, -10, -12, -14, -15, -17, -18, -20),
    "h": (0,) * 13,
    "k": (0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 5),  # grades 4..7; 0 otherwise
    "m": (2, 4, 6, 7, 8, 9, 11, 13, 15, 17, 20, 21, 23),
    "n": (4, 8, 10, 12, 15, 17, 20, 23, 27, 31, 34, 37, 40),
    "p": (6, 12, 15, 18, 22, 26, 32, 37, 43, 50, 56, 62, 68),
}
_SHAFT_FINE_UM: dict[str, tuple[int, ...]] = {
    "a": (
        -270,
        -270,
        -280,
        -290,
        -290,
        -300,
        -300,
        -310,
        -320,
        -340,
        -360,
        -380,
        -410,
        -460,
        -520,
        -580,
        -660,
        -740,
        -820,
        -920,
        -1050,
        -1200,
        -1350,
        -1500,
        -1650,
    ),
    "b": (
        -140,
        -140,
        -150,
        -150,
        -150,
        -160,
        -160,
        -170,
        -180,
        -190,
        -200,
        -220,
        -240,
        -260,
        -280,
        -310,
        -340,
        -380,
        -420,
        -480,
        -540,
        -600,
        -680,
        -760,
        -840,
    ),
    "c": (
        -60,
        -70,
        -80,
        -95,
        -95,
        -110,
        -110,
        -120,
        -130,
        -140,
        -150,
        -170,
        -180,
        -200,
        -210,
        -230,
        -240,
        -260,
        -280,
        -300,
        -330,
        -360,
        -400,
        -440,
        -480,
    ),
    "r": (
        10,
        15,
        19,
        23,
        23,
        28,
        28,
        34,
        34,
        41,
        43,
        51,
        54,
        63,
        65,
        68,
        77,
        80,
        84,
        94,
        98,
        108,
        114,
        126,
        132,
    ),
    "s": (
        14,
        19,
        23,
        28,
        28,
        35,
        35,
        43,
        43,
        53,
        59,
        71,
        79,
        92,
        100,
        108,
        122,
        130,
        140,
        158,
        170,
        190,
        208,
        232,
        252,
    ),
    "u": (
        18,
        23,
        28,
        33,
        33,
        41,
        48,
        60,
        70,
        87,
        102,
        124,
        144,
        170,
        190,
        210,
        236,
        258,
        284,
        315,
        350,
        390,
        435,
        490,
        540,
    ),
}
_UPPER_LETTERS = frozenset("a b c cd d e f g h".split())

_FIT_RE = re.compile(r"^([A-Za-z]{1,2})(\d{1,2})$")


def _index(bounds: tuple[int, ...], nominal_mm: float) -> int:
    return bisect.bisect_left(bounds, nominal_mm - 1e-9)


def _it_um(grade: int, main: int) -> float | None:
    row = _IT_UM.get(grade)
    return None if row is None else row[main]


def _shaft_fd_um(letter: str, grade: int, nominal_mm: float) -> float | None:
    """Fundamental deviation of a shaft letter (es for a..h, ei for k..u), µm."""
    if letter in _SHAFT_FINE_UM:
        return _SHAFT_FINE_UM[letter][_index(_FINE_MM, nominal_mm)]
    row = _SHAFT_MAIN_UM.get(letter)
    if row is None:
        return None
    if letter == "k" and not 4 <= grade <= 7:
        return 0.0
    return row[_index(_MAIN_MM, nominal_mm)]


def _shaft_um(letter: str, grade: int, nominal_mm: float) -> tuple[float, float] | None:
    it = _it_um(grade, _index(_MAIN_MM, nominal_mm))
    if it is None:
        return None
    if letter == "js":
        return it / 2, -it / 2
    fd = _shaft_fd_um(letter, grade, nominal_mm)
    if fd is None:
        return None
    if letter in _UPPER_LETTERS:
        return fd, fd - it
    return fd + it, fd


def _hole_um(letter: str, grade: int, nominal_mm: float) -> tuple[float, float] | None:
    main = _index(_MAIN_MM, nominal_mm)
    it = _it_um(grade, main)
    if it is None:
        return None
    if letter == "js":
        return it / 2, -it / 2
    if letter in _UPPER_LETTERS:  # A..H mirror the shaft: EI = -es
        fd = _shaft_fd_um(letter, grade, nominal_mm)
        return None if fd is None else (-fd + it, -fd)
    # K..ZC: ES = -ei, plus Δ = IT(n) - IT(n-1) for the fine grades (the Δ rule).
    lower_it = _it_um(grade - 1, main)
    delta = 0.0 if main == 0 or lower_it is None else it - lower_it
    ei_k = _SHAFT_MAIN_UM["k"][main]
    if letter == "k":
        es = -ei_k + delta if grade <= 8 else 0.0
    elif letter == "m":
        es = -_SHAFT_MAIN_UM["m"][main] + (delta if grade <= 8 else 0.0)
    elif letter == "n":
        n_ei = _SHAFT_MAIN_UM["n"][main]
        es = -n_ei + delta if grade <= 8 else (-n_ei if main == 0 else 0.0)
    else:
        fd = _shaft_fd_um(letter, grade, nominal_mm)
        if fd is None or letter in ("a", "b", "c"):
            return None
        es = -fd + (delta if grade <= 7 else 0.0)
    return es, es - it


def fit_deviations(fit: str, nominal_mm: float) -> tuple[float, float] | None:
    """ISO 286-1 limit deviations of one tolerance class.

    Args:
        fit: a hole class ("H7", uppercase letter) or shaft class ("k6", lowercase); for a pair
            ("H7/k6") the first (hole) class is used.
        nominal_mm: the nominal size in mm, 0 < size <= 500.

    Returns:
        (upper_mm, lower_mm) signed deviations, or None for an unknown class, grade or size.
    """
    match = _FIT_RE.match(fit.split("/")[0].strip())
    if match is None or not 0 < nominal_mm <= 500:
        return None
    letters, grade = match.group(1), int(match.group(2))
    if not 3 <= grade <= 14:
        return None
    if letters.isupper():
        result = _hole_um(letters.lower(), grade, nominal_mm)
    elif letters.islower():
        result = _shaft_um(letters, grade, nominal_mm)
    else:
        return None
    if result is None:
        return None
    upper_um, lower_um = result
    return round(upper_um / 1000, 4), round(lower_um / 1000, 4)
