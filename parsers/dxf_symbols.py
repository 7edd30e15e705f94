"""Symbol fonts (gdt.shx, Symbol) decoded to Unicode, and GD&T feature control frames (TOLERANCE entities)."""

from __future__ import annotations

import re

from parsers.models import GdtFrame

# gdt.shx / AMGDT: the letter typed -> the symbol printed, and its name for feature control frames.
_GDT_FONT: dict[str, tuple[str, str]] = {
    "a": ("∠", "angularity"),
    "b": ("⊥", "perpendicularity"),
    "c": ("⏥", "flatness"),
    "d": ("⌓", "profile of a surface"),
    "e": ("○", "circularity"),
    "f": ("∥", "parallelism"),
    "g": ("⌭", "cylindricity"),
    "h": ("↗", "circular runout"),
    "i": ("⌯", "symmetry"),
    "j": ("⌖", "position"),
    "k": ("⌒", "profile of a line"),
    "l": ("Ⓛ", "LMC"),
    "m": ("Ⓜ", "MMC"),
    "n": ("Ø", "diameter"),
    "o": ("□", "square"),
    "p": ("Ⓟ", "projected zone"),
    "q": ("℄", "centre line"),
    "r": ("◎", "concentricity"),
    "s": ("Ⓢ", "RFS"),
    "t": ("⌰", "total runout"),
    "u": ("⏤", "straightness"),
    "v": ("⌴", "counterbore"),
    "w": ("⌵", "countersink"),
    "x": ("↧", "depth"),
    "y": ("⌲", "conical taper"),
    "z": ("⌳", "slope"),
}
# The Windows Symbol font (and symbol.shx): Greek letters on Latin keys, math signs in the upper half.
_SYMBOL_FONT: dict[str, str] = {
    "f": "φ",
    "j": "ϕ",
    "W": "Ω",
    "m": "μ",
    "p": "π",
    "D": "Δ",
    "a": "α",
    "b": "β",
    "g": "γ",
    "d": "δ",
    "q": "θ",
    "\xb0": "°",
    "\xb1": "±",
    "\xb4": "×",
    "\xc6": "Ø",
    "\xc5": "⊕",
    "\xa3": "≤",
    "\xb3": "≥",
}
# The fourteen geometric characteristics (the first compartment of a frame).
_CHARACTERISTICS = {_GDT_FONT[c][0]: _GDT_FONT[c][1] for c in "abcdefghijkrtu"}
_MODIFIERS = {"Ⓜ": "MMC", "Ⓛ": "LMC", "Ⓢ": "RFS", "Ⓟ": "projected"}
_FONT_SWITCH = re.compile(r"\\[Ff](?P<font>[^;|]*)[^;]*;(?P<body>(?:\\[^Ff]|[^\\{}])*)")


def font_kind(font: str) -> str | None:
    """Which symbol font a font file or face name is: "gdt", "symbol", or None for ordinary fonts."""
    name = font.lower().rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = name.split(".")[0]
    if name in ("gdt", "amgdt", "gdt_iso", "amgdt_iso", "gdtiso") or name.startswith("amgdt"):
        return "gdt"
    if name in ("symbol", "symbol_0", "symap", "syastro", "symath", "greeks", "greekc"):
        return "symbol"
    return None


def _map(text: str, kind: str | None) -> str:
    if kind == "gdt":
        return "".join(_GDT_FONT[c][0] if c in _GDT_FONT else c for c in text)
    if kind == "symbol":
        return "".join(_SYMBOL_FONT.get(c, c) for c in text)
    return text


def decode_symbol_fonts(text: str, *, font: str = "") -> str:
    """Replace characters typed in a symbol font with what the sheet shows.

    Args:
        text: TEXT/MTEXT content; MTEXT font switches (``{\\Fgdt;n}``, ``\\Fsymbol|b0;f``) are honoured.
        font: the font of the entity's text style (file or face name); "" when unknown.

    Returns:
        The text with symbol-font characters as Unicode (``n`` in gdt.shx -> ``Ø``); font switches removed.
    """
    if not text:
        return text

    def switch(m: re.Match[str]) -> str:
        return _map(m.group("body"), font_kind(m.group("font")))

    # Text before the first inline switch is in the style's font.
    head, sep, tail = text.partition("\\F") if "\\F" in text else text.partition("\\f")
    out = _map(head, font_kind(font)) if font else head
    if not sep:
        return out
    return out + _FONT_SWITCH.sub(switch, sep + tail)


def extract_gdt_frames(content: str) -> list[GdtFrame]:
    """Feature control frames from a TOLERANCE entity's content.

    The content holds rows separated by ``^J`` and compartments separated by ``%%v``, with symbols typed in
    the gdt font: ``{\\Fgdt;j}%%v{\\Fgdt;n}0.05{\\Fgdt;m}%%vA%%vB``.

    Args:
        content: the entity's raw content string.

    Returns:
        One frame per row that names a geometric characteristic (datum identifier rows are skipped).
    """
    frames: list[GdtFrame] = []
    for row in re.split(r"\^J|\\P", decode_symbol_fonts(content)):
        cells = [_plain(c) for c in re.split(r"%%[vV]", row)]
        cells = [c for c in cells if c]
        if not cells or cells[0][0] not in _CHARACTERISTICS:
            continue
        symbol = cells[0][0]
        tolerance_cell = cells[1] if len(cells) > 1 else ""
        value = re.search(r"\d+(?:[.,]\d+)?|[.,]\d+", tolerance_cell)
        modifier = next((name for sign, name in _MODIFIERS.items() if sign in tolerance_cell), None)
        datums = tuple(d for c in cells[2:] if (d := re.sub(r"[^A-Z\-]", "", c)))
        frames.append(
            GdtFrame(
                text=" | ".join(cells),
                characteristic=_CHARACTERISTICS[symbol],
                tolerance=float(value.group(0).replace(",", ".")) if value else None,
                diameter_zone="Ø" in tolerance_cell,
                modifier=modifier,
                datums=datums,
            )
        )
    return frames


def _plain(cell: str) -> str:
    cell = re.sub(r"\\[A-Za-z][^;\\]*;", "", cell)
    return " ".join(cell.replace("{", "").replace("}", "").split())
