"""Dates in follow-ups ("need them by Dec 12", "in 5 days", "within 2 weeks") and working-day arithmetic."""

from __future__ import annotations

import re
from datetime import date, timedelta

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_ABSOLUTE = (
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?:,?\s*(?P<year>20\d\d))?", re.I),
    re.compile(rf"\b{_DAY}\s+{_MONTH}(?:\s+(?P<year>20\d\d))?", re.I),
    re.compile(r"\b(?P<year>20\d\d)-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"),
)
_RELATIVE = re.compile(
    r"\b(?:in|within)\s+(?P<n>\d{1,3})\s+(?P<working>working\s+|business\s+)?(?P<unit>days?|weeks?)\b", re.I
)


def read_date(text: str, *, today: date) -> date | None:
    """The date a message asks for, or None. A month and day already past means next year."""
    m = _RELATIVE.search(text)
    if m:
        n = int(m.group("n"))
        if m.group("unit").lower().startswith("week"):
            return today + timedelta(weeks=n)
        return add_working_days(today, n) if m.group("working") else today + timedelta(days=n)
    for pattern in _ABSOLUTE:
        m = pattern.search(text)
        if not m:
            continue
        groups = m.groupdict()
        month = int(groups["month"]) if groups.get("month") else _MONTHS[groups["mon"][:3].lower()]
        year = int(groups["year"]) if groups.get("year") else today.year
        try:
            found = date(year, month, int(groups["day"]))
        except ValueError:
            return None
        if not groups.get("year") and found < today:
            found = found.replace(year=year + 1)
        return found
    return None


def add_working_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days (Monday to Friday) after ``start`` up to and including ``end``."""
    count, current = 0, start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            count += 1
    return count
