"""Dimension entities read in bulk: illegible piles, zero-length and edge-on dimensions folded into one issue."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from parsers.dxf_dimensions import extract_dimension
from parsers.models import Dimension, IssueCode, ParseIssue, Units


def read_dimensions(
    dims: list[Any], *, header: Any, units: Units, report: Callable[[float], None]
) -> tuple[list[Dimension], list[ParseIssue]]:
    """DIMENSION entities as printed; piles, zero-length and edge-on ones folded into one issue.

    Args:
        dims: the DIMENSION/ARC_DIMENSION entities.
        header: the document header (style fallbacks).
        units: drawing units.
        report: progress callback, advanced from 0.5 to 0.8.

    Returns:
        The readable dimensions and the issues (at most one DUPLICATE_DIMENSIONS).
    """
    found: list[Dimension] = []
    issues: list[ParseIssue] = []
    illegible: list[str] = []
    for i, dim in enumerate(dims):
        dimension, issue = extract_dimension(dim, header=header, units=units)
        if dimension is not None:
            found.append(dimension)
        if issue is not None and issue.code is IssueCode.DUPLICATE_DIMENSIONS:
            illegible.append(issue.detail)
        elif issue is not None:
            issues.append(issue)
        if i % 256 == 255:
            report(0.5 + 0.3 * i / len(dims))
    found, piles = drop_piles(found)
    illegible.extend(piles)
    if illegible:
        counts = {why: illegible.count(why) for why in dict.fromkeys(illegible)}
        parts = ", ".join(f"{n} {why}" for why, n in counts.items())
        issues.append(
            ParseIssue(
                code=IssueCode.DUPLICATE_DIMENSIONS,
                detail=f"{len(illegible)} dimensions cannot be read as callouts ({parts}); not listed",
            )
        )
    return found, issues


def drop_piles(found: list[Dimension]) -> tuple[list[Dimension], list[str]]:
    """Remove dimensions stacked at one text position: identical ones are kept once, differing ones dropped.

    Returns:
        The readable dimensions and one reason per dimension removed.
    """
    groups: dict[tuple[float, float], list[Dimension]] = {}
    for dim in found:
        key = (round(dim.position.x, 3), round(dim.position.y, 3)) if dim.position else (math.nan, float(id(dim)))
        groups.setdefault(key, []).append(dim)
    kept: list[Dimension] = []
    reasons: list[str] = []
    for pile in groups.values():
        if len(pile) == 1:
            kept.append(pile[0])
        elif len({d.text for d in pile}) == 1:
            kept.append(pile[0])
            reasons.extend(["identical on top of another"] * (len(pile) - 1))
        else:
            reasons.extend(["stacked on top of each other"] * len(pile))
    order = {id(d): i for i, d in enumerate(found)}
    return sorted(kept, key=lambda d: order[id(d)]), reasons
