"""Chinese working days (法定工作日): holidays and make-up workdays from chinese_calendar.

Beyond the years chinese_calendar knows, Monday to Friday are working days and the
result says so (``WorkingDays.fallback``).
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel


class WorkingDays(BaseModel):
    """Working days in a date range; ``fallback`` when some were guessed as Mon-Fri."""

    days: int
    fallback: bool = False


def is_workday(day: date) -> tuple[bool, bool]:
    """(is ``day`` a working day, was the Mon-Fri fallback used)."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day)), False
    except NotImplementedError:
        return day.weekday() < 5, True


def working_days(start: date, end: date) -> WorkingDays:
    """Working days from ``start`` to ``end``, both included (0 when end < start)."""
    count, fallback = 0, False
    day = start
    while day <= end:
        work, guessed = is_workday(day)
        count += work
        fallback = fallback or guessed
        day += timedelta(days=1)
    return WorkingDays(days=count, fallback=fallback)
