"""The callout text grammar shared by the DXF and PDF readers: "Ø12 H7", "25.40 ±0.05", "ISO 2768-m"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.fits import fit_deviations
from parsers.models import MM_PER_INCH, DimensionKind, Units


@dataclass(frozen=True)
class Callout:
    """One printed callout; values in drawing units, deviations signed (None: general tolerance)."""

    nominal: float
    kind: DimensionKind
    upper: float | None
    lower: float | None
    fit: str | None
    count: int
    thread: str | None
    basic: bool
    reference: bool
    text: str
    limit_type: str | None = None  # "max" / "min" for single-limit callouts


_NUM = r"(?:\d+(?:[.,]\d+)?|[.,]\d+)"
_SNUM = r"[+\-]?\s*" + _NUM

_CONTROL = (
    ("%%c", "Ø"),
    ("%%C", "Ø"),
    ("%%d", "°"),
    ("%%D", "°"),
    ("%%p", "±"),
    ("%%P", "±"),
    ("%%%", "%"),
    ("⌀", "Ø"),
    ("∅", "Ø"),
    ("ø", "Ø"),
    ("Φ", "Ø"),
    ("φ", "Ø"),
    ("−", "-"),
    ("–", "-"),
    ("‐", "-"),
    ("\u00a0", " "),
    ("+/-", "±"),
    ("+-", "±"),
    ("×", "x"),
    ("º", "°"),
)
_UNICODE_ESCAPE = re.compile(r"\\[Uu]\+([0-9A-Fa-f]{4})")
_STACK = re.compile(r"\\S([^;^#/]*)([\^#/])([^;]*);")
_FORMAT_CODES = re.compile(r"\\[AaCcFfHhQqTtWwpP][^;\\]*;|\\[LlOoKkNn]")


def clean_mtext(text: str) -> str:
    """Strip MTEXT formatting and AutoCAD control codes, keeping the printed characters.

    Stacked fractions/tolerances (``\\S+0.1^-0.05;``) become ``" +0.1/-0.05"``; paragraph breaks
    (``\\P``) become a space.

    Args:
        text: raw MTEXT/TEXT content.

    Returns:
        The plain text, whitespace collapsed.
    """
    out = _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    out = _STACK.sub(lambda m: f" {m.group(1).strip()}/{m.group(3).strip()}", out)
    out = out.replace("\\P", " ").replace("\\~", " ").replace("\\X", " ")
    out = _FORMAT_CODES.sub("", out)
    out = out.replace("\\{", "\x00").replace("\\}", "\x01").replace("{", "").replace("}", "")
    out = out.replace("\x00", "{").replace("\x01", "}").replace("\\\\", "\\")
    for code, char in _CONTROL:
        out = out.replace(code, char)
    return " ".join(out.split())


def _num(text: str) -> float:
    return float(text.replace(" ", "").replace(",", "."))


_CHAMFER = [
    re.compile(rf"^(?P<n>{_NUM})\s*x\s*(?P<a>{_NUM})\s*°", re.I),
    re.compile(rf"^(?P<a>{_NUM})\s*°\s*x\s*(?P<n>{_NUM})(?!\s*°)", re.I),
    re.compile(rf"^C\s*(?P<n>{_NUM})\b"),
]
_METRIC = re.compile(
    rf"^M\s*(?P<d>{_NUM})(?:\s*x\s*(?P<p>{_NUM}))?(?:\s*-\s*(?P<c>\d[GHEFgdhef](?:\d[gdhef])?))?"
)
_UNIFIED = re.compile(
    r"^(?P<d>\d+\s*-\s*\d+/\d+|\d+/\d+|\d*\.\d+|\d+|#\s*\d+)[\"″]?\s*-\s*(?P<tpi>\d+)\s*"
    r"(?P<s>UNC|UNF|UNEF|UNS|UN|NPT|NPTF)(?:\s*-\s*(?P<c>[123][AB]))?",
    re.I,
)
_COUNT = re.compile(r"^(?P<c>\d+)\s*(?:x\b|x(?=\s*[ØRM#\d(\[□])|PLCS?\b\.?|PLACES\b|HOLES\b)\s*", re.I)
_COUNT_SUFFIX = re.compile(r"\(?\s*(?P<c>\d+)\s*(?:x|PLCS?\.?|PLACES|HOLES)\s*\)?\s*$", re.I)
_FIT = re.compile(r"^(?P<f>(?:[A-Z]{1,2}|[a-z]{1,2})\d{1,2}(?:\s*/\s*[a-z]{1,2}\d{1,2})?)(?![\w.])")
_PLUSMINUS = re.compile(rf"^±\s*(?P<t>{_NUM})")
_DEV_PAIR = re.compile(rf"^(?P<u>{_SNUM})\s*(?:/|\^|\s)\s*(?P<l>{_SNUM})(?![\d.,])")
_LIMITS = re.compile(rf"^(?:-|/|\^)\s*(?P<b>{_NUM})(?![\d.,])")
_LIMIT_WORD = re.compile(r"^(MAX|MIN)\b\.?", re.I)
_DEG_MIN = re.compile(rf"^(?P<m>{_NUM})\s*['′]")
_ALLOWED_WORDS = frozenset(
    "THRU THROUGH TYP TYPICAL DEEP DP DEPTH ALL AROUND REF MAX MIN PLCS PLC PLACES HOLES HOLE EQ SP EQSP "
    "CBORE CSK CSINK CDRILL SPOTFACE SF BSC BASIC MM IN INCH NEAR FAR SIDE SIDES FULL REAM DRILL TAP "
    "X TO BOTH ON THREAD THREADS THD THRD CHAMFER".split()
)
# Dates in a title block ("1/26/25", "30.11.2018", "2018-11-30") look like numbers but are not callouts.
_DATE = re.compile(r"^(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2})$")
_WORD_CHAMFER = re.compile(
    rf"^(?:CHAMFER|CHAMF\.?|CHAM\.?|FASE)\s*(?P<n>{_NUM})(?:\s*x\s*(?P<a>{_NUM})\s*°)?", re.I
)
# Inch fractions: "3/4", "1-1/2", "1 1/2" (binary denominators only, so "1/26" or a scale "1/1" never match).
_FRACTION = re.compile(r"^(?:(?P<w>\d+)[\s-])?(?P<n>\d+)/(?P<d>2|4|8|16|32|64)(?![\d/])\"?")


def _normalise(text: str) -> str:
    out = clean_mtext(text)
    out = re.sub(r"(?<=\d)\s*,\s*(?=\d)", ",", out)
    return out.strip()


def _fit_tolerance(fit: str, nominal: float, units: Units | None) -> tuple[float | None, float | None]:
    scale = MM_PER_INCH if units == "in" else 1.0
    dev = fit_deviations(fit, nominal * scale)
    if dev is None:
        return None, None
    return round(dev[0] / scale, 6), round(dev[1] / scale, 6)


def _tolerance(rest: str, nominal: float) -> tuple[float | None, float | None, str, bool]:
    """Read a printed tolerance after the nominal: (upper, lower, rest, is_limits)."""
    if m := _PLUSMINUS.match(rest):
        tol = _num(m.group("t"))
        return tol, -tol, rest[m.end() :], False
    pair = _DEV_PAIR.match(rest)
    if pair and any(g.lstrip()[0] in "+-" for g in (pair.group("u"), pair.group("l"))):
        upper, lower = _num(pair.group("u")) + 0.0, _num(pair.group("l")) + 0.0
        if upper < lower:
            upper, lower = lower, upper
        return upper, lower, rest[pair.end() :], False
    if (m := _DEV_PAIR.match(rest)) and "/" in m.group(0):
        # Stacked limits "8.20/8.00" (or deviations printed unsigned, "0.1/0"); limits are close to nominal.
        first, second = _num(m.group("u")), _num(m.group("l"))
        if nominal > 0 and abs(second - nominal) <= 0.2 * nominal and second > 0.5 * nominal:
            return round(abs(first - second), 6), 0.0, rest[m.end() :], True
    if m := _LIMITS.match(rest):
        other = _num(m.group("b"))
        if other != nominal and abs(other - nominal) <= 0.2 * nominal + 1e-9:
            return round(abs(other - nominal), 6), 0.0, rest[m.end() :], True
    return None, None, rest, False


def _lower_limit(body: str, nominal: float) -> float:
    values = [_num(v) for v in re.findall(_NUM, body)[:2]]
    return min([nominal, *values]) if len(values) == 2 else nominal


def _trailing_ok(rest: str) -> bool:
    if re.search(r"[:=]", rest):
        return False
    words = re.findall(r"[A-Za-z]{2,}", rest)
    return all(w.upper() in _ALLOWED_WORDS for w in words)


def _thread(body: str) -> tuple[float, str] | None:
    if m := _METRIC.match(body):
        return _num(m.group("d")), m.group(0).replace(" ", "")
    if m := _UNIFIED.match(body):
        size = m.group("d").replace(" ", "")  # the inch mark is outside group "d"
        if size.startswith("#"):
            major = 0.060 + 0.013 * int(size[1:])
        elif "-" in size:
            whole, frac = size.split("-")
            num, den = frac.split("/")
            major = int(whole) + int(num) / int(den)
        elif "/" in size:
            num, den = size.split("/")
            major = int(num) / int(den)
        else:
            major = float(size)
        return round(major, 4), " ".join(m.group(0).split())
    return None


# A printed callout is a few dozen characters ("2X Ø10 H7 ⌴ Ø16 ↧ 8"); longer text is a note, and the
# grammar's searches take time quadratic in the length (20,000 digits in one MTEXT took 20 s).
MAX_CALLOUT_CHARS = 200


def parse_callout(text: str, *, units: Units | None = "mm") -> Callout | None:
    """Parse one printed dimension callout.

    Args:
        text: the callout as printed or stored (MTEXT codes and ``%%c`` style codes allowed).
        units: the drawing units, used to turn a fit class into deviations in drawing units.

    Returns:
        The callout, or None when the text holds no callout (notes, titles, plain words, anything longer
        than ``MAX_CALLOUT_CHARS``).
    """
    original = text
    body = _normalise(text)
    if not body or len(body) > MAX_CALLOUT_CHARS or _DATE.match(body):
        return None
    basic = reference = False
    count = 1
    limit_type: str | None = None
    if m := re.match(r"^\[(.+)\]$", body):
        body, basic = m.group(1).strip(), True
    if m := re.match(r"^\((.+)\)$", body):
        body, reference = m.group(1).strip(), True
    if re.search(r"\bREF\b\.?$", body, re.I):
        body, reference = re.sub(r"\s*\bREF\b\.?$", "", body, flags=re.I), True
    if m := re.search(r"\s(BSC|BASIC)$", body, re.I):
        body, basic = body[: m.start()], True
    chamfer_first = any(pattern.match(body) for pattern in _CHAMFER[:2])
    if not chamfer_first and (m := _COUNT.match(body)):
        count, body = int(m.group("c")), body[m.end() :]
    elif (m := _COUNT_SUFFIX.search(body)) and m.start() > 0:
        count, body = int(m.group("c")), body[: m.start()].rstrip()
    body = re.sub(r"^(?:TAP|DRILL|REAM)\s+", "", body, flags=re.I)
    if m := re.match(r"^\[(.+)\]$", body):
        body, basic = m.group(1).strip(), True

    def build(
        nominal: float,
        kind: DimensionKind,
        upper: float | None = None,
        lower: float | None = None,
        fit: str | None = None,
        thread: str | None = None,
    ) -> Callout:
        return Callout(
            nominal=nominal,
            kind=kind,
            upper=upper,
            lower=lower,
            fit=fit,
            count=count,
            thread=thread,
            basic=basic,
            reference=reference,
            text=original,
            limit_type=limit_type,
        )

    if m := _WORD_CHAMFER.match(body):
        return build(_num(m.group("n")), DimensionKind.CHAMFER) if _trailing_ok(body[m.end() :]) else None
    for pattern in _CHAMFER:
        if m := pattern.match(body):
            if _trailing_ok(body[m.end() :]):
                return build(_num(m.group("n")), DimensionKind.CHAMFER)
            return None
    if (thread := _thread(body)) is not None:
        major, designation = thread
        rest = body[len(designation) :] if body.startswith(designation) else ""
        return build(major, DimensionKind.THREAD, thread=designation) if _trailing_ok(rest) else None

    kind = DimensionKind.LINEAR
    if m := re.match(r"^S?Ø\s*", body):
        kind, body = DimensionKind.DIAMETER, body[m.end() :]
    elif m := re.match(r"^S?R\s*(?=[\d.,])", body):
        kind, body = DimensionKind.RADIUS, body[m.end() :]
    elif m := re.match(r"^□\s*", body):
        body = body[m.end() :]
    if (m := _FRACTION.match(body)) is not None and int(m.group("n")) < int(m.group("d")):
        if units != "in":
            return None  # a fraction on a metric sheet is a scale or a date, not a size
        value = int(m.group("w") or 0) + int(m.group("n")) / int(m.group("d"))
        body = f"{value:g}{body[m.end():]}"
    m = re.match(_NUM, body)
    if m is None:
        return None
    nominal, rest = _num(m.group(0)), body[m.end() :].lstrip()
    if m := re.match(r"^°\s*", rest):
        kind, rest = DimensionKind.ANGULAR, rest[m.end() :]
        if m := _DEG_MIN.match(rest):
            nominal, rest = nominal + _num(m.group("m")) / 60, rest[m.end() :].lstrip()
        upper, lower, rest, _ = _tolerance(rest.replace("°", " ").strip(), nominal)
        return build(nominal, kind, upper, lower) if _trailing_ok(rest) else None
    if kind is DimensionKind.LINEAR and (m := re.match(r"^Ø\s*", rest)):  # "10Ø" style
        kind, rest = DimensionKind.DIAMETER, rest[m.end() :]
    rest = re.sub(r"^(?:mm|in|\")\b\s*", "", rest).lstrip()
    fit: str | None = None
    if m := _FIT.match(rest):
        fit, rest = re.sub(r"\s+", "", m.group("f")), rest[m.end() :].lstrip()
        rest = re.sub(r"^\((.*)\)", r"\1", rest).strip()
    upper, lower, rest, is_limits = _tolerance(rest.strip(), nominal)
    if fit is None and (m := _FIT.match(rest.strip())):
        fit, rest = re.sub(r"\s+", "", m.group("f")), rest.strip()[m.end() :]
    if upper is None and (m := _LIMIT_WORD.match(rest.strip())):
        limit_type, rest = m.group(1).lower(), rest.strip()[m.end() :]
    if re.match(r"^[/.,]?\s*\d", rest.strip()) or not _trailing_ok(rest):  # "8,500 15,500": two values
        return None
    if upper is None and fit is not None:
        upper, lower = _fit_tolerance(fit, nominal, units)
    if is_limits and upper is not None:
        nominal = _lower_limit(body, nominal)
    return build(nominal, kind, upper, lower, fit)


_ISO2768 = re.compile(
    r"ISO\s*2768(?:\s*-\s*[12](?![0-9]))?[\s:\-–]*(?P<c>[fmcv])\s*-?\s*(?P<g>[HKL])?\b", re.I
)
_DIN7168 = re.compile(r"DIN\s*7168[\s:\-–]*(?P<c>[fmgcv])\b", re.I)
_GENERAL_CONTEXT = re.compile(
    r"(GENERAL\s+TOL|UNLESS\s+OTHERWISE|TOLERANCES?\b|UNTOLERANCED|ALLGEMEIN|SOFERN)", re.I
)


_GENERAL_BARE = re.compile(
    rf"GENERAL\s+TOL(?:ERANCES?|S)?\.?\s*(?:ARE|IS)?\s*[:=]?\s*({_NUM})\s*(?:mm|in|\"|$)", re.I
)


def parse_general_tolerance(text: str) -> str | None:
    """Find a general-tolerance statement in a note.

    Args:
        text: one note or title-block text (MTEXT codes allowed).

    Returns:
        A normalised form ("ISO 2768-mK", "ISO 2768-m", "+/-0.1"), or None.
    """
    body = _normalise(text)
    if m := _ISO2768.search(body):
        geometric = (m.group("g") or "").upper()
        return f"ISO 2768-{m.group('c').lower()}{geometric}"
    if m := _DIN7168.search(body):
        return f"DIN 7168-{m.group('c').lower()}"
    if _GENERAL_CONTEXT.search(body) and (m := re.search(rf"±\s*({_NUM})", body)):
        return f"+/-{_num(m.group(1)):g}"
    if m := _GENERAL_BARE.search(body):  # "General tolerances 0.1mm": a bare value means ± that value
        return f"+/-{_num(m.group(1)):g}"
    return None
