"""What changed between two revisions of a drawing: callouts added, removed, changed; tolerances tightened."""

from __future__ import annotations

from bot.reply import describe_tolerance, format_number
from parsers import Dimension, Envelope, ParsedDrawing


def _label(d: Dimension) -> str:
    return d.text


def _distance(a: Dimension, b: Dimension) -> float:
    if a.position is None or b.position is None:
        return 0.0
    return float(((a.position.x - b.position.x) ** 2 + (a.position.y - b.position.y) ** 2) ** 0.5)


def _tolerance_change(old: Dimension, new: Dimension) -> str | None:
    before, after = old.tolerance_band_mm, new.tolerance_band_mm
    if (old.upper, old.lower, old.fit) == (new.upper, new.lower, new.fit):
        return None
    was = describe_tolerance(old) or "general tolerance"
    now = describe_tolerance(new) or "general tolerance"
    if before is not None and after is not None:
        verb = "tightened" if after < before - 1e-12 else "relaxed" if after > before + 1e-12 else "changed"
    elif after is not None:
        verb = "now toleranced"
    else:
        verb = "relaxed to the general tolerance"
    return f"{format_number(new.nominal)}: {verb}, {was} → {now}"


def _size(envelope: Envelope) -> str:
    return " × ".join(format_number(v) for v in (envelope.x, envelope.y, envelope.z) if v)


def diff_drawings(old: ParsedDrawing, new: ParsedDrawing, *, reach: float | None = None) -> tuple[str, ...]:
    """Human-readable changes from ``old`` to ``new``.

    Callouts are matched first by kind and printed value (nearest position wins), then the rest by kind
    and position (within ``reach`` drawing units, default 5 % of the larger envelope side) as a changed
    value. What is left is added or removed.
    """
    if reach is None:
        size = max((new.envelope.x, new.envelope.y)) if new.envelope else 100.0
        reach = 0.05 * size
    lines: list[str] = []
    remaining = list(old.dimensions)
    unmatched: list[Dimension] = []
    for d in new.dimensions:
        same = [o for o in remaining if o.kind is d.kind and abs(o.nominal - d.nominal) < 1e-9 and o.count == d.count]
        if same:
            match = min(same, key=lambda o: _distance(o, d))
            remaining.remove(match)
            change = _tolerance_change(match, d)
            if change:
                lines.append(change)
        else:
            unmatched.append(d)
    for d in unmatched:
        near = [o for o in remaining if o.kind is d.kind and _distance(o, d) <= reach and o.position and d.position]
        if near:
            match = min(near, key=lambda o: _distance(o, d))
            remaining.remove(match)
            lines.append(f"{_label(match)} → {_label(d)}")
        else:
            lines.append(f"added {_label(d)}")
    lines += [f"removed {_label(o)}" for o in remaining]
    if old.envelope and new.envelope and old.envelope != new.envelope:
        lines.insert(0, f"size {_size(old.envelope)} → {_size(new.envelope)}")
    for name in ("material", "general_tolerance", "finish"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            lines.append(f"{name.replace('_', ' ')} {before or 'not stated'} → {after or 'not stated'}")
    return tuple(lines)
