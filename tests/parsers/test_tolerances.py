"""The callout grammar: printed text in, Callout out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.models import DimensionKind
from parsers.tolerances import clean_mtext, parse_callout, parse_general_tolerance

L, D, R, A, T, C = (
    DimensionKind.LINEAR,
    DimensionKind.DIAMETER,
    DimensionKind.RADIUS,
    DimensionKind.ANGULAR,
    DimensionKind.THREAD,
    DimensionKind.CHAMFER,
)

# text -> (nominal, kind, upper, lower, fit, count)
CALLOUTS = [
    ("25", (25.0, L, None, None, None, 1)),
    ("25 ±0.05", (25.0, L, 0.05, -0.05, None, 1)),
    ("25±0,05", (25.0, L, 0.05, -0.05, None, 1)),
    ("25 +/-0.1", (25.0, L, 0.1, -0.1, None, 1)),
    ("31.83%%p0.1", (31.83, L, 0.1, -0.1, None, 1)),
    ("Ø10 H7", (10.0, D, 0.015, 0.0, "H7", 1)),
    ("%%c10 H7", (10.0, D, 0.015, 0.0, "H7", 1)),
    ("⌀10 H7", (10.0, D, 0.015, 0.0, "H7", 1)),
    ("ø35\\~H6", (35.0, D, 0.016, 0.0, "H6", 1)),
    ("Ø10H7/k6", (10.0, D, 0.015, 0.0, "H7/k6", 1)),
    ("Ø10 h6", (10.0, D, 0.0, -0.009, "h6", 1)),
    ("10 P9", (10.0, L, -0.015, -0.051, "P9", 1)),
    ("Ø12 H7 (+0.018/0)", (12.0, D, 0.018, 0.0, "H7", 1)),
    ("4X Ø6.6 THRU", (6.6, D, None, None, None, 4)),
    ("4 x Ø6.6", (6.6, D, None, None, None, 4)),
    ("Ø8 (4X)", (8.0, D, None, None, None, 4)),
    ("Ø6.6 THRU ALL", (6.6, D, None, None, None, 1)),
    ("6xR10", (10.0, R, None, None, None, 6)),
    ("2X R3 TYP", (3.0, R, None, None, None, 2)),
    ("R5", (5.0, R, None, None, None, 1)),
    ("M6x1-6H", (6.0, T, None, None, None, 1)),
    ("M6", (6.0, T, None, None, None, 1)),
    ("4X M5 THRU", (5.0, T, None, None, None, 4)),
    ("M10x1.5 - 6g", (10.0, T, None, None, None, 1)),
    ("1/4-20 UNC-2B", (0.25, T, None, None, None, 1)),
    ("3/8-16 UNC", (0.375, T, None, None, None, 1)),
    ("#10-32 UNF", (0.19, T, None, None, None, 1)),
    ("12 +0.1/-0.05", (12.0, L, 0.1, -0.05, None, 1)),
    ("12 +0.2/0", (12.0, L, 0.2, 0.0, None, 1)),
    ("12 +0.1 -0.05", (12.0, L, 0.1, -0.05, None, 1)),
    ("25 0/-0.02", (25.0, L, 0.0, -0.02, None, 1)),
    ("38.3\\S+0.2^ 0;", (38.3, L, 0.2, 0.0, None, 1)),
    ("\\A1;75\\S0^ -0.05;", (75.0, L, 0.0, -0.05, None, 1)),
    ("{\\H0.7x;25}{\\S+0.1^-0.05;}", (25.0, L, 0.1, -0.05, None, 1)),
    ("5.80-5.85", (5.80, L, 0.05, 0.0, None, 1)),
    ("8.20/8.00", (8.0, L, 0.2, 0.0, None, 1)),
    ("Ø8.00/8.20", (8.0, D, 0.2, 0.0, None, 1)),
    ("45°", (45.0, A, None, None, None, 1)),
    ("30%%d", (30.0, A, None, None, None, 1)),
    ("45° ±0.5°", (45.0, A, 0.5, -0.5, None, 1)),
    ("1x45°", (1.0, C, None, None, None, 1)),
    ("1.5x45%%d", (1.5, C, None, None, None, 1)),
    ("0.5 X 45°", (0.5, C, None, None, None, 1)),
    ("C1", (1.0, C, None, None, None, 1)),
    ("4X 1x45°", (1.0, C, None, None, None, 4)),
    ("(25)", (25.0, L, None, None, None, 1)),
    ("[25]", (25.0, L, None, None, None, 1)),
    ("25 MAX", (25.0, L, None, None, None, 1)),
    ("25 max.", (25.0, L, None, None, None, 1)),
    ("12,5", (12.5, L, None, None, None, 1)),
    ("1.250 ±.005", (1.25, L, 0.005, -0.005, None, 1)),
    ("\\U+2300 20", (20.0, D, None, None, None, 1)),
    ("R0.5 MAX", (0.5, R, None, None, None, 1)),
    ("Ø25 -0.02 -0.05", (25.0, D, -0.02, -0.05, None, 1)),
    ("25.00 - 25.05", (25.0, L, 0.05, 0.0, None, 1)),
    ("Ø6.6 THRU 4 PLCS", (6.6, D, None, None, None, 4)),
    ("2 HOLES Ø5", (5.0, D, None, None, None, 2)),
    ("SR5", (5.0, R, None, None, None, 1)),
    ("45° X 1", (1.0, C, None, None, None, 1)),
    ("12.7 (.500)", (12.7, L, None, None, None, 1)),
    ('1/4"-20 UNC-2B', (0.25, T, None, None, None, 1)),
    ("M6-6H", (6.0, T, None, None, None, 1)),
    ("3x M4", (4.0, T, None, None, None, 3)),
    ("Ø10 F7(+0.028/+0.013)", (10.0, D, 0.028, 0.013, "F7", 1)),
    ("2X Ø5 +0.1/0 THRU", (5.0, D, 0.1, 0.0, None, 2)),
    ("⌀6 H7 ↧ 10", (6.0, D, 0.012, 0.0, "H7", 1)),
]


@pytest.mark.parametrize(("text", "expected"), CALLOUTS, ids=[c[0] for c in CALLOUTS])
def test_parse_callout(text: str, expected: tuple[float, float]) -> None:
    callout = parse_callout(text)
    assert callout is not None
    got = (callout.nominal, callout.kind, callout.upper, callout.lower, callout.fit, callout.count)
    assert got == pytest.approx(expected)
    assert callout.text == text


@pytest.mark.parametrize(
    ("text", "flag"),
    [("(25)", "reference"), ("25 REF", "reference"), ("[25]", "basic"), ("25 BSC", "basic")],
)
def test_reference_and_basic_flags(text: str, flag: str) -> None:
    callout = parse_callout(text)
    assert callout is not None and callout.nominal == 25.0
    assert getattr(callout, flag) is True


@pytest.mark.parametrize(("text", "limit"), [("25 MAX", "max"), ("25 max.", "max"), ("3 MIN", "min")])
def test_single_limit(text: str, limit: str) -> None:
    callout = parse_callout(text)
    assert callout is not None and callout.limit_type == limit and callout.upper is None


@pytest.mark.parametrize(
    ("text", "thread"),
    [
        ("M6x1-6H", "M6x1-6H"),
        ("M10x1.5 - 6g", "M10x1.5-6g"),
        ("1/4-20 UNC-2B", "1/4-20 UNC-2B"),
        ("#10-32 UNF", "#10-32 UNF"),
    ],
)
def test_thread_designation(text: str, thread: str) -> None:
    callout = parse_callout(text)
    assert callout is not None and callout.thread == thread


def test_fit_in_inch_drawing_is_converted_to_inches() -> None:
    callout = parse_callout("Ø.3937 H7", units="in")  # 10 mm
    assert callout is not None
    assert callout.upper == pytest.approx(0.015 / 25.4, abs=1e-6)
    assert callout.lower == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "QTY 50",
        "6 mm plate",
        "DIMENSIONS IN MM",
        "REV C",
        "SCALE 1:1",
        "1:2",
        "MATERIAL 6061-T6",
        "N6",
        "top",
        "ISO 2768-mK",
        "\\A1;{\\H0.7x;\\S+0.1^-0.05;}",
        "DATE 2024-01-02",
    ],
)
def test_not_a_callout(text: str) -> None:
    assert parse_callout(text) is None


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("\\A1;%%c70", "Ø70"),
        ("\\A1;<>\\S+0.2^ 0;", "<> +0.2/0"),
        ("{\\fArial|b1|i0|c0|p34;Ø12} H7", "Ø12 H7"),
        ("4X %%c6.6\\PTHRU", "4X Ø6.6 THRU"),
        ("{\\H0.7x;\\C1;REV} B", "REV B"),
        ("10\\~P9", "10 P9"),
        ("25\\S+0.1#-0.05;", "25 +0.1/-0.05"),
        ("50%%p0.1", "50±0.1"),
    ],
)
def test_clean_mtext(raw: str, plain: str) -> None:
    assert clean_mtext(raw) == plain


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("ISO 2768-m", "ISO 2768-m"),
        ("ISO 2768-mK", "ISO 2768-mK"),
        ("DIN ISO 2768 mK", "ISO 2768-mK"),
        ("ISO 2768-f", "ISO 2768-f"),
        ("ISO 2768-1 m", "ISO 2768-m"),
        ("Allgemeintoleranzen ISO 2768-mH", "ISO 2768-mH"),
        ("GENERAL TOLERANCES ±0.1", "+/-0.1"),
        ("UNLESS OTHERWISE SPECIFIED TOLERANCES ARE %%p0.1", "+/-0.1"),
        ("UNLESS OTHERWISE SPECIFIED: ALL TOLERANCES +/- 0,2 MM", "+/-0.2"),
        ("MATERIAL 6061-T6", None),
        ("25 ±0.05", None),
    ],
)
def test_parse_general_tolerance(text: str, normalised: str | None) -> None:
    assert parse_general_tolerance(text) == normalised


_values = st.decimals(min_value="0.5", max_value="999", places=2).map(float)
_devs = st.decimals(min_value="0.001", max_value="0.5", places=3).map(float)


@given(nominal=_values, plus=_devs, minus=_devs, style=st.sampled_from(["slash", "space", "stacked"]))
def test_round_trip_deviations(nominal: float, plus: float, minus: float, style: str) -> None:
    text = {
        "slash": f"{nominal:g} +{plus:g}/-{minus:g}",
        "space": f"{nominal:g} +{plus:g} -{minus:g}",
        "stacked": f"{nominal:g}\\S+{plus:g}^-{minus:g};",
    }[style]
    callout = parse_callout(text)
    assert callout is not None
    assert (callout.nominal, callout.upper, callout.lower) == pytest.approx((nominal, plus, -minus))


@given(nominal=_values, tol=_devs, comma=st.booleans(), diameter=st.booleans(), count=st.integers(1, 12))
def test_round_trip_plus_minus(nominal: float, tol: float, comma: bool, diameter: bool, count: int) -> None:
    body = f"{nominal:g} ±{tol:g}"
    if comma:
        body = body.replace(".", ",")
    text = (f"{count}X " if count > 1 else "") + ("Ø" if diameter else "") + body
    callout = parse_callout(text)
    assert callout is not None
    assert (callout.nominal, callout.upper, callout.lower) == pytest.approx((nominal, tol, -tol))
    assert callout.kind == (DimensionKind.DIAMETER if diameter else DimensionKind.LINEAR)
    assert callout.count == count


_CALLOUT_ALPHABET = st.sampled_from(list("0123456789.,+-/±°ØRMxX#()[] %\\^;{}SCUNFHhgkp:'\"") + ["%%c", "%%p", "\\S"])


@given(st.lists(_CALLOUT_ALPHABET, max_size=25).map("".join) | st.text(max_size=40))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    callout = parse_callout(text)
    assert callout is None or callout.count >= 1
    general = parse_general_tolerance(text)
    assert general is None or general.startswith(("ISO 2768-", "DIN 7168-", "+/-"))
    assert isinstance(clean_mtext(text), str)


# Gaps reported by the PDF reader: counted threads, worded chamfers, two values, dates and inch fractions.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2x M2.5x0.45 Thread", (2.5, T, None, None, None, 2)),
        ("4X M3 THD", (3.0, T, None, None, None, 4)),
        ("CHAMFER 0,2", (0.2, C, None, None, None, 1)),
        ("Chamfer 1 x 45°", (1.0, C, None, None, None, 1)),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_counted_threads_and_worded_chamfers(text: str, expected: tuple[float, ...]) -> None:
    callout = parse_callout(text)
    assert callout is not None
    got = (callout.nominal, callout.kind, callout.upper, callout.lower, callout.fit, callout.count)
    assert got == pytest.approx(expected)


@pytest.mark.parametrize(
    "text", ["8,500 15,500", "12.5 30", "1/26/25", "30.11.2018", "2018-11-30", "11/30/2018", "1/1", "3/4"]
)
def test_two_values_and_dates_are_not_callouts(text: str) -> None:
    assert parse_callout(text) is None


@pytest.mark.parametrize(
    ("text", "nominal"), [("3/4", 0.75), ('1-1/2"', 1.5), ("1 1/2", 1.5), ("5/16 ±.005", 0.3125)]
)
def test_inch_fractions_only_on_inch_drawings(text: str, nominal: float) -> None:
    callout = parse_callout(text, units="in")
    assert callout is not None and callout.nominal == pytest.approx(nominal)
    assert parse_callout(text, units="mm") is None


@pytest.mark.parametrize(("text", "units"), [("1/26/25", "in"), ("1/1", "in"), ("30.11.2018", "in")])
def test_dates_and_scales_stay_out_on_inch_drawings(text: str, units: str) -> None:
    assert parse_callout(text, units=units) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "general"),
    [
        ("General tolerances 0.1mm", "+/-0.1"),
        ("GENERAL TOLERANCE: 0.2", "+/-0.2"),
        ("General tolerance ±0.05", "+/-0.05"),
        ("General tolerances ISO 2768-mK", "ISO 2768-mK"),
        ("General notes 3", None),
    ],
)
def test_general_tolerance_bare_value(text: str, general: str | None) -> None:
    assert parse_general_tolerance(text) == general
