"""Months and periods: parsing ``YYYY-MM`` and the half-open date range of a month."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tools.errors import InvalidArgumentError

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def parse_month(text: str | date) -> date:
    """The first day of the month written ``YYYY-MM`` (a date is truncated to its month)."""
    if isinstance(text, date):
        return text.replace(day=1)
    match = _MONTH.match(text)
    # Years 1..9998: the month after must still be a date.
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1 <= int(match.group(1)) <= 9998:
        raise InvalidArgumentError(f"not a month: {text!r} (expected YYYY-MM, e.g. 2026-07)")
    return date(int(match.group(1)), int(match.group(2)), 1)


def next_month(month: date) -> date:
    """The first day of the month after ``month``."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after (or before, if negative) ``month``."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from ``earlier``'s month to ``later``'s month."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def month_label(month: date) -> str:
    """``date(2026, 7, 1)`` -> ``'2026-07'``."""
    return f"{month.year:04d}-{month.month:02d}"
