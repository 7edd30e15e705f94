"""PDF reading, step 3: read a grouped callout (value, stacked tolerance, limits, fit) as a Dimension."""

from __future__ import annotations

import re

from parsers.models import Dimension, DimensionKind, Point, Units
from parsers.pdf_layout import Group
from parsers.tolerances import Callout, parse_callout

_NUM = r"(?:\d+(?:[.,]\d+)?|[.,]\d+)"
_DEVIATION = re.compile(rf"^(?P<s>[+\-±]?)\s*(?P<n>{_NUM})$")
_FIT_CLASS = re.compile(r"^(?:[A-Z]{1,2}|[a-z]{1,2})\d{1,2}$")
_DATE = re.compile(r"^\d{1,4}[./\-]\d{1,2}[./\-]\d{2,4}$")
_CHAMFER_WORD = re.compile(rf"^(?P<c>\d+\s*[xX]\s*)?CHAMFER\s+(?P<n>{_NUM})$|^(?P<m>{_NUM})\s+CHAMFER$", re.I)
_THREAD_WORD = re.compile(r"\s+(?:THREADS?|THD|TAPPED)\.?$", re.I)
_FRACTION = re.compile(r"(?<![\d.,/])(?:(\d+)[ -])?(\d+)/(\d+)(?![\d/.,])")
_FRACTION_DENOMINATORS = frozenset({2, 4, 8, 16, 32, 64})
_BORE = re.compile(r"[⌴⌵]\s*")
_DEPTH = re.compile(r"\s*↧\s*")
_COUNT_PREFIX = re.compile(r"^\s*\d+\s*[xX×]\s*")
_SURFACE = re.compile(r"^R[az]\s*\d", re.I)


def _num(text: str) -> float:
    return float(text.replace(",", "."))


def _signed(text: str, *, default_sign: str) -> float | None:
    m = _DEVIATION.match(text.replace("−", "-"))
    if m is None:
        return None
    value = _num(m.group("n"))
    sign = m.group("s") or (default_sign if value else "+")
    return -value if sign == "-" else value


def _is_fraction(numerator: str, denominator: str) -> bool:
    return (numerator.isdigit() and denominator.isdigit() and int(denominator) in _FRACTION_DENOMINATORS
            and 0 < int(numerator) < int(denominator))


def decimal_fractions(text: str) -> str:
    """Write inch fractions ("3/4", "1 1/2", "1-1/2") as decimals; other slashes are left alone.

    Args:
        text: callout text.

    Returns:
        The text with each proper binary fraction replaced by its decimal value.
    """
    def decimal(m: re.Match[str]) -> str:
        whole, num, den = m.group(1), m.group(2), m.group(3)
        if not _is_fraction(num, den):
            return m.group(0)
        return f"{int(whole or 0) + int(num) / int(den):g}"

    return _FRACTION.sub(decimal, text)


def _from_stack(group: Group, units: Units) -> tuple[Callout | None, float | None, float | None, str | None]:
    """Read a group with stacked parts: (callout for the value, upper, lower, fit)."""
    top, bottom = group.top.replace(" ", ""), group.bottom.replace(" ", "")
    head = f"{group.prefix} {group.suffix}".strip()
    if _FIT_CLASS.match(top) and _FIT_CLASS.match(bottom):
        callout = parse_callout(f"{group.prefix} {top}/{bottom} {group.suffix}".strip(), units=units)
        return callout, None, None, f"{top}/{bottom}"
    if top.startswith("±") and not bottom:
        callout = parse_callout(f"{group.prefix} {top} {group.suffix}".strip(), units=units)
        return callout, None, None, None
    if _is_fraction(top, bottom):  # an inch fraction printed stacked: 1 3/4
        return parse_callout(decimal_fractions(f"{group.prefix} {top}/{bottom} {group.suffix}".strip()),
                             units=units), None, None, None
    up, down = _signed(top, default_sign="+"), _signed(bottom, default_sign="-")
    if up is None or down is None:
        return None, None, None, None
    if re.search(r"\d", _COUNT_PREFIX.sub("", group.prefix)):
        upper, lower = max(up, down), min(up, down)
        return parse_callout(head, units=units), upper + 0.0, lower + 0.0, None
    # Two stacked values with no value before them: limits, read as lower limit + band.
    low, high = sorted((abs(up), abs(down)))
    callout = parse_callout(f"{group.prefix}{low:g} {group.suffix}".strip(), units=units)
    return callout, round(high - low, 9), 0.0, None


def read_group(group: Group, *, units: Units, page: int, basic: bool = False) -> Dimension | None:
    """Read one callout candidate.

    Args:
        group: runs grouped as prefix / stacked top and bottom / suffix.
        units: drawing units (fit deviations are converted to them).
        page: 1-based page number.
        basic: a box is drawn around the group.

    Returns:
        The dimension, or None when the text is not a dimension callout.
    """
    text = group.text
    if not re.search(r"\d", text) or _DATE.match(text) or _SURFACE.match(text):
        return None
    upper = lower = None
    fit = None
    kind_override = None
    chamfer_count = None
    if group.stacked:
        callout, upper, lower, fit = _from_stack(group, units)
    elif m := _CHAMFER_WORD.match(text):
        value = m.group("n") or m.group("m")
        callout = parse_callout(value, units=units)
        kind_override = DimensionKind.CHAMFER
        chamfer_count = m.group("c")
    else:
        # Counterbore/countersink marks lead the size they apply to; a depth mark reads as DEEP.
        plain = _DEPTH.sub(" DEEP ", _BORE.sub("", _THREAD_WORD.sub("", text))).strip()
        callout = parse_callout(plain, units=units)
        if (callout is None or callout.kind is not DimensionKind.THREAD) and decimal_fractions(plain) != plain:
            callout = parse_callout(decimal_fractions(plain), units=units)  # "1/4-20 UNC" stays as printed
    if callout is None:
        return None
    if upper is None:
        upper, lower = callout.upper, callout.lower
    fit = fit or callout.fit
    if fit and upper is None and (fitted := parse_callout(f"{callout.nominal:g} {fit}", units=units)):
        upper, lower = fitted.upper, fitted.lower
    kind = kind_override or callout.kind
    count = callout.count
    if chamfer_count:
        count = int(re.sub(r"\D", "", chamfer_count))
    return Dimension(
        text=text, nominal=callout.nominal, kind=kind, upper=upper, lower=lower, fit=fit, count=count,
        page=page, confidence=_confidence(text, group, callout, upper), units=units,
        thread=callout.thread, basic=basic or callout.basic, reference=callout.reference,
        position=_centre(group),
    )


def _confidence(text: str, group: Group, callout: Callout, upper: float | None) -> float:
    if upper is not None or callout.fit or callout.kind is not DimensionKind.LINEAR or group.stacked:
        return 0.95
    if callout.count > 1 or callout.basic or callout.reference or callout.limit_type:
        return 0.9
    bare = re.fullmatch(rf"\(?{_NUM}\)?", text.strip())
    if bare and not re.search(r"[.,]", text):
        return 0.6  # an isolated integer could be a label, a balloon or a zone number
    return 0.75 if bare else 0.85


def _centre(group: Group) -> Point:
    x0, y0, x1, y1 = group.page_box()
    return Point(x=round((x0 + x1) / 2, 2), y=round((y0 + y1) / 2, 2))
