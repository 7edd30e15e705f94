from __future__ import annotations

from datetime import date

import pytest

from bot.dates import add_working_days, read_date, working_days_between

TODAY = date(2026, 11, 27)  # a Friday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("need them by Dec 12", date(2026, 12, 12)),
        ("by December 12th please", date(2026, 12, 12)),
        ("by 12 Dec", date(2026, 12, 12)),
        ("before Jan 5", date(2027, 1, 5)),
        ("need them by 2027-02-01", date(2027, 2, 1)),
        ("in 5 days", date(2026, 12, 2)),
        ("within 2 weeks", date(2026, 12, 11)),
        ("in 3 working days", date(2026, 12, 2)),
        ("500 pcs", None),
        ("by Feb 30", None),
    ],
)
def test_read_date(text: str, expected: date | None) -> None:
    assert read_date(text, today=TODAY) == expected


def test_working_days() -> None:
    assert add_working_days(TODAY, 1) == date(2026, 11, 30)
    assert working_days_between(TODAY, date(2026, 12, 4)) == 5
    assert working_days_between(TODAY, TODAY) == 0
