"""Grouping part geometry into views: the grid finds exactly the groups the sweep finds."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.dxf_envelope import _cluster

Item = tuple[str, tuple[float, float, float, float]]


def partition(items: list[Item], gap: float, *, sweep_max: int) -> set[frozenset[tuple[float, float, float, float]]]:
    groups = _cluster(items, gap, sweep_max=sweep_max)
    return {frozenset((g.box, g.kinds)) for g in groups}  # type: ignore[arg-type]


def box(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
    return (x, y, x + w, y + h)


# Quarters are exact in binary: many boxes end up exactly ``gap`` apart, the boundary case.
coordinate = st.integers(min_value=-80, max_value=80).map(lambda v: v / 4)
extent = st.integers(min_value=0, max_value=32).map(lambda v: v / 4)
items = st.lists(
    st.tuples(st.sampled_from(["LINE", "CIRCLE", "ARC"]), coordinate, coordinate, extent, extent).map(
        lambda t: (t[0], box(*t[1:]))
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(items=items, gap=st.sampled_from([0.5, 1.0, 2.0, 2.75]))
def test_grid_groups_equal_sweep_groups(items: list[Item], gap: float) -> None:
    assert partition(items, gap, sweep_max=0) == partition(items, gap, sweep_max=10**9)


def test_grid_on_a_sheet_of_many_small_parts() -> None:
    rng = random.Random(7)
    plates: list[Item] = []
    for i in range(400):
        x, y = (i % 20) * rng.uniform(40, 70), (i // 20) * rng.uniform(30, 60)
        plates.append(("LINE", box(x, y, 38, 0)))
        plates.append(("CIRCLE", box(x + 10, y + 12, 6.6, 6.6)))

    for gap in (0.5, 5.0, 30.0, 0.03 * 1200):
        assert partition(plates, gap, sweep_max=0) == partition(plates, gap, sweep_max=10**9)


def test_close_boxes_two_cells_apart_are_joined() -> None:
    """Cells are a hair smaller than the gap, so a close pair can sit two cells apart along x."""
    cell = 1.0 - 1e-6
    first = box(0, 0, 2 * cell - 1e-7, 0.1)  # ends just inside the second cell
    second = box(first[2] + 0.9999999, 0, 1, 0.1)  # starts within the gap, two cells on

    assert len(_cluster([("LINE", first), ("LINE", second)], 1.0, sweep_max=0)) == 1
    assert len(_cluster([("LINE", first), ("LINE", second)], 1.0, sweep_max=10**9)) == 1


def test_boxes_exactly_gap_apart_diagonally_are_joined() -> None:
    for first, second in ((box(0, 0, 1, 1), box(2, 2, 1, 1)), (box(0, 2, 1, 1), box(2, 0, 1, 1))):
        assert len(_cluster([("LINE", first), ("LINE", second)], 1.0, sweep_max=0)) == 1
        assert len(_cluster([("LINE", first), ("LINE", second)], 1.0, sweep_max=10**9)) == 1
        assert len(_cluster([("LINE", first), ("LINE", second)], 0.99, sweep_max=0)) == 2
